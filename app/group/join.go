package group

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

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
	name, _ := auth.NormalizeName(in.StudentName)
	st, err := school.EnrolledStudent(ctx, s.db, *g.ClassID, in.StudentNo)
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
		mine, err := school.IsGuardian(ctx, tx, st.ID, actor.ID)
		if err != nil {
			return err
		}
		if mine && !removed {
			return apperr.Invalid("", "您已是该学生的监护人，无需再次申请")
		}
		var pending int64
		if err := tx.Model(&JoinRequest{}).Where("student_id = ? AND parent_id = ? AND status = ?", st.ID, actor.ID, Pending).Count(&pending).Error; err != nil {
			return err
		}
		if pending > 0 {
			return apperr.Invalid("", "您已提交过申请，请等待班主任审核")
		}
		if !mine {
			if err := school.CheckGuardianCap(ctx, tx, st.ID, rules.GuardiansPerStudent); err != nil {
				return err
			}
		}
		if req.RosterMatch, err = school.OnRoster(ctx, tx, st.ID, actor.Phone); err != nil {
			return err
		}
		if err := tx.Create(&req).Error; err != nil {
			return err
		}
		if err := s.groupsChanged(ctx, tx, now); err != nil {
			return err
		}
		if err := countsChanged(ctx, tx, now, g.ID, moderatorsOnly); err != nil {
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

// RequestView is a pending join request as the moderator sees it.
type RequestView struct {
	JoinRequest
	ParentName  string
	ParentPhone string // masked unless the viewer may see it (Access.FullPhones)
	PhoneFull   bool
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
	var reqs []JoinRequest
	if err := s.db.WithContext(ctx).Where("group_id = ? AND status = ?", groupID, Pending).Order("created_at, id").Find(&reqs).Error; err != nil {
		return a, nil, err
	}
	out, err := s.requestViews(ctx, reqs)
	for i := range out {
		if out[i].PhoneFull = a.FullPhones(); !out[i].PhoneFull {
			out[i].ParentPhone = MaskPhone(out[i].ParentPhone)
		}
	}
	return a, out, err
}

// requestViews adds the parents' and students' names to requests.
func (s *Service) requestViews(ctx context.Context, reqs []JoinRequest) ([]RequestView, error) {
	parents, students := make([]uint64, len(reqs)), make([]uint64, len(reqs))
	for i, r := range reqs {
		parents[i], students[i] = r.ParentID, r.StudentID
	}
	contacts, err := auth.Contacts(ctx, s.db, parents)
	if err != nil {
		return nil, err
	}
	sts, err := school.Students(ctx, s.db, students)
	if err != nil {
		return nil, err
	}
	out := make([]RequestView, len(reqs))
	for i, r := range reqs {
		c, st := contacts[r.ParentID], sts[r.StudentID]
		out[i] = RequestView{JoinRequest: r, ParentName: c.Name, ParentPhone: c.Phone, StudentNo: st.StudentNo, StudentName: st.Name}
	}
	return out, nil
}

// MyRequests lists the actor's own join requests, newest first.
func (s *Service) MyRequests(ctx context.Context, actor *auth.User) ([]RequestView, error) {
	var reqs []JoinRequest
	if err := s.db.WithContext(ctx).Where("parent_id = ?", actor.ID).Order("id DESC").Limit(20).Find(&reqs).Error; err != nil {
		return nil, err
	}
	return s.requestViews(ctx, reqs)
}

// Approve admits the parent: the guardianship is created and the parent
// joins the class group and the school group.
func (s *Service) Approve(ctx context.Context, actor *auth.User, groupID, requestID uint64) error {
	rules, err := s.settings.Get(ctx)
	if err != nil {
		return err
	}
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := s.approve(ctx, tx, actor, groupID, requestID, rules.GuardiansPerStudent); err != nil {
			return err
		}
		return countsChanged(ctx, tx, s.now(), groupID, everyMember)
	})
}

func (s *Service) approve(ctx context.Context, tx *gorm.DB, actor *auth.User, groupID, requestID uint64, limit int) error {
	now := s.now()
	a, req, err := s.pendingRequest(ctx, tx, actor, groupID, requestID)
	if err != nil {
		return err
	}
	// Approvals for the same student wait for each other here, so the cap
	// counted below holds when moderators approve at once.
	st, err := school.LockStudent(ctx, tx, req.StudentID)
	if err != nil {
		return err
	}
	if st.Status != school.Enrolled || st.ClassID != *a.Group.ClassID {
		return apperr.Invalid("", "该学生已不在本班在读，无法通过")
	}
	// A member removed earlier who asks again is readmitted: the
	// guardianship they have stays, the removal goes.
	mine, err := school.IsGuardian(ctx, tx, st.ID, req.ParentID)
	if err != nil {
		return err
	}
	if !mine {
		if err := school.CheckGuardianCap(ctx, tx, st.ID, limit); err != nil {
			return err
		}
		g := school.Guardianship{StudentID: st.ID, ParentID: req.ParentID, Relation: req.Relation, ApprovedBy: &actor.ID, ApprovedAt: now}
		if err := school.AddGuardian(ctx, tx, g); err != nil {
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
		Detail: fmt.Sprintf("request:%d parent:%d student:%d roster_match=%t", req.ID, req.ParentID, st.ID, req.RosterMatch), CreatedAt: now})
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
		if err := countsChanged(ctx, tx, now, groupID, moderatorsOnly); err != nil {
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
	if res.Approved > 0 {
		// One telling for the batch: each approval's own would reach every
		// member of the class once per parent admitted.
		err = db.InTx(ctx, s.db, func(tx *gorm.DB) error { return countsChanged(ctx, tx, s.now(), groupID, everyMember) })
	}
	return res, err
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
