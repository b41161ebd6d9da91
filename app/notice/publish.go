package notice

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/archive"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/job"
	"jiaxiao/app/notify"
)

// ComposeInput is the compose form.
type ComposeInput struct {
	Title       string
	Body        string
	Category    string
	GroupIDs    []uint64
	RequiresAck bool
	PublishAt   *time.Time // nil: now
	Files       []file.Prepared
}

// MaxTargets is the most groups one notice may go to, checked before any
// of them is looked up.
const MaxTargets = 200

// ErrNotStaff refuses composing to parents.
var ErrNotStaff = apperr.New(apperr.ErrForbidden, "只有教师和学校管理员可以发布通知")

// CanCompose says whether actor may write notices: teachers and admins.
func CanCompose(actor *auth.User) error {
	if actor == nil || !actor.Role.Staff() {
		return ErrNotStaff
	}
	return nil
}

// Compose checks a notice and publishes it now or schedules it. Attachments
// are kept even while object storage is down (they wait in the database
// and are archived later).
func (s *Service) Compose(ctx context.Context, actor *auth.User, in ComposeInput) (Notice, error) {
	if err := CanCompose(actor); err != nil {
		return Notice{}, err
	}
	now := s.now()
	v := &apperr.ValidationError{}
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	if n := utf8.RuneCountInString(in.Title); n < 2 || n > 100 {
		v.Add("title", "请填写标题（2–100 字）")
	}
	if utf8.RuneCountInString(in.Body) > 5000 {
		v.Add("body", "正文太长（最多 5000 字）")
	}
	if !slices.Contains(Categories, in.Category) {
		v.Add("category", "请选择类别")
	}
	if len(in.GroupIDs) == 0 {
		v.Add("group_id", "请至少选择一个发送对象")
	}
	if in.PublishAt != nil && in.PublishAt.Before(now.Add(-time.Minute)) {
		v.Add("publish_at", "定时发布时间不能早于现在")
	}
	if err := v.Err(); err != nil {
		return Notice{}, err
	}
	groupIDs, err := s.checkTargets(ctx, actor, in.GroupIDs)
	if err != nil {
		return Notice{}, err
	}
	in.GroupIDs = groupIDs
	f, err := s.filters.Filter(ctx, 0)
	if err != nil {
		return Notice{}, err
	}
	for _, part := range []*string{&in.Title, &in.Body} {
		masked, res, ok := f.Published(*part)
		if !ok {
			return Notice{}, apperr.Invalid("body", fmt.Sprintf("内容含有“%s”类违规或需审核的信息，不能发布，请修改后再发", res.Category.Label()))
		}
		*part = masked
	}
	// Attachments' names show on the notice like its title: the same filter.
	in.Files = slices.Clone(in.Files)
	for i := range in.Files {
		masked, res, ok := f.Published(in.Files[i].Name)
		if !ok {
			return Notice{}, apperr.Invalid("file", fmt.Sprintf("第 %d 个附件的文件名含有“%s”类违规或需审核的信息，不能发布，请修改文件名后再发", i+1, res.Category.Label()))
		}
		in.Files[i].Name = masked
	}
	fileIDs, err := s.files.SaveAllOrStage(ctx, actor.ID, in.Files)
	if err != nil {
		return Notice{}, err
	}
	n := Notice{AuthorID: actor.ID, Title: in.Title, Body: in.Body, Category: in.Category, RequiresAck: in.RequiresAck,
		Status: Scheduled, PublishAt: now, CreatedAt: now}
	if in.PublishAt != nil && in.PublishAt.After(now) {
		n.PublishAt = in.PublishAt.UTC()
	}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&n).Error; err != nil {
			return err
		}
		for _, gid := range in.GroupIDs {
			if err := tx.Create(&noticeGroup{NoticeID: n.ID, GroupID: gid}).Error; err != nil {
				return err
			}
		}
		for i, fid := range fileIDs {
			if err := tx.Create(&noticeFile{NoticeID: n.ID, FileID: fid, Position: i}).Error; err != nil {
				return err
			}
		}
		if n.PublishAt.After(now) {
			_, err := job.Enqueue(ctx, tx, now, JobPublish, map[string]uint64{"notice_id": n.ID}, job.Options{RunAt: n.PublishAt})
			return err
		}
		return s.publish(ctx, tx, &n, in.GroupIDs, fileIDs)
	})
	if err != nil {
		s.files.Discard(ctx, fileIDs) // stored before the transaction refused
		return Notice{}, fmt.Errorf("notice: compose: %w", err)
	}
	return n, nil
}

// checkTargets sorts and dedupes the groups a notice goes to and checks
// that the actor may post to each.
func (s *Service) checkTargets(ctx context.Context, actor *auth.User, ids []uint64) ([]uint64, error) {
	if len(ids) > MaxTargets {
		return nil, apperr.Invalid("group_id", fmt.Sprintf("一条通知最多发送到 %d 个群", MaxTargets))
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if err := s.groups.MayPostAll(ctx, s.db, actor, ids); err != nil {
		if errors.Is(err, apperr.ErrNotFound) || errors.Is(err, apperr.ErrForbidden) {
			return nil, apperr.Invalid("group_id", "只能发送到您可以发言的群")
		}
		return nil, err
	}
	return ids, nil
}

// Audience is who a notice reaches.
type Audience struct {
	Parents, Staff int
}

// Total is everyone the notice reaches.
func (a Audience) Total() int { return a.Parents + a.Staff }

// Audience counts who a notice from actor to the groups would reach if it
// were published now: the same recipients publishing snapshots (members
// of the groups, once each, without the author), by role. The groups are
// checked as Compose checks them.
func (s *Service) Audience(ctx context.Context, actor *auth.User, groupIDs []uint64) (Audience, error) {
	if err := CanCompose(actor); err != nil {
		return Audience{}, err
	}
	ids, err := s.checkTargets(ctx, actor, groupIDs)
	if err != nil || len(ids) == 0 {
		return Audience{}, err
	}
	return audienceOf(ctx, s.db, recipientsOf(s.db, ids, actor.ID))
}

// recipientsOf is the subquery (one column, user_id) of those a notice by
// author to the groups reaches: what publishing writes a receipt for.
func recipientsOf(q *gorm.DB, groupIDs []uint64, author uint64) *gorm.DB {
	return group.Reachable(q, groupIDs, author)
}

// audienceOf counts the users of the subquery users (one column,
// user_id) by role.
func audienceOf(ctx context.Context, q *gorm.DB, users *gorm.DB) (Audience, error) {
	byRole, err := auth.CountByRole(ctx, q, users)
	if err != nil {
		return Audience{}, fmt.Errorf("notice: audience: %w", err)
	}
	var a Audience
	for role, n := range byRole {
		if role.Staff() {
			a.Staff += n
		} else {
			a.Parents += n
		}
	}
	return a, nil
}

// publish snapshots the recipients, tells them, and queues the archive
// bundle and the automatic DING — all inside tx.
func (s *Service) publish(ctx context.Context, tx *gorm.DB, n *Notice, groupIDs, fileIDs []uint64) error {
	now := s.now()
	err := tx.Exec(`INSERT INTO receipts (notice_id, user_id) SELECT ?, r.user_id FROM (?) AS r`,
		n.ID, recipientsOf(tx, groupIDs, n.AuthorID)).Error
	if err != nil {
		return err
	}
	audience, err := audienceOf(ctx, tx, db.Fresh(tx).Model(&Receipt{}).Select("user_id").Where("notice_id = ?", n.ID))
	if err != nil {
		return err
	}
	count := audience.Total()
	n.Audience = audience
	rules, err := s.settings.GetIn(ctx, tx)
	if err != nil {
		return err
	}
	cal, err := s.settings.CalendarIn(ctx, tx)
	if err != nil {
		return err
	}
	due := ScheduleFrom(rules, s.loc).AutoDing(now, cal)
	n.Status, n.PublishedAt, n.Recipients, n.AutoDingAt = Published, &now, count, &due
	if err := tx.Model(&Notice{}).Where("id = ?", n.ID).Updates(map[string]any{
		"status": Published, "published_at": now, "recipients": count, "auto_ding_at": due}).Error; err != nil {
		return err
	}
	recipients := db.Fresh(tx).Model(&Receipt{}).Select("user_id").Where("notice_id = ?", n.ID)
	if err := notify.AddEach(ctx, tx, now, recipients, notify.Notification{Kind: "notice",
		Title: "新" + n.Category + "：" + n.Title, Link: Link(n.ID)}); err != nil {
		return err
	}
	id := n.ID
	if _, err := archive.Record(ctx, tx, now, archive.Entry{Kind: archive.KindNotice, NoticeID: &id, Title: n.Title, Body: n.Body,
		Category: n.Category, CreatedBy: n.AuthorID}, groupIDs, fileIDs); err != nil {
		return err
	}
	_, err = job.Enqueue(ctx, tx, now, JobDing, map[string]uint64{"notice_id": n.ID}, job.Options{RunAt: due})
	return err
}

// PublishDue is the job handler of a scheduled notice.
func (s *Service) PublishDue(ctx context.Context, j job.Job) error {
	var p struct {
		NoticeID uint64 `json:"notice_id"`
	}
	if err := j.Decode(&p); err != nil {
		return job.Permanent(err)
	}
	return s.inNoticeTx(ctx, p.NoticeID, func(tx *gorm.DB, n Notice) error {
		if n.Status != Scheduled {
			return nil
		}
		var groups, files []uint64
		if err := tx.Model(&noticeGroup{}).Where("notice_id = ?", n.ID).Pluck("group_id", &groups).Error; err != nil {
			return err
		}
		if err := tx.Model(&noticeFile{}).Where("notice_id = ?", n.ID).Order("position").Pluck("file_id", &files).Error; err != nil {
			return err
		}
		return s.publish(ctx, tx, &n, groups, files)
	})
}
