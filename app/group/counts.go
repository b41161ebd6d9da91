package group

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/event"
	"jiaxiao/app/memo"
)

// caches keep in memory what the home page and every group header show:
// each group's member count and pending join requests (counting the
// school group's thousands of members on each page would cost the
// database more than the rest of the page), and each user's list of
// groups with their role. The counts are read for all groups in two
// grouped queries. A change of membership, of a join request or of a
// group drops everything on its own instance at once and publishes a
// members event by which every other instance drops its copy
// (ForgetCounts); a copy older than memoMaxAge is read again in any case.
type caches struct {
	counts *memo.One[groupCounts]
	mine   *memo.Keyed[uint64, []mineRow]
}

type groupCounts struct{ members, pending map[uint64]int }

type mineRow struct {
	Group
	Role Role
}

const (
	memoMaxAge   = time.Minute
	memoMaxUsers = 100_000
)

func newCaches() caches {
	return caches{counts: memo.NewOne[groupCounts](memoMaxAge), mine: memo.NewKeyed[uint64, []mineRow](memoMaxAge, memoMaxUsers)}
}

func (c caches) drop() {
	c.counts.Drop()
	c.mine.DropAll()
}

// memberCounts returns the member and pending counts of every group.
func (c caches) memberCounts(ctx context.Context, g *gorm.DB) (members, pending map[uint64]int, err error) {
	gc, err := c.counts.Get(func() (groupCounts, error) {
		type row struct {
			GroupID uint64
			N       int
		}
		var m, p []row
		if err := g.WithContext(ctx).Table("group_members").Select("group_id, COUNT(*) AS n").Group("group_id").Scan(&m).Error; err != nil {
			return groupCounts{}, fmt.Errorf("group: count members: %w", err)
		}
		if err := g.WithContext(ctx).Table("join_requests").Select("group_id, COUNT(*) AS n").Where("status = ?", Pending).
			Group("group_id").Scan(&p).Error; err != nil {
			return groupCounts{}, fmt.Errorf("group: count requests: %w", err)
		}
		gc := groupCounts{members: make(map[uint64]int, len(m)), pending: make(map[uint64]int, len(p))}
		for _, r := range m {
			gc.members[r.GroupID] = r.N
		}
		for _, r := range p {
			gc.pending[r.GroupID] = r.N
		}
		return gc, nil
	})
	return gc.members, gc.pending, err
}

// groupsOf returns the groups a user belongs to (every group for an
// admin, with the role where they are a member), read by read on a miss.
func (c caches) groupsOf(userID uint64, read func() ([]mineRow, error)) ([]mineRow, error) {
	return c.mine.Get(userID, read)
}

// ForgetCounts drops the cached counts and lists of groups; each instance
// calls it when it reads a members event.
func (s *Service) ForgetCounts() { s.caches.drop() }

// groupsChanged is called, inside tx, by every change of membership, of a
// join request or of a group's own fields: it drops this instance's caches
// and publishes the members event for the others.
func (s *Service) groupsChanged(ctx context.Context, tx *gorm.DB, now time.Time) error {
	s.caches.drop()
	return event.Publish(ctx, tx, now, event.Event{Kind: event.Members})
}

// EventCounts is the live event by which open pages learn that a group's
// member count or its number of pending join requests changed: one per
// user who sees the numbers (UserID), RefID the group. It reaches every
// page of that user, wherever the group's numbers show (the group's
// header and tabs, 我的群, the home page); the page asks for the numbers
// as that user may see them.
const EventCounts = "counts"

// Who is told of a change of counts.
type countsAudience int

const (
	// moderatorsOnly: the pending count changed, which only the group's
	// owner, moderators and the admins see.
	moderatorsOnly countsAudience = iota
	// everyMember: the member count changed too, which every member sees.
	everyMember
)

// countsChanged publishes EventCounts, inside tx, to those who see the
// changed numbers of group groupID, and to the school's admins (who see
// every group's). A member removed in tx is no longer told: their page
// is sent the removal instead.
func countsChanged(ctx context.Context, tx *gorm.DB, now time.Time, groupID uint64, who countsAudience) error {
	members := db.Fresh(tx).Model(&Member{}).Select("user_id").Where("group_id = ?", groupID)
	if who == moderatorsOnly {
		members = members.Where("role IN ?", []Role{RoleOwner, RoleModerator})
	}
	users := auth.CurrentIDs(tx).Select("id AS user_id").Where("(id IN (?) OR role = ?)", members, auth.RoleAdmin)
	return event.PublishEach(ctx, tx, now, users, event.Event{Kind: EventCounts, RefID: groupID})
}
