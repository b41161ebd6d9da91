package homework

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/group"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/app/setting"
)

// Reminders before the due time. Every minute (services.Housekeeping) a
// scan reads the assignments that ask for a hand-in, have not been
// reminded (reminded_at) and fall due soon, and reminds those whose time
// has come: the guardians of each student of the target classes who has
// not handed in — no submission, or one sent back (打回) and not handed in
// again; work handed in and waiting to be marked, or marked, counts as
// handed in. A guardian is reminded as the 新作业 notice told them: a
// current account, still in the child's class group. One reminder per
// assignment per guardian, naming their children who have not handed in,
// in the notification centre. reminded_at is set in the transaction that
// sends it, on the condition that it was not set, so it is sent once
// whatever restarts or how many instances scan; an assignment not yet
// reminded follows the settings of the moment, so a change of
// homework_remind_before_min or of the quiet hours applies to it.

// Bounds of one scan: the assignments it reads (the due-soon window holds
// far fewer), and those it reminds (the rest wait for the next minute).
const (
	remindScan   = 1000
	remindPerRun = 50
)

// remindShift is how far a reminder moved out of quiet hours stands from
// their edge, and so how long the scan has to send it (RemindAt).
const remindShift = 30 * time.Minute

// RemindAt is when the families of an assignment set at set and due at
// due are reminded, before the due time by before, with quiet hours q; ok
// is false when no reminder is sent. The rule:
//
//   - the reminder time is due minus before; before zero (the setting 0)
//     means no reminder;
//   - a reminder time not after set means no reminder: the work was set
//     inside the reminder window, and the 新作业 notice the families got
//     then already names the due time;
//   - a reminder time outside the quiet hours stands;
//   - one inside them moves to the end of those quiet hours if that
//     leaves a shift (half an hour) before the due time; otherwise to a
//     shift before those quiet hours began (the evening before) if that is
//     after the work was set; otherwise there is no reminder. Nothing
//     reaches a family in quiet hours.
//
// The shift is also the time the minute's scan has to send a moved
// reminder: one missed then (a restart, a slow scan) is not sent once
// quiet hours begin or the work is due.
func RemindAt(set, due time.Time, before time.Duration, q setting.Quiet) (time.Time, bool) {
	if before <= 0 {
		return time.Time{}, false
	}
	at := due.Add(-before)
	if !at.After(set) {
		return time.Time{}, false
	}
	if !q.Contains(at) {
		return at.UTC(), true
	}
	if end := q.Ends(at); !end.Add(remindShift).After(due) {
		return end, true
	}
	if eve := q.Began(at).Add(-remindShift); eve.After(set) {
		return eve, true
	}
	return time.Time{}, false
}

// RemindDue sends the homework reminders whose time has come under rules
// (the school's settings of the moment) and returns how many assignments
// it reminded families of. It is run every minute; an assignment already
// due is never reminded, nor is anyone in quiet hours.
func (s *Service) RemindDue(ctx context.Context, rules setting.Settings) (int, error) {
	before := time.Duration(rules.HomeworkRemindBeforeMin) * time.Minute
	q := rules.QuietHours(s.loc)
	now := s.now()
	if before <= 0 || q.Contains(now) {
		return 0, nil
	}
	// A reminder moved to the evening before comes at most the quiet hours
	// (and a minute) ahead of due - before: nothing due later is sent yet.
	horizon := now.Add(before + q.Length() + time.Minute)
	var due []Assignment
	err := s.db.WithContext(ctx).Select("id, created_at, due_at").
		Where("requires_submission = 1 AND reminded_at IS NULL AND due_at > ? AND due_at <= ?", now, horizon).
		Order("due_at, id").Limit(remindScan).Find(&due).Error
	if err != nil {
		return 0, fmt.Errorf("homework: remind scan: %w", err)
	}
	n := 0
	for _, a := range due {
		if at, ok := RemindAt(a.CreatedAt, a.DueAt, before, q); !ok || at.After(now) {
			continue
		}
		sent, err := s.remind(ctx, a.ID, now)
		if err != nil {
			return n, err
		}
		if sent {
			n++
		}
		if n >= remindPerRun {
			break
		}
	}
	return n, nil
}

// remind marks assignment id reminded and reminds its families who have
// not handed in; false if another scan got there first.
func (s *Service) remind(ctx context.Context, id uint64, now time.Time) (bool, error) {
	sent := false
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.WithContext(ctx).Model(&Assignment{}).Where("id = ? AND reminded_at IS NULL", id).Update("reminded_at", now)
		if res.Error != nil || res.RowsAffected != 1 {
			return res.Error
		}
		sent = true
		a, classIDs, err := s.assignment(ctx, tx, id)
		if err != nil {
			return err
		}
		parents, names, err := waiting(ctx, tx, a.ID, classIDs)
		if err != nil {
			return err
		}
		title := "作业提醒：" + a.Subject + " · " + a.Title
		due := a.DueAt.In(s.loc).Format(DueLayout)
		for _, p := range parents {
			body := strings.Join(names[p], "、") + " 还没有提交这项作业，截止 " + due
			if err := notify.Add(ctx, tx, now, notify.Notification{UserID: p, Kind: "homework.remind", Title: title, Body: body, Link: Link(a.ID)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("homework: remind %d: %w", id, err)
	}
	return sent, nil
}

// waiting are the guardians to remind of assignment id, in the order
// first met (class, then student number), each with the names of their
// children who have not handed it in: no submission, or one sent back and
// not handed in again. A guardian counts who is a current account and in
// that child's class group.
func waiting(ctx context.Context, tx *gorm.DB, id uint64, classIDs []uint64) ([]uint64, map[uint64][]string, error) {
	var done []uint64
	if err := db.FreshIn(ctx, tx).Model(&Submission{}).Where("assignment_id = ? AND status <> ?", id, Returned).
		Pluck("student_id", &done).Error; err != nil {
		return nil, nil, fmt.Errorf("homework: handed in: %w", err)
	}
	handedIn := make(map[uint64]bool, len(done))
	for _, st := range done {
		handedIn[st] = true
	}
	var order []uint64
	names := map[uint64][]string{}
	for _, cid := range classIDs {
		kids, err := school.ChildrenOf(ctx, tx, school.ChildFilter{ClassID: cid})
		if err != nil {
			return nil, nil, err
		}
		var parents []uint64
		of := map[uint64][]string{}
		for _, k := range kids {
			if handedIn[k.StudentID] {
				continue
			}
			if _, ok := of[k.ParentID]; !ok {
				parents = append(parents, k.ParentID)
			}
			of[k.ParentID] = append(of[k.ParentID], k.Name)
		}
		if len(parents) == 0 {
			continue
		}
		var in []uint64
		if err := auth.CurrentAmong(tx, parents).WithContext(ctx).Where("id IN (?)", group.InClassGroups(tx, []uint64{cid})).
			Pluck("id", &in).Error; err != nil {
			return nil, nil, fmt.Errorf("homework: families in the group: %w", err)
		}
		member := make(map[uint64]bool, len(in))
		for _, p := range in {
			member[p] = true
		}
		for _, p := range parents {
			if !member[p] {
				continue
			}
			if _, ok := names[p]; !ok {
				order = append(order, p)
			}
			names[p] = append(names[p], of[p]...)
		}
	}
	return order, names, nil
}
