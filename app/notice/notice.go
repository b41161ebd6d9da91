// Package notice is how teachers and the office reach families: a notice
// goes to one or more groups; publishing snapshots the recipients (the
// members of the target groups at that moment, once each) into one receipt
// each, in one transaction, and tells each of them live. Opening a notice
// marks it read and 收到 acknowledges it. The author, moderators of a target
// group and admins see who has not read it and can DING them; unread
// recipients are DINGed automatically once (see Schedule). Every published
// notice is archived.
package notice

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/archive"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/file"
	"jiaxiao/app/filter"
	"jiaxiao/app/group"
	"jiaxiao/app/job"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/app/setting"
)

// Categories a notice may have (DESIGN §3).
var Categories = []string{"通知", "公告", "安全提醒", "活动", "文件"}

// Statuses.
const (
	Scheduled = "scheduled"
	Published = "published"
)

// Job kinds.
const (
	JobPublish = "notice.publish"
	JobDing    = "notice.ding"
	JobRemind  = "notice.remind"
)

// Notice is one notice.
type Notice struct {
	ID          uint64
	AuthorID    uint64
	Title       string
	Body        string
	Category    string
	RequiresAck bool
	Status      string
	PublishAt   time.Time
	PublishedAt *time.Time
	Recipients  int
	AutoDingAt  *time.Time
	LastDingAt  *time.Time
	ArchivedAt  *time.Time
	CreatedAt   time.Time
}

// Receipt is one recipient's state of a notice.
type Receipt struct {
	NoticeID uint64 `gorm:"primaryKey;autoIncrement:false"`
	UserID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	ReadAt   *time.Time
	AckedAt  *time.Time
	DingedAt *time.Time
}

type noticeGroup struct {
	NoticeID uint64 `gorm:"primaryKey;autoIncrement:false"`
	GroupID  uint64 `gorm:"primaryKey;autoIncrement:false"`
}

func (noticeGroup) TableName() string { return "notice_groups" }

type noticeFile struct {
	NoticeID uint64 `gorm:"primaryKey;autoIncrement:false"`
	FileID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Position int
}

func (noticeFile) TableName() string { return "notice_files" }

// Filters gives the compiled banned-content filter (group 0: school-wide).
type Filters interface {
	Filter(ctx context.Context, groupID uint64) (*filter.Filter, error)
}

// Service is the notices' API.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	loc      *time.Location
	groups   *group.Service
	filters  Filters
	files    *file.Service
	settings *setting.Service
	log      *slog.Logger
}

// Options configure NewService.
type Options struct {
	DB       *gorm.DB
	Now      func() time.Time
	Location *time.Location
	Groups   *group.Service
	Filters  Filters
	Files    *file.Service
	Settings *setting.Service
	Log      *slog.Logger
}

// NewService returns the notice service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, loc: o.Location, groups: o.Groups, filters: o.Filters,
		files: o.Files, settings: o.Settings, log: o.Log}
}

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

// ErrNotStaff refuses composing to parents.
var ErrNotStaff = apperr.New(apperr.ErrForbidden, "只有教师和学校管理员可以发布通知")

// Compose checks a notice and publishes it now or schedules it. Attachments
// are kept even while object storage is down (they wait in the database
// and are archived later).
func (s *Service) Compose(ctx context.Context, actor *auth.User, in ComposeInput) (Notice, error) {
	if actor == nil || !actor.Role.Staff() {
		return Notice{}, ErrNotStaff
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
	slices.Sort(in.GroupIDs)
	in.GroupIDs = slices.Compact(in.GroupIDs)
	for _, gid := range in.GroupIDs {
		if _, err := s.groups.MayPost(ctx, s.db, actor, gid); err != nil {
			if errors.Is(err, apperr.ErrNotFound) || errors.Is(err, apperr.ErrForbidden) {
				return Notice{}, apperr.Invalid("group_id", "只能发送到您可以发言的群")
			}
			return Notice{}, err
		}
	}
	f, err := s.filters.Filter(ctx, 0)
	if err != nil {
		return Notice{}, err
	}
	for _, part := range []*string{&in.Title, &in.Body} {
		res := f.Check(*part).Without(filter.SourceURL).Without(filter.SourceMobile)
		if res.Action == filter.Block || res.Action == filter.Review {
			return Notice{}, apperr.Invalid("body", fmt.Sprintf("内容含有“%s”类违规或需审核的信息，不能发布，请修改后再发", res.Category.Label()))
		}
		*part = filter.MaskString(*part, res.Matches)
	}
	// Attachments' names show on the notice like its title: the same filter.
	in.Files = slices.Clone(in.Files)
	for i := range in.Files {
		res := f.Check(in.Files[i].Name).Without(filter.SourceURL).Without(filter.SourceMobile)
		if res.Action == filter.Block || res.Action == filter.Review {
			return Notice{}, apperr.Invalid("file", fmt.Sprintf("第 %d 个附件的文件名含有“%s”类违规或需审核的信息，不能发布，请修改文件名后再发", i+1, res.Category.Label()))
		}
		in.Files[i].Name = filter.MaskString(in.Files[i].Name, res.Matches)
	}
	var fileIDs []uint64
	for _, p := range in.Files {
		stored, err := s.files.SaveOrStage(ctx, actor.ID, p)
		if err != nil {
			return Notice{}, err
		}
		fileIDs = append(fileIDs, stored.ID)
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
		return Notice{}, fmt.Errorf("notice: compose: %w", err)
	}
	return n, nil
}

// publish snapshots the recipients, tells them, and queues the archive
// bundle and the automatic DING — all inside tx.
func (s *Service) publish(ctx context.Context, tx *gorm.DB, n *Notice, groupIDs, fileIDs []uint64) error {
	now := s.now()
	err := tx.Exec(`INSERT INTO receipts (notice_id, user_id) SELECT ?, r.user_id FROM (?) AS r`,
		n.ID, group.Reachable(tx, groupIDs, n.AuthorID)).Error
	if err != nil {
		return err
	}
	var count int64
	if err := tx.Model(&Receipt{}).Where("notice_id = ?", n.ID).Count(&count).Error; err != nil {
		return err
	}
	rules, err := s.settings.GetIn(ctx, tx)
	if err != nil {
		return err
	}
	cal, err := s.settings.CalendarIn(ctx, tx)
	if err != nil {
		return err
	}
	due := ScheduleFrom(rules, s.loc).AutoDing(now, cal)
	n.Status, n.PublishedAt, n.Recipients, n.AutoDingAt = Published, &now, int(count), &due
	if err := tx.Model(&Notice{}).Where("id = ?", n.ID).Updates(map[string]any{
		"status": Published, "published_at": now, "recipients": count, "auto_ding_at": due}).Error; err != nil {
		return err
	}
	recipients := tx.Session(&gorm.Session{NewDB: true}).Model(&Receipt{}).Select("user_id").Where("notice_id = ?", n.ID)
	if err := notify.AddEach(ctx, tx, now, recipients, notify.Notification{Kind: "notice",
		Title: "新" + n.Category + "：" + n.Title, Link: fmt.Sprintf("/notices/%d", n.ID)}); err != nil {
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
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var n Notice
		if err := tx.Where("id = ?", p.NoticeID).Take(&n).Error; err != nil {
			return job.Permanent(err)
		}
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

// View is a notice as its page shows it.
type View struct {
	Notice
	AuthorName string
	Groups     []group.Group
	Files      []file.File
	Receipt    *Receipt // the viewer's, if a recipient
	CanManage  bool     // author, target-group moderator or admin
	CanDing    bool     // author or admin
	Archived   bool
}

// access loads a notice the actor may see: recipients, the author, admins,
// and moderators of a target group.
func (s *Service) access(ctx context.Context, tx *gorm.DB, actor *auth.User, id uint64) (View, error) {
	var v View
	if err := tx.WithContext(ctx).Where("id = ?", id).Take(&v.Notice).Error; err != nil {
		return v, db.Translate(err)
	}
	var r Receipt
	err := tx.WithContext(ctx).Where("notice_id = ? AND user_id = ?", id, actor.ID).Take(&r).Error
	switch {
	case err == nil:
		v.Receipt = &r
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return v, err
	}
	author := v.AuthorID == actor.ID
	admin := actor.Role == auth.RoleAdmin
	var mods int64
	if err := tx.WithContext(ctx).Model(&noticeGroup{}).Where("notice_id = ? AND group_id IN (?)", id, group.Moderated(tx, actor.ID)).
		Count(&mods).Error; err != nil {
		return v, err
	}
	v.CanManage = author || admin || mods > 0
	v.CanDing = author || admin
	if v.Receipt == nil && !v.CanManage {
		return v, apperr.ErrNotFound
	}
	if v.Status != Published && !author && !admin {
		return v, apperr.ErrNotFound
	}
	return v, nil
}

// Open shows a notice; for a recipient it also marks it read.
func (s *Service) Open(ctx context.Context, actor *auth.User, id uint64) (View, error) {
	v, err := s.access(ctx, s.db, actor, id)
	if err != nil {
		return v, err
	}
	if v.Receipt != nil && v.Receipt.ReadAt == nil {
		now := s.now()
		if err := s.db.WithContext(ctx).Model(&Receipt{}).Where("notice_id = ? AND user_id = ? AND read_at IS NULL", id, actor.ID).
			Update("read_at", now).Error; err != nil {
			return v, err
		}
		v.Receipt.ReadAt = &now
	}
	names, err := auth.Names(ctx, s.db, []uint64{v.AuthorID})
	if err != nil {
		return v, err
	}
	v.AuthorName = names[v.AuthorID]
	if v.Groups, err = group.ByIDs(ctx, s.db, s.db.Model(&noticeGroup{}).Select("group_id").Where("notice_id = ?", id)); err != nil {
		return v, err
	}
	var fileIDs []uint64
	if err := s.db.WithContext(ctx).Model(&noticeFile{}).Where("notice_id = ?", id).Order("position").Pluck("file_id", &fileIDs).Error; err != nil {
		return v, err
	}
	if v.Files, err = file.ByIDs(ctx, s.db, fileIDs); err != nil {
		return v, err
	}
	if v.Archived, err = archive.NoticeArchived(ctx, s.db, id); err != nil {
		return v, err
	}
	return v, nil
}

// Ack records 收到; it is idempotent and also marks the notice read.
func (s *Service) Ack(ctx context.Context, actor *auth.User, id uint64) error {
	v, err := s.access(ctx, s.db, actor, id)
	if err != nil {
		return err
	}
	if v.Receipt == nil {
		return apperr.New(apperr.ErrForbidden, "只有通知的接收人可以确认收到")
	}
	now := s.now()
	q := s.db.WithContext(ctx).Model(&Receipt{}).Where("notice_id = ? AND user_id = ?", id, actor.ID)
	if err := q.Where("read_at IS NULL").Update("read_at", now).Error; err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&Receipt{}).Where("notice_id = ? AND user_id = ? AND acked_at IS NULL", id, actor.ID).Update("acked_at", now).Error
}

// Line is one recipient on the receipts page.
type Line struct {
	UserID   uint64
	Name     string
	Phone    string
	Role     auth.Role
	Students string // a parent's children and classes
	ReadAt   *time.Time
	AckedAt  *time.Time
}

// Progress counts a notice's receipts.
type Progress struct {
	Total, Read, Acked int
}

// ReceiptsPage picks a slice of the receipts, unread first: Limit lines
// after Offset, or every line when Limit is 0 (the CSV).
type ReceiptsPage struct {
	Offset, Limit int
}

// Receipts returns the notice, its progress counted over every receipt,
// and the lines of one page, unread first, each parent with their
// children and classes. The author, moderators of a target group and
// admins may see them. A page costs the same whatever the notice's size.
func (s *Service) Receipts(ctx context.Context, actor *auth.User, id uint64, pg ReceiptsPage) (View, Progress, []Line, error) {
	v, err := s.access(ctx, s.db, actor, id)
	if err != nil {
		return v, Progress{}, nil, err
	}
	if !v.CanManage {
		return v, Progress{}, nil, apperr.New(apperr.ErrForbidden, "只有发布人、群管理员和学校管理员可以查看阅读情况")
	}
	p, err := s.progress(ctx, id)
	if err != nil {
		return v, p, nil, err
	}
	var rows []struct {
		UserID                    uint64
		ReadAt, AckedAt           *time.Time
		ContactName, ContactPhone string
		ContactRole               auth.Role
	}
	q := auth.JoinContact(s.db.WithContext(ctx).Model(&Receipt{}), "receipts.user_id").
		Select("receipts.user_id, receipts.read_at, receipts.acked_at, "+auth.ContactColumns).Where("receipts.notice_id = ?", id).
		Order("CASE WHEN receipts.read_at IS NULL THEN 0 ELSE 1 END, contact_role, contact_name, receipts.user_id")
	if pg.Limit > 0 {
		q = q.Offset(max(pg.Offset, 0)).Limit(pg.Limit)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return v, p, nil, fmt.Errorf("notice: receipts: %w", err)
	}
	lines := make([]Line, len(rows))
	var parents any = s.db.Model(&Receipt{}).Select("user_id").Where("notice_id = ?", id)
	if pg.Limit > 0 {
		ids := make([]uint64, len(rows))
		for i, r := range rows {
			ids[i] = r.UserID
		}
		parents = ids
	}
	for i, r := range rows {
		lines[i] = Line{UserID: r.UserID, Name: r.ContactName, Phone: r.ContactPhone, Role: r.ContactRole, ReadAt: r.ReadAt, AckedAt: r.AckedAt}
	}
	kids, err := school.ChildrenOf(ctx, s.db, school.ChildFilter{Parents: parents})
	if err != nil {
		return v, p, nil, fmt.Errorf("notice: receipts: %w", err)
	}
	byParent := map[uint64][]string{}
	for _, k := range kids {
		byParent[k.ParentID] = append(byParent[k.ParentID], k.Name+"（"+k.Class()+"）")
	}
	// The page and the CSV follow the same masking as every other list.
	phones, err := s.groups.PhonesFor(ctx, actor)
	if err != nil {
		return v, p, nil, err
	}
	for i := range lines {
		lines[i].Students = strings.Join(byParent[lines[i].UserID], "、")
		lines[i].Phone = phones.Show(lines[i].UserID, lines[i].Phone)
	}
	return v, p, lines, nil
}

// CSVHeader is the receipts export's header (CONTRACT §3).
var CSVHeader = []string{"姓名", "手机", "身份", "学生", "已读时间", "确认时间"}

// WriteCSV writes receipts (from Receipts) as CSV (UTF-8 with a BOM so
// Excel shows the Chinese), times in the school's zone, empty if not yet.
func (s *Service) WriteCSV(w io.Writer, lines []Line) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(s.loc).Format("2006-01-02 15:04:05")
	}
	for _, l := range lines {
		if err := cw.Write([]string{l.Name, l.Phone, l.Role.Label(), l.Students, at(l.ReadAt), at(l.AckedAt)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Progress counts a notice's receipts for those who may see them, without
// loading the recipients.
func (s *Service) Progress(ctx context.Context, actor *auth.User, id uint64) (Progress, error) {
	v, err := s.access(ctx, s.db, actor, id)
	if err != nil {
		return Progress{}, err
	}
	if !v.CanManage {
		return Progress{}, apperr.New(apperr.ErrForbidden, "只有发布人、群管理员和学校管理员可以查看阅读情况")
	}
	return s.progress(ctx, id)
}

// progress counts a notice's receipts in one query.
func (s *Service) progress(ctx context.Context, id uint64) (Progress, error) {
	var p struct{ Total, Read, Acked int }
	err := s.db.WithContext(ctx).Model(&Receipt{}).
		Select("COUNT(*) AS total, COUNT(read_at) AS `read`, COUNT(acked_at) AS acked").Where("notice_id = ?", id).Scan(&p).Error
	if err != nil {
		return Progress{}, fmt.Errorf("notice: progress: %w", err)
	}
	return Progress{Total: p.Total, Read: p.Read, Acked: p.Acked}, nil
}

// ErrDingTooSoon answers a DING within ManualFloor of the last.
type ErrDingTooSoon struct{ Wait time.Duration }

func (e *ErrDingTooSoon) Error() string {
	return fmt.Sprintf("每 5 分钟最多 DING 一次，请 %d 秒后再试", int(e.Wait.Seconds())+1)
}

// Unwrap makes it a rate limit (429).
func (e *ErrDingTooSoon) Unwrap() error { return apperr.ErrTooMany }

// Ding reminds every unread recipient now (parents in quiet hours in the
// morning); the author and admins may, once every five minutes. It returns
// how many were reminded.
func (s *Service) Ding(ctx context.Context, actor *auth.User, id uint64) (int, error) {
	now := s.now()
	var count int
	err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		v, err := s.access(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if !v.CanDing {
			return apperr.New(apperr.ErrForbidden, "只有发布人和学校管理员可以 DING")
		}
		if v.Status != Published {
			return apperr.Invalid("", "通知尚未发布")
		}
		if ok, wait := ManualAllowed(v.LastDingAt, now); !ok {
			return &ErrDingTooSoon{Wait: wait}
		}
		if err := tx.Model(&Notice{}).Where("id = ?", id).Update("last_ding_at", now).Error; err != nil {
			return err
		}
		count, err = s.remindUnread(ctx, tx, v.Notice, now, false)
		return err
	})
	return count, err
}

// AutoDing is the job handler of the automatic reminder: once, to each
// recipient still unread and not reminded automatically before.
func (s *Service) AutoDing(ctx context.Context, j job.Job) error {
	var p struct {
		NoticeID uint64 `json:"notice_id"`
	}
	if err := j.Decode(&p); err != nil {
		return job.Permanent(err)
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var n Notice
		if err := tx.Where("id = ?", p.NoticeID).Take(&n).Error; err != nil {
			return job.Permanent(err)
		}
		_, err := s.remindUnread(ctx, tx, n, now, true)
		return err
	})
}

// remindUnread DINGs the unread recipients: at once, or for parents in
// quiet hours by a job at the end of them. auto limits it to recipients not
// reminded automatically before.
func (s *Service) remindUnread(ctx context.Context, tx *gorm.DB, n Notice, now time.Time, auto bool) (int, error) {
	rules, err := s.settings.GetIn(ctx, tx)
	if err != nil {
		return 0, err
	}
	sched := ScheduleFrom(rules, s.loc)
	var rows []struct {
		UserID       uint64
		ContactPhone string
		ContactRole  auth.Role
	}
	q := auth.JoinContact(tx.Model(&Receipt{}), "receipts.user_id").Select("receipts.user_id, "+auth.ContactColumns).
		Where("receipts.notice_id = ? AND receipts.read_at IS NULL", n.ID)
	if auto {
		q = q.Where("receipts.dinged_at IS NULL")
	}
	if err := q.Scan(&rows).Error; err != nil {
		return 0, err
	}
	var later []uint64
	for _, r := range rows {
		at := sched.Deliver(now, r.ContactRole == auth.RoleParent)
		if at.After(now) {
			later = append(later, r.UserID)
			continue
		}
		if err := s.deliver(ctx, tx, n, r.UserID, r.ContactPhone, now); err != nil {
			return 0, err
		}
	}
	if len(later) > 0 {
		at := sched.Deliver(now, true)
		if _, err := job.Enqueue(ctx, tx, now, JobRemind, map[string]any{"notice_id": n.ID, "users": later}, job.Options{RunAt: at}); err != nil {
			return 0, err
		}
	}
	if len(rows) > 0 {
		ids := make([]uint64, len(rows))
		for i, r := range rows {
			ids[i] = r.UserID
		}
		if err := tx.Model(&Receipt{}).Where("notice_id = ? AND user_id IN ?", n.ID, ids).Update("dinged_at", now).Error; err != nil {
			return 0, err
		}
	}
	return len(rows), nil
}

// deliver is one reminder: into the notification centre (live badge) and
// into the outbox, sent once tx commits.
func (s *Service) deliver(ctx context.Context, tx *gorm.DB, n Notice, userID uint64, phone string, now time.Time) error {
	title := "DING：请查看" + n.Category + "“" + n.Title + "”"
	if err := notify.Add(ctx, tx, now, notify.Notification{UserID: userID, Kind: "ding", Title: title, Link: fmt.Sprintf("/notices/%d", n.ID)}); err != nil {
		return err
	}
	return notify.Queue(ctx, tx, now, notify.Message{Phone: phone, Kind: "ding", Text: "【家校】" + title})
}

// RemindLater is the job handler that delivers reminders held back by
// quiet hours, to those still unread.
func (s *Service) RemindLater(ctx context.Context, j job.Job) error {
	var p struct {
		NoticeID uint64   `json:"notice_id"`
		Users    []uint64 `json:"users"`
	}
	if err := j.Decode(&p); err != nil {
		return job.Permanent(err)
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var n Notice
		if err := tx.Where("id = ?", p.NoticeID).Take(&n).Error; err != nil {
			return job.Permanent(err)
		}
		var rows []struct {
			UserID       uint64
			ContactPhone string
		}
		if err := auth.JoinContact(tx.Model(&Receipt{}), "receipts.user_id").Select("receipts.user_id, "+auth.ContactColumns).
			Where("receipts.notice_id = ? AND receipts.read_at IS NULL AND receipts.user_id IN ?", n.ID, p.Users).Scan(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if err := s.deliver(ctx, tx, n, r.UserID, r.ContactPhone, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Summary is a notice in a list.
type Summary struct {
	Notice
	ReadAt  *time.Time
	AckedAt *time.Time
	Mine    bool
}

// List returns the notices the actor received (unread first) and those
// they wrote, newest first, without their bodies.
//
// Each part is one indexed read of the actor's own rows (receipts by
// user, notices by author), so the cost follows what the actor received,
// not how many notices the school has sent; they are merged here rather
// than by a UNION, which costs MySQL a temporary table on every page.
// Only staff write notices, so parents need the first read alone.
func (s *Service) List(ctx context.Context, actor *auth.User, limit int) ([]Summary, error) {
	if actor == nil {
		return nil, apperr.ErrUnauthenticated
	}
	var received []Summary
	err := s.db.WithContext(ctx).Table("receipts").
		Select(listColumns+", receipts.read_at, receipts.acked_at, CASE WHEN notices.author_id = ? THEN 1 ELSE 0 END AS mine", actor.ID).
		Joins("JOIN notices ON notices.id = receipts.notice_id").Where("receipts.user_id = ?", actor.ID).
		Order("CASE WHEN receipts.read_at IS NULL THEN 0 ELSE 1 END, notices.publish_at DESC, notices.id DESC").
		Limit(limit).Scan(&received).Error
	if err != nil {
		return nil, fmt.Errorf("notice: list: %w", err)
	}
	if !actor.Role.Staff() {
		return received, nil
	}
	var wrote []Notice
	if err := s.db.WithContext(ctx).Select(listColumns).Where("author_id = ?", actor.ID).Order("publish_at DESC, id DESC").Limit(limit).Find(&wrote).Error; err != nil {
		return nil, fmt.Errorf("notice: list: %w", err)
	}
	return mergeList(received, wrote, limit), nil
}

// listColumns are the columns a list shows: all but the body, which
// would make the database sort with a text column in every row.
const listColumns = "notices.id, notices.author_id, notices.title, notices.category, notices.requires_ack, notices.status, " +
	"notices.publish_at, notices.published_at, notices.recipients, notices.auto_ding_at, notices.last_ding_at, notices.archived_at, notices.created_at"

// mergeList puts the unread received notices first, then the read ones
// and those the actor wrote, newest first, each notice once.
func mergeList(received []Summary, wrote []Notice, limit int) []Summary {
	seen := make(map[uint64]bool, len(received))
	var out, rest []Summary
	for _, r := range received {
		seen[r.ID] = true
		if r.ReadAt == nil {
			out = append(out, r)
		} else {
			rest = append(rest, r)
		}
	}
	for _, n := range wrote {
		if !seen[n.ID] {
			rest = append(rest, Summary{Notice: n, Mine: true})
		}
	}
	sort.SliceStable(rest, func(i, j int) bool {
		a, b := rest[i], rest[j]
		if !a.PublishAt.Equal(b.PublishAt) {
			return a.PublishAt.After(b.PublishAt)
		}
		return a.ID > b.ID
	})
	out = append(out, rest...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// Unread counts the actor's unread notices.
func (s *Service) Unread(ctx context.Context, actor *auth.User) (int, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Receipt{}).Joins("JOIN notices ON notices.id = receipts.notice_id").
		Where("receipts.user_id = ? AND receipts.read_at IS NULL AND notices.status = ?", actor.ID, Published).Count(&n).Error
	return int(n), err
}

// Targets lists the groups the actor may send notices to.
func (s *Service) Targets(ctx context.Context, actor *auth.User) ([]group.Group, error) {
	mine, err := s.groups.Mine(ctx, actor)
	if err != nil {
		return nil, err
	}
	var out []group.Group
	for _, g := range mine {
		if _, err := s.groups.MayPost(ctx, s.db, actor, g.ID); err == nil {
			out = append(out, g.Group)
		}
	}
	return out, nil
}

// FileAccess reports whether the actor may download a file of a notice
// they may see.
func (s *Service) FileAccess(ctx context.Context, actor *auth.User, fileID uint64) (bool, error) {
	var ids []uint64
	if err := s.db.WithContext(ctx).Model(&noticeFile{}).Where("file_id = ?", fileID).Pluck("notice_id", &ids).Error; err != nil {
		return false, err
	}
	for _, id := range ids {
		if _, err := s.access(ctx, s.db, actor, id); err == nil {
			return true, nil
		} else if !errors.Is(err, apperr.ErrNotFound) {
			return false, err
		}
	}
	return false, nil
}
