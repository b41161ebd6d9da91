package group

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
)

// JoinInput is the join form.
type JoinInput struct {
	StudentNo   string
	StudentName string
	Relation    string
}

// Join files a join request for the class group of code after checking the
// child against the roster. Any mismatch gives ErrMismatch and counts
// toward the lockout.
func (s *Service) Join(ctx context.Context, actor *auth.User, code string, in JoinInput) (JoinRequest, error) {
	g, _, err := s.ByInvite(ctx, code)
	if err != nil {
		return JoinRequest{}, err
	}
	now := s.now()
	until, err := s.lockedUntil(ctx, actor.ID, now)
	if err != nil {
		return JoinRequest{}, err
	}
	if now.Before(until) {
		return JoinRequest{}, ErrLockedOut
	}
	if !slices.Contains(school.Relations, in.Relation) {
		return JoinRequest{}, apperr.Invalid("relation", "请选择与学生的关系")
	}
	var st school.Student
	name, _ := auth.NormalizeName(in.StudentName)
	err = s.db.WithContext(ctx).Where("student_no = ? AND class_id = ? AND status = ?", in.StudentNo, *g.ClassID, school.Enrolled).Take(&st).Error
	if err == nil && st.Name != name {
		err = gorm.ErrRecordNotFound
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		if ferr := s.db.WithContext(ctx).Create(&joinFailure{UserID: actor.ID, CreatedAt: now}).Error; ferr != nil {
			return JoinRequest{}, ferr
		}
		return JoinRequest{}, ErrMismatch
	}
	if err != nil {
		return JoinRequest{}, err
	}
	rules, err := s.settings.Get(ctx)
	if err != nil {
		return JoinRequest{}, err
	}
	req := JoinRequest{GroupID: g.ID, ParentID: actor.ID, StudentID: st.ID, Relation: in.Relation, Status: Pending, CreatedAt: now}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var removal Removal
		removed := tx.Where("group_id = ? AND user_id = ?", g.ID, actor.ID).Take(&removal).Error == nil
		if removed && removal.Banned {
			return ErrBanned
		}
		var mine int64
		if err := tx.Model(&school.Guardianship{}).Where("student_id = ? AND parent_id = ? AND revoked_at IS NULL", st.ID, actor.ID).Count(&mine).Error; err != nil {
			return err
		}
		if mine > 0 && !removed {
			return apperr.Invalid("", "您已是该学生的监护人，无需再次申请")
		}
		var pending int64
		if err := tx.Model(&JoinRequest{}).Where("student_id = ? AND parent_id = ? AND status = ?", st.ID, actor.ID, Pending).Count(&pending).Error; err != nil {
			return err
		}
		if pending > 0 {
			return apperr.Invalid("", "您已提交过申请，请等待班主任审核")
		}
		if mine == 0 {
			if err := checkCap(ctx, tx, st.ID, rules.GuardiansPerStudent); err != nil {
				return err
			}
		}
		var onRoster int64
		if err := tx.Model(&school.Contact{}).Where("student_id = ? AND phone = ?", st.ID, actor.Phone).Count(&onRoster).Error; err != nil {
			return err
		}
		req.RosterMatch = onRoster > 0
		if err := tx.Create(&req).Error; err != nil {
			return err
		}
		if err := s.groupsChanged(ctx, tx, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "join.request", Subject: groupSubject(g.ID),
			Detail: fmt.Sprintf("request:%d student:%d roster_match=%t", req.ID, st.ID, req.RosterMatch), CreatedAt: now})
	})
	if err != nil {
		return JoinRequest{}, fmt.Errorf("group: join: %w", err)
	}
	return req, nil
}

// lockedUntil is when the parent's join lockout ends: JoinWindow after the
// last of any JoinMaxFailures misses that fell within JoinWindow of each
// other. A time not after now means not locked.
func (s *Service) lockedUntil(ctx context.Context, userID uint64, now time.Time) (time.Time, error) {
	var times []time.Time
	err := s.db.WithContext(ctx).Model(&joinFailure{}).Where("user_id = ? AND created_at > ?", userID, now.Add(-2*JoinWindow)).
		Order("created_at DESC").Pluck("created_at", &times).Error
	if err != nil {
		return time.Time{}, err
	}
	for k := 0; k+JoinMaxFailures-1 < len(times); k++ {
		if times[k].Sub(times[k+JoinMaxFailures-1]) <= JoinWindow {
			return times[k].Add(JoinWindow), nil // the newest qualifying run decides
		}
	}
	return time.Time{}, nil
}

func checkCap(ctx context.Context, tx *gorm.DB, studentID uint64, limit int) error {
	var n int64
	q := tx.WithContext(ctx).Model(&school.Guardianship{}).Where("student_id = ? AND revoked_at IS NULL", studentID)
	if db.Dialect(tx) == db.MySQL {
		// A locking read sees what other transactions have committed since
		// this one began (a plain read would count from its snapshot).
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Count(&n).Error; err != nil {
		return err
	}
	if int(n) >= limit {
		return apperr.Invalid("", fmt.Sprintf("该学生的监护人名额已满（每名学生最多 %d 位监护人），如需调整请联系班主任", limit))
	}
	return nil
}

// RequestView is a pending join request as the moderator sees it.
type RequestView struct {
	JoinRequest
	ParentName  string
	ParentPhone string
	StudentNo   string
	StudentName string
}

// Requests lists a class group's pending join requests, oldest first.
func (s *Service) Requests(ctx context.Context, actor *auth.User, groupID uint64) (Access, []RequestView, error) {
	a, err := s.Access(ctx, actor, groupID)
	if err != nil {
		return a, nil, err
	}
	if !a.CanModerate() {
		return a, nil, ErrNotModerator
	}
	var out []RequestView
	err = s.db.WithContext(ctx).Table("join_requests").
		Select("join_requests.*, users.name AS parent_name, users.phone AS parent_phone, students.student_no, students.name AS student_name").
		Joins("JOIN users ON users.id = join_requests.parent_id").
		Joins("JOIN students ON students.id = join_requests.student_id").
		Where("join_requests.group_id = ? AND join_requests.status = ?", groupID, Pending).
		Order("join_requests.created_at, join_requests.id").Scan(&out).Error
	return a, out, err
}

// MyRequests lists the actor's own join requests, newest first.
func (s *Service) MyRequests(ctx context.Context, actor *auth.User) ([]RequestView, error) {
	var out []RequestView
	err := s.db.WithContext(ctx).Table("join_requests").
		Select("join_requests.*, students.student_no, students.name AS student_name").
		Joins("JOIN students ON students.id = join_requests.student_id").
		Where("join_requests.parent_id = ?", actor.ID).Order("join_requests.id DESC").Limit(20).Scan(&out).Error
	return out, err
}

// Approve admits the parent: the guardianship is created and the parent
// joins the class group and the school group.
func (s *Service) Approve(ctx context.Context, actor *auth.User, groupID, requestID uint64) error {
	rules, err := s.settings.Get(ctx)
	if err != nil {
		return err
	}
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		return s.approve(ctx, tx, actor, groupID, requestID, rules.GuardiansPerStudent)
	})
}

func (s *Service) approve(ctx context.Context, tx *gorm.DB, actor *auth.User, groupID, requestID uint64, limit int) error {
	now := s.now()
	a, req, err := s.pendingRequest(ctx, tx, actor, groupID, requestID)
	if err != nil {
		return err
	}
	var st school.Student
	q := tx.Where("id = ?", req.StudentID)
	if db.Dialect(tx) == db.MySQL {
		// Approvals for the same student wait for each other here, so the
		// cap counted below holds when moderators approve at once. (SQLite
		// runs one writing transaction at a time anyway.)
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&st).Error; err != nil {
		return db.Translate(err)
	}
	if st.Status != school.Enrolled || st.ClassID != *a.Group.ClassID {
		return apperr.Invalid("", "该学生已不在本班在读，无法通过")
	}
	// A member removed earlier who asks again is readmitted: the
	// guardianship they have stays, the removal goes.
	var mine int64
	if err := tx.Model(&school.Guardianship{}).Where("student_id = ? AND parent_id = ? AND revoked_at IS NULL", st.ID, req.ParentID).Count(&mine).Error; err != nil {
		return err
	}
	if mine == 0 {
		if err := checkCap(ctx, tx, st.ID, limit); err != nil {
			return err
		}
		g := school.Guardianship{StudentID: st.ID, ParentID: req.ParentID, Relation: req.Relation, ApprovedBy: &actor.ID, ApprovedAt: now}
		if err := tx.Create(&g).Error; err != nil {
			return err
		}
	}
	if err := tx.Where("group_id = ? AND user_id = ?", groupID, req.ParentID).Delete(&Removal{}).Error; err != nil {
		return err
	}
	if err := s.decide(tx, req.ID, actor.ID, Approved, "", now); err != nil {
		return err
	}
	if err := s.Sync(ctx, tx, []uint64{req.ParentID}); err != nil {
		return err
	}
	if err := notify.Add(ctx, tx, now, notify.Notification{UserID: req.ParentID, Kind: "join_approved",
		Title: "您已加入“" + a.Group.Name + "”", Link: groupPath(groupID)}); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "join.approve", Subject: groupSubject(groupID),
		Detail: fmt.Sprintf("request:%d parent:%d student:%d", req.ID, req.ParentID, st.ID), CreatedAt: now})
}

// Reject turns a request down with a reason the parent will see.
func (s *Service) Reject(ctx context.Context, actor *auth.User, groupID, requestID uint64, reason string) error {
	if len([]rune(reason)) < 2 || len([]rune(reason)) > 200 {
		return apperr.Invalid("reason", "请填写拒绝理由（2–200 字）")
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		_, req, err := s.pendingRequest(ctx, tx, actor, groupID, requestID)
		if err != nil {
			return err
		}
		if err := s.decide(tx, req.ID, actor.ID, Rejected, reason, now); err != nil {
			return err
		}
		if err := notify.Add(ctx, tx, now, notify.Notification{UserID: req.ParentID, Kind: "join_rejected",
			Title: "您的入群申请未通过", Body: "理由：" + reason}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "join.reject", Subject: groupSubject(groupID),
			Detail: fmt.Sprintf("request:%d parent:%d reason=%s", req.ID, req.ParentID, reason), CreatedAt: now})
	})
}

// BatchResult counts a bulk approval.
type BatchResult struct {
	Approved int
	// Skipped are requests left pending (a full guardian quota, say), with the reason.
	Skipped []string
}

// ApproveMatched approves every pending request whose phone the roster
// lists for that student, each in its own transaction; the rest stay.
func (s *Service) ApproveMatched(ctx context.Context, actor *auth.User, groupID uint64) (BatchResult, error) {
	_, reqs, err := s.Requests(ctx, actor, groupID)
	if err != nil {
		return BatchResult{}, err
	}
	rules, err := s.settings.Get(ctx)
	if err != nil {
		return BatchResult{}, err
	}
	var res BatchResult
	for _, r := range reqs {
		if !r.RosterMatch {
			continue
		}
		err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
			return s.approve(ctx, tx, actor, groupID, r.ID, rules.GuardiansPerStudent)
		})
		var v *apperr.ValidationError
		switch {
		case err == nil:
			res.Approved++
		case errors.As(err, &v):
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s（%s）：%s", r.ParentName, r.StudentName, v.Error()))
		default:
			return res, err
		}
	}
	return res, nil
}

func (s *Service) pendingRequest(ctx context.Context, tx *gorm.DB, actor *auth.User, groupID, requestID uint64) (Access, JoinRequest, error) {
	a, err := s.access(ctx, tx, actor, groupID)
	if err != nil {
		return a, JoinRequest{}, err
	}
	if !a.CanModerate() {
		return a, JoinRequest{}, ErrNotModerator
	}
	var req JoinRequest
	if err := tx.Where("id = ? AND group_id = ?", requestID, groupID).Take(&req).Error; err != nil {
		return a, req, db.Translate(err)
	}
	if req.Status != Pending {
		return a, req, ErrDecided
	}
	return a, req, nil
}

func (s *Service) decide(tx *gorm.DB, requestID, by uint64, st RequestStatus, reason string, now time.Time) error {
	res := tx.Model(&JoinRequest{}).Where("id = ? AND status = ?", requestID, Pending).
		Updates(map[string]any{"status": st, "decided_by": by, "decided_at": now, "reason": reason})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrDecided
	}
	return s.groupsChanged(tx.Statement.Context, tx, now)
}
