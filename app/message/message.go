// Package message is the group feed: members post text and files, newest
// last, live to the other members' open pages. Every post passes the
// banned-content filter before anything is stored: block refuses it with
// the category named, review holds it for moderators (visible only to the
// author and them), mask stores it with the match replaced by ＊. The same
// text three times in a row by one author is held; posting is rate-limited
// per user. Only moderators delete other people's messages, and they give
// a reason that goes into the moderation log; an author takes back (撤回)
// their own message only within RecallWindow of sending it.
package message

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/event"
	"jiaxiao/app/file"
	"jiaxiao/app/filter"
	"jiaxiao/app/group"
	"jiaxiao/app/memo"
	"jiaxiao/app/modlog"
	"jiaxiao/app/notify"
)

// Status is where a message stands.
type Status string

// Statuses.
const (
	Visible  Status = "visible"
	Held     Status = "held"
	Deleted  Status = "deleted"
	Rejected Status = "rejected"
)

// Message is one post of a group feed.
type Message struct {
	ID            uint64
	GroupID       uint64
	AuthorID      uint64
	Body          string
	FileID        *uint64
	Status        Status
	MentionAll    bool
	HeldReason    string
	CreatedAt     time.Time
	DecidedBy     *uint64
	DecidedAt     *time.Time
	DeletedReason string
}

// Limits.
const (
	MaxBody       = 2000
	RatePerMinute = 10
	FloodRepeats  = 3
	MentionAll    = "@所有人"
	// RecallWindow is how long after sending an author may take a message
	// back; after that only a moderator removes it, with a reason.
	RecallWindow = 2 * time.Minute
)

// Errors.
var (
	ErrTooFast = apperr.New(apperr.ErrTooMany, "发言太频繁，请稍后再发")
	ErrEmpty   = apperr.Invalid("body", "请输入消息内容或选择文件")
	// ErrRecallTooLate refuses an author's late take-back.
	ErrRecallTooLate = apperr.New(apperr.ErrForbidden, "消息发出已超过 2 分钟，不能撤回")
)

// RecalledReason is the deletion reason of a message its author took back.
const RecalledReason = "本人撤回"

// Filters gives the compiled banned-content filter of a group.
type Filters interface {
	Filter(ctx context.Context, groupID uint64) (*filter.Filter, error)
}

// Service is the feed's API.
type Service struct {
	db      *gorm.DB
	now     func() time.Time
	groups  *group.Service
	filters Filters
	files   *file.Service
	log     *slog.Logger
	newest  *memo.Keyed[uint64, *newestPage]
}

// Options configure NewService.
type Options struct {
	DB      *gorm.DB
	Now     func() time.Time
	Groups  *group.Service
	Filters Filters
	Files   *file.Service
	Log     *slog.Logger
}

// NewService returns the feed service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, groups: o.Groups, filters: o.Filters, files: o.Files, log: o.Log,
		newest: memo.NewKeyed[uint64, *newestPage](newestMaxAge, newestMax)}
}

// PostInput is the compose form.
type PostInput struct {
	Body string
	File *file.Prepared
}

// BlockedError is a post the filter refused; Category names why, FileName
// whether it was the attached file's name rather than the text.
type BlockedError struct {
	Category filter.Category
	FileName bool
}

func (e *BlockedError) Error() string {
	if e.FileName {
		return fmt.Sprintf("文件名含有“%s”类违规信息，不能发布，请修改文件名后再发", e.Category.Label())
	}
	return fmt.Sprintf("内容含有“%s”类违规信息，不能发布，请修改后再发", e.Category.Label())
}

// Unwrap makes a refusal a validation failure (422, the text kept).
func (e *BlockedError) Unwrap() error {
	if e.FileName {
		return apperr.Invalid("file", e.Error())
	}
	return apperr.Invalid("body", e.Error())
}

// Post checks and stores a message.
func (s *Service) Post(ctx context.Context, actor *auth.User, groupID uint64, in PostInput) (Message, error) {
	defer s.newest.Drop(groupID) // after the change commits: see newest
	body := strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	if body == "" && in.File == nil {
		return Message{}, ErrEmpty
	}
	if utf8.RuneCountInString(body) > MaxBody {
		return Message{}, apperr.Invalid("body", fmt.Sprintf("消息太长（最多 %d 字）", MaxBody))
	}
	now := s.now()
	var recent int64
	if err := s.db.WithContext(ctx).Model(&Message{}).Where("author_id = ? AND created_at > ?", actor.ID, now.Add(-time.Minute)).Count(&recent).Error; err != nil {
		return Message{}, err
	}
	if recent >= RatePerMinute {
		return Message{}, ErrTooFast
	}
	a, err := s.groups.MayPost(ctx, s.db, actor, groupID)
	if err != nil {
		return Message{}, err
	}
	m := Message{GroupID: groupID, AuthorID: actor.ID, Body: body, Status: Visible, CreatedAt: now, MentionAll: strings.Contains(body, MentionAll)}
	if m.MentionAll && !a.CanModerate() {
		return Message{}, apperr.Invalid("body", "只有群主和群管理员可以"+MentionAll)
	}
	if body != "" || in.File != nil {
		f, err := s.filters.Filter(ctx, groupID)
		if err != nil {
			return Message{}, err
		}
		check := func(text string) filter.Result {
			res := f.Check(text)
			if actor.Role.Staff() {
				// Teachers share links and their own phone numbers with parents.
				res = res.Without(filter.SourceURL).Without(filter.SourceMobile)
			}
			return res
		}
		if body != "" {
			res := check(body)
			switch res.Action {
			case filter.Block:
				return Message{}, &BlockedError{Category: res.Category}
			case filter.Review:
				m.Status, m.HeldReason = Held, "疑似"+res.Category.Label()
			}
			m.Body = filter.MaskString(body, res.Matches)
		}
		if in.File != nil {
			// The file's name shows in the feed like the text, so it passes the same filter.
			res := check(in.File.Name)
			switch res.Action {
			case filter.Block:
				return Message{}, &BlockedError{Category: res.Category, FileName: true}
			case filter.Review:
				if m.Status != Held {
					m.Status, m.HeldReason = Held, "文件名疑似"+res.Category.Label()
				}
			}
			if name := filter.MaskString(in.File.Name, res.Matches); name != in.File.Name {
				p := *in.File
				p.Name = name
				in.File = &p
			}
		}
	}
	if m.Status == Visible && body != "" {
		var last []string
		if err := s.db.WithContext(ctx).Model(&Message{}).Where("group_id = ? AND author_id = ?", groupID, actor.ID).
			Order("id DESC").Limit(FloodRepeats-1).Pluck("body", &last).Error; err != nil {
			return Message{}, err
		}
		if len(last) == FloodRepeats-1 && last[0] == m.Body && last[1] == m.Body {
			m.Status, m.HeldReason = Held, "重复发送"
		}
	}
	if in.File != nil {
		f, err := s.files.Save(ctx, actor.ID, *in.File)
		if err != nil {
			return Message{}, err
		}
		m.FileID = &f.ID
	}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		if m.Status == Visible {
			return event.Publish(ctx, tx, now, event.Event{GroupID: groupID, Kind: event.Message, RefID: m.ID})
		}
		return s.tellModerators(ctx, tx, m, now)
	})
	if err != nil {
		return Message{}, fmt.Errorf("message: post: %w", err)
	}
	return m, nil
}

// tellModerators shows a held message to its author and the group's moderators.
func (s *Service) tellModerators(ctx context.Context, tx *gorm.DB, m Message, now time.Time) error {
	ids, err := s.groups.ModeratorIDs(ctx, tx, m.GroupID)
	if err != nil {
		return err
	}
	seen := map[uint64]bool{}
	for _, id := range append(ids, m.AuthorID) {
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := event.Publish(ctx, tx, now, event.Event{UserID: id, GroupID: m.GroupID, Kind: event.Held, RefID: m.ID}); err != nil {
			return err
		}
	}
	return nil
}

// View is a message as the feed shows it.
type View struct {
	Message
	AuthorName string
	AuthorCall string
	// AuthorTag marks staff in a parents' group (group.TagTeacher,
	// group.TagHeadTeacher).
	AuthorTag string
	File      *file.File
	Own       bool
	// RecallLeft is how much longer the viewer, its author, may take it
	// back; 0 when they may not.
	RecallLeft time.Duration
}

// RecallLeft is how much longer actorID may take back m as its author, 0
// when not (someone else's, already gone, or past RecallWindow).
func (s *Service) RecallLeft(m Message, actorID uint64) time.Duration {
	return recallLeft(m, actorID, s.now())
}

func recallLeft(m Message, actorID uint64, now time.Time) time.Duration {
	if m.AuthorID != actorID || actorID == 0 || (m.Status != Visible && m.Status != Held) {
		return 0
	}
	left := m.CreatedAt.Add(RecallWindow).Sub(now)
	if left <= 0 {
		return 0
	}
	return left
}

// visibleTo limits a query to what the actor may see in the feed: visible
// and deleted messages, and held ones they wrote or moderate.
func visibleTo(q *gorm.DB, a group.Access, actorID uint64) *gorm.DB {
	if a.CanModerate() {
		return q.Where("status IN ?", []Status{Visible, Deleted, Held})
	}
	return q.Where("status IN ? OR (status = ? AND author_id = ?)", []Status{Visible, Deleted}, Held, actorID)
}

// Page is one page of a feed.
type Page struct {
	Access   group.Access
	Messages []View
	// Older is the id to pass as before for the previous page, 0 when none.
	Older uint64
}

// PageSize is how many messages a page holds.
const PageSize = 50

// List returns the newest messages before id before (0: the newest), oldest
// first as the feed shows them.
func (s *Service) List(ctx context.Context, actor *auth.User, groupID, before uint64) (Page, error) {
	a, err := s.groups.Access(ctx, actor, groupID)
	if err != nil {
		return Page{}, err
	}
	if before == 0 {
		if p, ok, err := s.cachedNewest(ctx, a, actor); err != nil || ok {
			return p, err
		}
	}
	q := visibleTo(s.db.WithContext(ctx).Where("group_id = ?", groupID), a, actor.ID)
	if before > 0 {
		q = q.Where("id < ?", before)
	}
	var ms []Message
	// Ordered as the (group_id, id) index is, so the database walks that
	// index back from the newest message of this group instead of every
	// group's messages by id.
	if err := q.Order("group_id DESC, id DESC").Limit(PageSize + 1).Find(&ms).Error; err != nil {
		return Page{}, err
	}
	p := Page{Access: a}
	if len(ms) > PageSize {
		ms = ms[:PageSize]
		p.Older = ms[PageSize-1].ID
	}
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	p.Messages, err = s.views(ctx, a.Group, actor, ms)
	return p, err
}

// Get returns one message if the actor may see it in that group.
func (s *Service) Get(ctx context.Context, actor *auth.User, groupID, messageID uint64) (group.Access, View, error) {
	a, err := s.groups.Access(ctx, actor, groupID)
	if err != nil {
		return a, View{}, err
	}
	var m Message
	q := visibleTo(s.db.WithContext(ctx).Where("id = ? AND group_id = ?", messageID, groupID), a, actor.ID)
	if err := q.Take(&m).Error; err != nil {
		return a, View{}, db.Translate(err)
	}
	vs, err := s.views(ctx, a.Group, actor, []Message{m})
	if err != nil {
		return a, View{}, err
	}
	return a, vs[0], nil
}

func (s *Service) views(ctx context.Context, g group.Group, actor *auth.User, ms []Message) ([]View, error) {
	var authors, fileIDs []uint64
	for _, m := range ms {
		authors = append(authors, m.AuthorID)
		if m.FileID != nil {
			fileIDs = append(fileIDs, *m.FileID)
		}
	}
	names, err := s.groups.DisplayNames(ctx, g, authors)
	if err != nil {
		return nil, err
	}
	files := map[uint64]*file.File{}
	if len(fileIDs) > 0 {
		fs, err := file.ByIDs(ctx, s.db, fileIDs)
		if err != nil {
			return nil, err
		}
		for i := range fs {
			files[fs[i].ID] = &fs[i]
		}
	}
	out := make([]View, len(ms))
	now := s.now()
	for i, m := range ms {
		n := names[m.AuthorID]
		v := View{Message: m, AuthorName: n.Name, AuthorCall: n.Call, AuthorTag: n.Tag, Own: actor != nil && m.AuthorID == actor.ID}
		if actor != nil {
			v.RecallLeft = recallLeft(m, actor.ID, now)
		}
		if m.FileID != nil && m.Status != Deleted {
			v.File = files[*m.FileID]
		}
		if m.Status == Deleted {
			v.Body = ""
		}
		out[i] = v
	}
	return out, nil
}

// Delete removes a message: its author may take back their own within
// RecallWindow, a moderator may delete anyone's (their own too, once it is
// too late to take back) with a reason that is logged and told.
func (s *Service) Delete(ctx context.Context, actor *auth.User, groupID, messageID uint64, reason string) error {
	defer s.newest.Drop(groupID) // after the change commits: see newest
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		a, m, err := s.load(ctx, tx, actor, groupID, messageID)
		if err != nil {
			return err
		}
		own := m.AuthorID == actor.ID
		recall := recallLeft(m, actor.ID, now) > 0
		switch {
		case m.Status == Deleted || m.Status == Rejected:
			return apperr.New(apperr.ErrConflict, "该消息已被删除")
		case own && !recall && !a.CanModerate():
			return ErrRecallTooLate
		case !own && !a.CanModerate():
			return apperr.New(apperr.ErrForbidden, "只能删除自己的消息")
		case !recall:
			if n := utf8.RuneCountInString(reason); n < 2 || n > 200 {
				return apperr.Invalid("reason", "请填写删除理由（2–200 字）")
			}
		default:
			reason = RecalledReason
		}
		if err := tx.Model(&Message{}).Where("id = ?", m.ID).
			Updates(map[string]any{"status": Deleted, "deleted_reason": reason, "decided_by": actor.ID, "decided_at": now}).Error; err != nil {
			return err
		}
		if err := event.Publish(ctx, tx, now, event.Event{GroupID: groupID, Kind: event.Deleted, RefID: m.ID}); err != nil {
			return err
		}
		if recall {
			return nil
		}
		if err := modlog.Record(ctx, tx, modlog.Entry{GroupID: groupID, ActorID: actor.ID, SubjectID: &m.AuthorID, MessageID: &m.ID, Action: modlog.DeleteMessage, Reason: reason, CreatedAt: now}); err != nil {
			return err
		}
		if own {
			return nil // a moderator's own message: logged, nobody to tell
		}
		return notify.Add(ctx, tx, now, notify.Notification{UserID: m.AuthorID, Kind: "message_deleted",
			Title: "您在“" + a.Group.Name + "”的消息被管理员删除", Body: "理由：" + reason, Link: fmt.Sprintf("/groups/%d", groupID)})
	})
}

// Decide approves (publishes) or rejects a held message.
func (s *Service) Decide(ctx context.Context, actor *auth.User, groupID, messageID uint64, approve bool, reason string) error {
	defer s.newest.Drop(groupID) // after the change commits: see newest
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		a, m, err := s.load(ctx, tx, actor, groupID, messageID)
		if err != nil {
			return err
		}
		if !a.CanModerate() {
			return group.ErrNotModerator
		}
		if m.Status != Held {
			return apperr.New(apperr.ErrConflict, "该消息已处理")
		}
		st, action, kind := Visible, modlog.ApproveMessage, event.Message
		if !approve {
			if n := utf8.RuneCountInString(reason); n < 2 || n > 200 {
				return apperr.Invalid("reason", "请填写驳回理由（2–200 字）")
			}
			st, action, kind = Rejected, modlog.RejectMessage, event.Deleted
		}
		if err := tx.Model(&Message{}).Where("id = ?", m.ID).
			Updates(map[string]any{"status": st, "decided_by": actor.ID, "decided_at": now, "deleted_reason": reason}).Error; err != nil {
			return err
		}
		if err := modlog.Record(ctx, tx, modlog.Entry{GroupID: groupID, ActorID: actor.ID, SubjectID: &m.AuthorID, MessageID: &m.ID, Action: action, Reason: reason, CreatedAt: now}); err != nil {
			return err
		}
		if approve {
			return event.Publish(ctx, tx, now, event.Event{GroupID: groupID, Kind: kind, RefID: m.ID})
		}
		if err := event.Publish(ctx, tx, now, event.Event{UserID: m.AuthorID, GroupID: groupID, Kind: kind, RefID: m.ID}); err != nil {
			return err
		}
		return notify.Add(ctx, tx, now, notify.Notification{UserID: m.AuthorID, Kind: "message_rejected",
			Title: "您在“" + a.Group.Name + "”的消息未通过审核", Body: "理由：" + reason, Link: fmt.Sprintf("/groups/%d", groupID)})
	})
}

func (s *Service) load(ctx context.Context, tx *gorm.DB, actor *auth.User, groupID, messageID uint64) (group.Access, Message, error) {
	a, err := s.groups.AccessIn(ctx, tx, actor, groupID)
	if err != nil {
		return a, Message{}, err
	}
	var m Message
	if err := tx.WithContext(ctx).Where("id = ? AND group_id = ?", messageID, groupID).Take(&m).Error; err != nil {
		return a, m, db.Translate(err)
	}
	if m.Status == Held && m.AuthorID != actor.ID && !a.CanModerate() {
		return a, m, apperr.ErrNotFound
	}
	return a, m, nil
}

// Held lists a group's held messages for its moderators, oldest first.
func (s *Service) Held(ctx context.Context, actor *auth.User, groupID uint64) ([]View, error) {
	a, err := s.groups.Access(ctx, actor, groupID)
	if err != nil {
		return nil, err
	}
	if !a.CanModerate() {
		return nil, group.ErrNotModerator
	}
	var ms []Message
	if err := s.db.WithContext(ctx).Where("group_id = ? AND status = ?", groupID, Held).Order("id").Limit(200).Find(&ms).Error; err != nil {
		return nil, err
	}
	return s.views(ctx, a.Group, actor, ms)
}

// FileAccess checks that the actor may download file fileID: it belongs to
// a message they can see.
func (s *Service) FileAccess(ctx context.Context, actor *auth.User, fileID uint64) (bool, error) {
	var ms []Message
	if err := s.db.WithContext(ctx).Where("file_id = ? AND status <> ?", fileID, Deleted).Limit(20).Find(&ms).Error; err != nil {
		return false, err
	}
	for _, m := range ms {
		_, _, err := s.Get(ctx, actor, m.GroupID, m.ID)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, apperr.ErrNotFound) {
			return false, err
		}
	}
	return false, nil
}

// Shared returns a visible or deleted message as every member of its group
// sees it, for live updates to pages whose access was checked when they
// connected.
func (s *Service) Shared(ctx context.Context, groupID, messageID uint64) (View, error) {
	var m Message
	err := s.db.WithContext(ctx).Where("id = ? AND group_id = ? AND status IN ?", messageID, groupID, []Status{Visible, Deleted}).Take(&m).Error
	if err != nil {
		return View{}, db.Translate(err)
	}
	gs, err := group.ByIDs(ctx, s.db, []uint64{groupID})
	if err != nil {
		return View{}, err
	}
	if len(gs) == 0 {
		return View{}, apperr.ErrNotFound
	}
	g := gs[0]
	vs, err := s.views(ctx, g, &auth.User{}, []Message{m})
	if err != nil {
		return View{}, err
	}
	return vs[0], nil
}
