package notice

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/archive"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/notify"
)

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
	// Cleared is how many of the viewer's 提醒 opening it marked read.
	Cleared int
}

// Link is the address of a notice, which its 提醒 point at.
func Link(id uint64) string { return fmt.Sprintf("/notices/%d", id) }

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

// Visible reports whether actor may open the notice: the archive links to
// the original only for those it would not answer 页面不存在.
func (s *Service) Visible(ctx context.Context, actor *auth.User, id uint64) (bool, error) {
	_, err := s.access(ctx, s.db, actor, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Open shows a notice; for a recipient it also marks it read, and marks
// read the 提醒 that pointed at it (the notice and its DINGs), which drops
// the badge on every page the recipient has open.
func (s *Service) Open(ctx context.Context, actor *auth.User, id uint64) (View, error) {
	v, err := s.access(ctx, s.db, actor, id)
	if err != nil {
		return v, err
	}
	if v.Receipt != nil {
		now := s.now()
		err := db.InTx(ctx, s.db, func(tx *gorm.DB) error {
			if v.Receipt.ReadAt == nil {
				if err := tx.Model(&Receipt{}).Where("notice_id = ? AND user_id = ? AND read_at IS NULL", id, actor.ID).
					Update("read_at", now).Error; err != nil {
					return err
				}
			}
			n, err := notify.ReadLink(ctx, tx, now, actor.ID, Link(id))
			v.Cleared = int(n)
			return err
		})
		if err != nil {
			return v, fmt.Errorf("notice: open: %w", err)
		}
		if v.Receipt.ReadAt == nil {
			v.Receipt.ReadAt = &now
		}
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

// Ack records 收到; it is idempotent, also marks the notice read, and
// marks its 提醒 read like Open.
func (s *Service) Ack(ctx context.Context, actor *auth.User, id uint64) error {
	v, err := s.access(ctx, s.db, actor, id)
	if err != nil {
		return err
	}
	if v.Receipt == nil {
		return apperr.New(apperr.ErrForbidden, "只有通知的接收人可以确认收到")
	}
	now := s.now()
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		mine := func() *gorm.DB { return tx.Model(&Receipt{}).Where("notice_id = ? AND user_id = ?", id, actor.ID) }
		if err := mine().Where("read_at IS NULL").Update("read_at", now).Error; err != nil {
			return err
		}
		if err := mine().Where("acked_at IS NULL").Update("acked_at", now).Error; err != nil {
			return err
		}
		_, err := notify.ReadLink(ctx, tx, now, actor.ID, Link(id))
		return err
	})
	if err != nil {
		return fmt.Errorf("notice: ack: %w", err)
	}
	return nil
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
	if CanCompose(actor) != nil {
		return received, nil // wrote none
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

// Pending returns what the actor still has to do about the notices they
// received, newest first: those unread, and those read but not yet
// acknowledged when the notice asks for 收到; at most limit of them, and
// how many there are in all. It is one indexed read of the actor's own
// receipts: the count comes with the rows (a window over the same
// selection), so the home page costs one statement for it.
func (s *Service) Pending(ctx context.Context, actor *auth.User, limit int) ([]Summary, int, error) {
	if actor == nil {
		return nil, 0, apperr.ErrUnauthenticated
	}
	var rows []struct {
		Summary
		PendingTotal int
	}
	err := s.db.WithContext(ctx).Table("receipts").Joins("JOIN notices ON notices.id = receipts.notice_id").
		Select(listColumns+", receipts.read_at, receipts.acked_at, COUNT(*) OVER () AS pending_total").
		Where("receipts.user_id = ? AND notices.status = ?", actor.ID, Published).
		Where("(receipts.read_at IS NULL OR (notices.requires_ack = ? AND receipts.acked_at IS NULL))", true).
		Order("notices.publish_at DESC, notices.id DESC").Limit(max(limit, 1)).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("notice: pending: %w", err)
	}
	if len(rows) == 0 {
		return nil, 0, nil
	}
	out := make([]Summary, 0, len(rows))
	for _, r := range rows {
		if len(out) < limit {
			out = append(out, r.Summary)
		}
	}
	return out, rows[0].PendingTotal, nil
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
