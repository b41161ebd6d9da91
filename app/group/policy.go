package group

import (
	"context"
	"errors"

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
}

// CanView: members and admins see a group.
func (a Access) CanView() bool { return a.Role != "" || a.Admin }

// CanModerate: the owner, moderators and admins handle requests and members.
func (a Access) CanModerate() bool { return a.Role == RoleOwner || a.Role == RoleModerator || a.Admin }

// CanAppoint: the owner and admins appoint and remove moderators.
func (a Access) CanAppoint() bool { return a.Role == RoleOwner || a.Admin }

// over says whether the actor may mute, unmute or remove the member with
// the given id and role: moderators act on other members; only the owner
// and admins act on moderators.
func (a Access) over(actorID, userID uint64, target Role) error {
	switch {
	case !a.CanModerate():
		return ErrNotModerator
	case userID == actorID:
		return errSelf
	case (target == RoleOwner || target == RoleModerator) && !a.CanAppoint():
		return ErrPeerModerator
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
	return a.over(actorID, m.UserID, m.Role) == nil
}

// CanRemove reports whether the actor may remove member m from the group.
func (a Access) CanRemove(actorID uint64, m MemberView) bool {
	return a.CanMute(actorID, m) && a.removable(m.Role, m.UserRole) == nil
}

// access loads the group and the actor's standing in it. Anyone who may not
// see the group gets ErrNotFound: its existence is nobody else's business.
func (s *Service) access(ctx context.Context, tx *gorm.DB, actor *auth.User, groupID uint64) (Access, error) {
	if actor == nil {
		return Access{}, apperr.ErrUnauthenticated
	}
	var g Group
	if err := tx.WithContext(ctx).Where("id = ?", groupID).Take(&g).Error; err != nil {
		return Access{}, db.Translate(err)
	}
	a := Access{Group: g, Admin: actor.Role == auth.RoleAdmin}
	var m Member
	err := tx.WithContext(ctx).Where("group_id = ? AND user_id = ?", groupID, actor.ID).Take(&m).Error
	switch {
	case err == nil:
		a.Role = m.Role
	case !errors.Is(err, gorm.ErrRecordNotFound):
		return Access{}, err
	}
	if !a.CanView() {
		return Access{}, apperr.ErrNotFound
	}
	return a, nil
}

// Access returns the actor's standing in a group, or ErrNotFound when they
// may not see it.
func (s *Service) Access(ctx context.Context, actor *auth.User, groupID uint64) (Access, error) {
	return s.access(ctx, s.db, actor, groupID)
}
