package group

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

// Access is what the acting user may do in one group.
type Access struct {
	Group Group
	// Role is the user's role in the group, "" when not a member.
	Role  Role
	Admin bool
	// MutedUntil is the end of the actor's personal mute in the group, nil
	// when not muted at the time of reading.
	MutedUntil *time.Time
	// Staff says the actor is a teacher or admin (a parent may be a
	// moderator too, with fewer powers).
	Staff bool
}

// CanView: members and admins see a group.
func (a Access) CanView() bool { return a.Role != "" || a.Admin }

// CanModerate: the owner, moderators and admins handle requests and members.
func (a Access) CanModerate() bool { return a.Role == RoleOwner || a.Role == RoleModerator || a.Admin }

// FullPhones: the full phone numbers of a group's parents (members and
// applicants) are for admins, and for the head teacher and the staff
// moderators of a class group; never for a parent made moderator. This
// is the one rule: PhonesFor applies it across groups.
func (a Access) FullPhones() bool {
	return a.Admin || (a.Staff && a.Group.Kind == KindClass && (a.Role == RoleOwner || a.Role == RoleModerator))
}

// CanAppoint: the owner and admins appoint and remove moderators.
func (a Access) CanAppoint() bool { return a.Role == RoleOwner || a.Admin }

// CanRename: only admins rename a group. The error says why not.
func (a Access) CanRename() error {
	if !a.Admin {
		return ErrNotAdmin
	}
	return nil
}

// CanSetPosting: admins decide whether parents may post in the school
// group (staff groups are staff-only and class groups always open).
func (a Access) CanSetPosting() error {
	switch {
	case !a.Admin:
		return ErrNotAdmin
	case a.Group.Kind != KindSchool:
		return apperr.Invalid("", "只有学校家校群可以设置是否允许家长发言")
	}
	return nil
}

// over says whether the actor may mute, unmute or remove the member with
// the given id, group role and account role: moderators act on other
// members; only the owner and admins act on moderators; a parent made
// moderator acts on parents only, never on the school's staff.
func (a Access) over(actorID, userID uint64, target Role, user auth.Role) error {
	switch {
	case !a.CanModerate():
		return ErrNotModerator
	case userID == actorID:
		return errSelf
	case (target == RoleOwner || target == RoleModerator) && !a.CanAppoint():
		return ErrPeerModerator
	case user.Staff() && !a.Staff && !a.Admin:
		return ErrParentOverStaff
	}
	return nil
}

// removable says whether a member may be taken out of the group at all:
// never the owner, and staff only from staff groups.
func (a Access) removable(target Role, user auth.Role) error {
	switch {
	case user.Staff() && a.Group.Kind != KindStaff:
		return ErrNotRemovable
	case target == RoleOwner:
		return errOwner
	}
	return nil
}

// CanMute reports whether the actor may mute member m.
func (a Access) CanMute(actorID uint64, m MemberView) bool {
	return a.over(actorID, m.UserID, m.Role, m.UserRole) == nil
}

// CanRemove reports whether the actor may remove member m from the group.
func (a Access) CanRemove(actorID uint64, m MemberView) bool {
	return a.CanMute(actorID, m) && a.removable(m.Role, m.UserRole) == nil
}

// access loads the group and the actor's standing in it, with their
// current mute, in one query. Anyone who may not see the group gets
// ErrNotFound: its existence is nobody else's business.
func (s *Service) access(ctx context.Context, tx *gorm.DB, actor *auth.User, groupID uint64) (Access, error) {
	if actor == nil {
		return Access{}, apperr.ErrUnauthenticated
	}
	all, err := s.accessAll(ctx, tx, actor, []uint64{groupID})
	if err != nil {
		return Access{}, err
	}
	a, ok := all[groupID]
	if !ok || !a.CanView() {
		return Access{}, removedOrHidden(ctx, tx, groupID, actor.ID)
	}
	return a, nil
}

// accessAll reads the actor's standing in each of the groups that exist,
// in one statement, whether or not they may see them.
func (s *Service) accessAll(ctx context.Context, tx *gorm.DB, actor *auth.User, groupIDs []uint64) (map[uint64]Access, error) {
	var rows []struct {
		Group
		MemberRole *Role
		MutedUntil *time.Time
	}
	err := tx.WithContext(ctx).Table("`groups`").
		Select("`groups`.*, gm.role AS member_role, mu.until AS muted_until").
		Joins("LEFT JOIN group_members gm ON gm.group_id = `groups`.id AND gm.user_id = ?", actor.ID).
		Joins("LEFT JOIN group_mutes mu ON mu.group_id = `groups`.id AND mu.user_id = ? AND mu.until > ?", actor.ID, s.now()).
		Where("`groups`.id IN ?", groupIDs).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("group: access: %w", err)
	}
	out := make(map[uint64]Access, len(rows))
	for _, row := range rows {
		a := Access{Group: row.Group, Admin: actor.Role == auth.RoleAdmin, MutedUntil: row.MutedUntil, Staff: actor.Role.Staff()}
		if row.MemberRole != nil {
			a.Role = *row.MemberRole
		}
		out[row.Group.ID] = a
	}
	return out, nil
}

// MayPostAll checks, in one read, that the actor may see and post in
// every one of the groups right now (MayPost's rule); it answers
// ErrNotFound when one does not exist or is hidden from them, and the
// first group's reason otherwise.
func (s *Service) MayPostAll(ctx context.Context, tx *gorm.DB, actor *auth.User, groupIDs []uint64) error {
	if actor == nil {
		return apperr.ErrUnauthenticated
	}
	if len(groupIDs) == 0 {
		return nil
	}
	all, err := s.accessAll(ctx, tx, actor, groupIDs)
	if err != nil {
		return err
	}
	for _, id := range groupIDs {
		a, ok := all[id]
		if !ok || !a.CanView() {
			return apperr.ErrNotFound
		}
		if err := a.PostErr(); err != nil {
			return err
		}
	}
	return nil
}

// removedOrHidden is the answer to someone who may not see a group: a
// RemovedError for a member a moderator removed (they know the group and
// were told why), ErrNotFound for everyone else.
func removedOrHidden(ctx context.Context, tx *gorm.DB, groupID, userID uint64) error {
	var r Removal
	err := db.FreshIn(ctx, tx).Where("group_id = ? AND user_id = ?", groupID, userID).Take(&r).Error
	switch {
	case err == nil:
		return &RemovedError{Reason: r.Reason, Banned: r.Banned}
	case errors.Is(err, gorm.ErrRecordNotFound):
		return apperr.ErrNotFound
	}
	return fmt.Errorf("group: removal of %d: %w", userID, err)
}

// Access returns the actor's standing in a group, or ErrNotFound when they
// may not see it.
func (s *Service) Access(ctx context.Context, actor *auth.User, groupID uint64) (Access, error) {
	return s.access(ctx, s.db, actor, groupID)
}

// AccessIn is Access read through the caller's transaction.
func (s *Service) AccessIn(ctx context.Context, tx *gorm.DB, actor *auth.User, groupID uint64) (Access, error) {
	return s.access(ctx, tx, actor, groupID)
}
