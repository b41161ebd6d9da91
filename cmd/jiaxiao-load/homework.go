package main

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/homework"
	"jiaxiao/app/school"
	"jiaxiao/app/services"
	"jiaxiao/app/studentleave"
)

// homeworkAndLeave loads issue 14's pages: an assignment set by the head
// teacher of 1年级1班 (through the service) with every student's work
// handed in, two photos each (files rows; the pages read no content), six
// in ten marked; and the school's student leave — two requests a child
// over the year before today, and today one child in twenty away (two in
// five 病假 with symptoms), all inserted in bulk.
func homeworkAndLeave(ctx context.Context, svc *services.Services, g *gorm.DB, w *world, staff map[uint64]auth.User, studs []school.Student,
	parents []auth.User, loc *time.Location) error {
	var first school.Class
	if err := g.WithContext(ctx).Where("grade = ? AND number = ?", 1, 1).Take(&first).Error; err != nil {
		return err
	}
	h, ok := w.heads[w.classGroups[0]]
	if !ok {
		return fmt.Errorf("1年级1班 has no head teacher")
	}
	head := staff[h.id]
	now := time.Now().UTC()
	a, err := svc.Homework.Create(ctx, &head, homework.CreateInput{Title: "第三单元练习", Subject: "数学", Body: "完成课本第 32 页 1–5 题，拍照上传。",
		ClassIDs: []uint64{first.ID}, Due: now.Add(48 * time.Hour).In(loc).Format(homework.DueLayout), RequiresSubmission: true})
	if err != nil {
		return fmt.Errorf("homework: %w", err)
	}
	w.sheet, w.sheetHead = a.ID, h
	var files []file.File
	var subs []homework.Submission
	for i, st := range studs {
		if st.ClassID != first.ID {
			continue
		}
		parent := parents[2*i].ID
		for j := 0; j < 2; j++ {
			sum := fmt.Sprintf("%064x", len(files)+1)
			files = append(files, file.File{StorageKey: "files/" + sum + "/photo.jpg", Name: fmt.Sprintf("作业照片%d.jpg", j+1), Size: 180_000,
				ContentType: "image/jpeg", SHA256: sum, UploadedBy: parent, CreatedAt: now})
		}
		sub := homework.Submission{AssignmentID: a.ID, StudentID: st.ID, ParentID: parent, Body: "已完成 1–5 题。", SubmittedAt: now, Status: homework.Submitted}
		if k := len(subs) % 10; k < 6 {
			sub.Status, sub.Grade, sub.Comment, sub.ReviewedBy, sub.ReviewedAt = homework.Reviewed, homework.Grades[k%4], "书写工整。", &head.ID, &now
		}
		subs = append(subs, sub)
	}
	if err := g.WithContext(ctx).CreateInBatches(files, 500).Error; err != nil {
		return err
	}
	if err := g.WithContext(ctx).CreateInBatches(subs, 500).Error; err != nil {
		return err
	}
	links := make([]map[string]any, 0, len(files))
	for i := range subs {
		for j := 0; j < 2; j++ {
			links = append(links, map[string]any{"submission_id": subs[i].ID, "file_id": files[2*i+j].ID, "position": j})
		}
	}
	if err := g.WithContext(ctx).Table("submission_files").CreateInBatches(links, 500).Error; err != nil {
		return err
	}
	w.sheetLines = len(subs)

	today := now.In(loc)
	w.leaveDay = today.Format(time.DateOnly)
	day := func(n int) string { return today.AddDate(0, 0, n).Format(time.DateOnly) }
	symptoms := []string{"发热,咳嗽", "发热", "呕吐,腹泻", "咳嗽", "皮疹"}
	decider := w.admins[0].id
	var ls []studentleave.Leave
	for i, st := range studs {
		l := studentleave.Leave{StudentID: st.ID, ClassID: st.ClassID, ParentID: parents[2*i].ID, Kind: studentleave.Personal, StartHalf: studentleave.AM,
			EndHalf: studentleave.PM, HalfDays: 2, Reason: "家里有事。", Status: studentleave.Approved, DecidedBy: &decider, DecidedAt: &now, CreatedAt: now}
		for j := 0; j < 2; j++ {
			past := l
			past.StartDate = day(-(4 + (i*7+j*53)%360))
			past.EndDate = past.StartDate
			ls = append(ls, past)
		}
		if i%20 == 0 {
			l.StartDate, l.EndDate = day(-(i/20)%2), day((i/20)%2)
			if k := i / 20; k%5 < 2 {
				l.Kind, l.Symptoms = studentleave.Sick, symptoms[k%len(symptoms)]
			}
			ls = append(ls, l)
			w.away++
		}
	}
	return g.WithContext(ctx).CreateInBatches(ls, 500).Error
}
