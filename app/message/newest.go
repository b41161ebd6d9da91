package message

import (
	"context"
	"time"

	"jiaxiao/app/auth"
	"jiaxiao/app/group"
)

// s.newest keeps each group's newest page as its members see it, for the
// feed page that every parent opens: the public messages (visible and
// deleted) with their authors' names and files. A member who has a held
// message on that page, or a moderator while any is held there, sees a
// page of their own and is read from the database as before.
//
// A change to a group's messages drops its page on the instance that made
// it once the change has committed, and on every instance when its hub
// reads the message event (Forget); a change of names or membership drops
// every page (ForgetAll); a page older than newestMaxAge is read again in
// any case.
//
// newestPage is one group's page.
type newestPage struct {
	views []View // oldest first, Own and RecallLeft unset
	older uint64
	// heldBy are the authors of held messages newer than the page's
	// oldest message: they, and moderators, see other pages.
	heldBy map[uint64]bool
}

const (
	newestMaxAge = time.Minute
	newestMax    = 10_000 // groups
)

// Forget drops a group's cached newest page; each instance calls it when
// it reads a message, held or deleted event of that group.
func (s *Service) Forget(groupID uint64) { s.newest.Drop(groupID) }

// ForgetAll drops every cached page; each instance calls it when names or
// memberships change (account and members events).
func (s *Service) ForgetAll() { s.newest.DropAll() }

// cachedNewest returns the newest page of a group as actor sees it, from
// memory when it is the shared page, and whether it could.
func (s *Service) cachedNewest(ctx context.Context, a group.Access, actor *auth.User) (Page, bool, error) {
	p, err := s.newest.Get(a.Group.ID, func() (*newestPage, error) { return s.readNewest(ctx, a.Group) })
	if err != nil {
		return Page{}, false, err
	}
	if p.heldBy[actor.ID] || (a.CanModerate() && len(p.heldBy) > 0) {
		return Page{}, false, nil
	}
	out := Page{Access: a, Older: p.older, Messages: make([]View, len(p.views))}
	now := s.now()
	for i, v := range p.views {
		v.Own = v.AuthorID == actor.ID
		v.RecallLeft = recallLeft(v.Message, actor.ID, now)
		out.Messages[i] = v
	}
	return out, true, nil
}

// readNewest reads a group's shared newest page and who has held messages
// on it.
func (s *Service) readNewest(ctx context.Context, g group.Group) (*newestPage, error) {
	var ms []Message
	err := s.db.WithContext(ctx).Where("group_id = ? AND status IN ?", g.ID, []Status{Visible, Deleted}).
		Order("group_id DESC, id DESC").Limit(PageSize + 1).Find(&ms).Error
	if err != nil {
		return nil, err
	}
	p := &newestPage{heldBy: map[uint64]bool{}}
	if len(ms) > PageSize {
		ms = ms[:PageSize]
		p.older = ms[PageSize-1].ID
	}
	// A held message older than the page's oldest falls on a later page
	// for everyone; a newer one would be on this page for its author.
	var held []uint64
	if err := s.db.WithContext(ctx).Model(&Message{}).Where("group_id = ? AND status = ? AND id > ?", g.ID, Held, p.older).
		Distinct().Pluck("author_id", &held).Error; err != nil {
		return nil, err
	}
	for _, id := range held {
		p.heldBy[id] = true
	}
	for i, j := 0, len(ms)-1; i < j; i, j = i+1, j-1 {
		ms[i], ms[j] = ms[j], ms[i]
	}
	if p.views, err = s.views(ctx, g, nil, ms); err != nil {
		return nil, err
	}
	return p, nil
}
