package studentleave

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/attendance"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/db"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/app/setting"
)

// Reminding the head teacher. Every minute (services.Housekeeping) a scan
// reads the requests still pending whose head teacher has not been
// reminded (head_reminded_at), oldest first, and reminds the class's head
// teacher, in the notification centre, of each pending ReminderAfter of
// working time. head_reminded_at is set in the transaction that sends the
// reminder, on the condition that the request is still pending and not
// reminded, so it is sent once whatever restarts or how many instances
// scan; a request approved, rejected or cancelled first is never
// reminded. A class without a head teacher is marked all the same: there
// is nobody to remind, and the scan moves on.

// ReminderAfter is the working time a request may wait before the head
// teacher is reminded.
const ReminderAfter = 30 * time.Minute

// remindScan bounds the requests one scan reads.
const remindScan = 100

// RemindAt is when the head teacher is reminded of a request made at
// made: ReminderAfter of working time later. Working time is the minutes
// from work_start to work_end of rules on the work days of cal (weekends,
// official holidays and make-up days, the school's own days); a request
// made outside it counts from the next start of work. So with work from
// 08:30 to 17:30, a request at 17:10 on a Friday is reminded at 08:40 on
// the Monday.
func RemindAt(rules setting.Settings, cal calendar.Calendar, loc *time.Location, made time.Time) time.Time {
	return attendance.AddWorkingTime(attendance.RulesFrom(rules, loc), cal, made, ReminderAfter)
}

// RemindDue reminds head teachers of the requests whose time has come
// under rules (the school's settings of the moment) and returns how many
// it reminded of. It is run every minute.
func (s *Service) RemindDue(ctx context.Context, rules setting.Settings) (int, error) {
	cal, err := s.cals.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	// ReminderAfter of working time is at least that long on the clock.
	var pending []Leave
	err = s.db.WithContext(ctx).Select("id, created_at").
		Where("status = ? AND head_reminded_at IS NULL AND created_at <= ?", Pending, now.Add(-ReminderAfter)).
		Order("created_at, id").Limit(remindScan).Find(&pending).Error
	if err != nil {
		return 0, fmt.Errorf("studentleave: remind scan: %w", err)
	}
	n := 0
	for _, l := range pending {
		if RemindAt(rules, cal, s.loc, l.CreatedAt).After(now) {
			break // a later request's time comes later still
		}
		sent, err := s.remindHead(ctx, l.ID, now)
		if err != nil {
			return n, err
		}
		if sent {
			n++
		}
	}
	return n, nil
}

// remindHead marks request id reminded and reminds whoever decides it
// (deciders); false if it was decided meanwhile, another scan got there
// first, or there is nobody to remind.
func (s *Service) remindHead(ctx context.Context, id uint64, now time.Time) (bool, error) {
	sent := false
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.WithContext(ctx).Model(&Leave{}).Where("id = ? AND status = ? AND head_reminded_at IS NULL", id, Pending).
			Update("head_reminded_at", now)
		if res.Error != nil || res.RowsAffected != 1 {
			return res.Error
		}
		l, err := s.byID(ctx, tx, id)
		if err != nil {
			return err
		}
		to, err := deciders(ctx, tx, l.ClassID)
		if err != nil || len(to) == 0 {
			return err
		}
		sts, err := school.Students(ctx, tx, []uint64{l.StudentID})
		if err != nil {
			return err
		}
		sent = true
		// The dates, not the guardian's reason: erasure clears that from
		// the request, and notifications are kept for months.
		n := notify.Notification{Kind: "leave.remind",
			Title: fmt.Sprintf("请尽快审批：%s的%s申请已等待超过 %d 分钟（工作时间）", sts[l.StudentID].Name, l.Kind, int(ReminderAfter.Minutes())),
			Body:  l.Start() + " 至 " + l.End(), Link: leaveLink(l.ID)}
		for _, id := range to { // the head teacher, or the few admins
			n.UserID = id
			if err := notify.Add(ctx, tx, now, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("studentleave: remind %d: %w", id, err)
	}
	return sent, nil
}

// deciders are whom a waiting request of the class reminds: its head
// teacher while they are a current member of staff; otherwise (no head
// teacher, or one who has left) the school's admins, who may decide it too.
func deciders(ctx context.Context, tx *gorm.DB, classID uint64) ([]uint64, error) {
	c, err := school.ClassByID(ctx, tx, classID)
	if err != nil {
		return nil, err
	}
	if c.HeadTeacherID != nil {
		staff, err := auth.CurrentStaffRoles(ctx, tx, []uint64{*c.HeadTeacherID})
		if err != nil || len(staff) == 1 {
			return []uint64{*c.HeadTeacherID}, err
		}
	}
	staff, err := auth.CurrentStaffRoles(ctx, tx, nil)
	if err != nil {
		return nil, err
	}
	var admins []uint64
	for id, role := range staff {
		if role == auth.RoleAdmin {
			admins = append(admins, id)
		}
	}
	slices.Sort(admins)
	return admins, nil
}
