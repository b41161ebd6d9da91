package group

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/event"
	"jiaxiao/app/school"
)

type memberKey struct{ group, user uint64 }

// Sync makes group membership match the roster: it creates the staff and
// school groups and a group for every class, then adds and removes members
// and sets owners. users limits the work to those accounts (nil: everyone).
// Appointed moderators keep their role while they stay members.
func (s *Service) Sync(ctx context.Context, tx *gorm.DB, users []uint64) error {
	tx = tx.WithContext(ctx)
	now := s.now()
	staffG, schoolG, classG, err := ensureGroups(tx, now)
	if err != nil {
		return fmt.Errorf("group: sync: %w", err)
	}
	filter := func(q *gorm.DB, col string) *gorm.DB {
		if users != nil {
			return q.Where(col+" IN ?", users)
		}
		return q
	}
	want := map[memberKey]Role{}
	put := func(g, u uint64, r Role) {
		if cur, ok := want[memberKey{g, u}]; ok && (cur == RoleOwner || r == RoleMember) {
			return
		}
		want[memberKey{g, u}] = r
	}

	staff, err := auth.CurrentStaffRoles(ctx, tx, users)
	if err != nil {
		return err
	}
	for id, role := range staff {
		r := RoleMember
		if role == auth.RoleAdmin {
			r = RoleOwner
		}
		put(staffG, id, r)
		put(schoolG, id, r)
	}
	places, err := school.PlacementsOf(ctx, tx, auth.CurrentAmong(tx, users))
	if err != nil {
		return err
	}
	for _, t := range places.Teachers {
		put(classG[t.ClassID], t.UserID, RoleMember)
	}
	for _, h := range places.Heads {
		put(classG[h.ClassID], h.UserID, RoleOwner)
	}
	for _, p := range places.Parents {
		put(classG[p.ClassID], p.UserID, RoleMember)
		put(schoolG, p.UserID, RoleMember)
	}

	// Members removed by a moderator stay out.
	var removed []Removal
	if err := filter(tx.Model(&Removal{}), "user_id").Find(&removed).Error; err != nil {
		return err
	}
	for _, r := range removed {
		delete(want, memberKey{r.GroupID, r.UserID})
	}

	var current []Member
	if err := filter(tx.Model(&Member{}), "user_id").Find(&current).Error; err != nil {
		return err
	}
	have := make(map[memberKey]Role, len(current))
	changed := false
	for _, m := range current {
		k := memberKey{m.GroupID, m.UserID}
		have[k] = m.Role
		w, ok := want[k]
		switch {
		case !ok:
			if err := tx.Where("group_id = ? AND user_id = ?", m.GroupID, m.UserID).Delete(&Member{}).Error; err != nil {
				return err
			}
			changed = true
			// Their open pages of the group close at once.
			if err := event.Publish(ctx, tx, now, event.Event{UserID: m.UserID, GroupID: m.GroupID, Kind: event.Removed}); err != nil {
				return err
			}
		case w == RoleOwner && m.Role != RoleOwner, w == RoleMember && m.Role == RoleOwner:
			if err := tx.Model(&Member{}).Where("group_id = ? AND user_id = ?", m.GroupID, m.UserID).Update("role", w).Error; err != nil {
				return err
			}
			changed = true
		}
	}
	var add []Member
	for k, r := range want {
		if _, ok := have[k]; !ok && k.group != 0 {
			add = append(add, Member{GroupID: k.group, UserID: k.user, Role: r, JoinedAt: now})
		}
	}
	if len(add) > 0 {
		if err := tx.CreateInBatches(add, db.Batch(tx, 500)).Error; err != nil {
			return fmt.Errorf("group: sync: add members: %w", err)
		}
		changed = true
	}
	if changed {
		return s.groupsChanged(ctx, tx, now)
	}
	return nil
}

// ensureGroups creates the groups the roster calls for and returns their
// ids: the staff group, the school group, and class id → class group.
func ensureGroups(tx *gorm.DB, now time.Time) (staff, schoolG uint64, classes map[uint64]uint64, err error) {
	var all []Group
	if err = tx.Find(&all).Error; err != nil {
		return
	}
	classes = map[uint64]uint64{}
	for _, g := range all {
		switch g.Kind {
		case KindStaff:
			staff = g.ID
		case KindSchool:
			schoolG = g.ID
		case KindClass:
			classes[*g.ClassID] = g.ID
		}
	}
	create := func(g Group) (uint64, error) {
		g.InviteCode, g.CreatedAt, g.UpdatedAt = newInviteCode(), now, now
		err := tx.Create(&g).Error
		return g.ID, err
	}
	if staff == 0 {
		if staff, err = create(Group{Kind: KindStaff, Name: KindStaff.Label()}); err != nil {
			return
		}
	}
	if schoolG == 0 {
		if schoolG, err = create(Group{Kind: KindSchool, Name: KindSchool.Label()}); err != nil {
			return
		}
	}
	cls, err := school.ClassesIn(tx.Statement.Context, tx)
	if err != nil {
		return
	}
	for _, c := range cls {
		if _, ok := classes[c.ID]; ok {
			continue
		}
		id := c.ID
		if classes[c.ID], err = create(Group{Kind: KindClass, ClassID: &id, Name: c.Name() + "家校群"}); err != nil {
			return
		}
	}
	return
}

// inviteAlphabet leaves out look-alikes because codes are typed from paper.
const inviteAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// maxInviteCode bounds what ByInvite looks up; codes have 8 characters.
const maxInviteCode = 16

func newInviteCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = inviteAlphabet[int(b[i])%len(inviteAlphabet)]
	}
	return string(b)
}
