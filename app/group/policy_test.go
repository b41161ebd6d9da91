package group_test

import (
	"testing"

	"jiaxiao/app/auth"
	"jiaxiao/app/group"
)

func TestWhoMayMuteAndRemoveWhom(t *testing.T) {
	t.Parallel()
	class := group.Group{Kind: group.KindClass}
	staffGroup := group.Group{Kind: group.KindStaff}
	const me = 1
	parent := group.MemberView{UserID: 2, Role: group.RoleMember, UserRole: auth.RoleParent}
	teacher := group.MemberView{UserID: 3, Role: group.RoleMember, UserRole: auth.RoleTeacher}
	moderator := group.MemberView{UserID: 4, Role: group.RoleModerator, UserRole: auth.RoleParent}
	owner := group.MemberView{UserID: 5, Role: group.RoleOwner, UserRole: auth.RoleTeacher}
	self := group.MemberView{UserID: me, Role: group.RoleModerator, UserRole: auth.RoleTeacher}

	for _, tc := range []struct {
		name            string
		access          group.Access
		target          group.MemberView
		mute, removable bool
	}{
		{"member acts on nobody", group.Access{Group: class, Role: group.RoleMember}, parent, false, false},
		{"moderator mutes and removes a parent", group.Access{Group: class, Role: group.RoleModerator}, parent, true, true},
		{"teacher moderator mutes but cannot remove a teacher from a class", group.Access{Group: class, Role: group.RoleModerator, Staff: true}, teacher, true, false},
		{"parent moderator neither mutes nor removes a teacher", group.Access{Group: class, Role: group.RoleModerator}, teacher, false, false},
		{"staff group members can be removed", group.Access{Group: staffGroup, Role: group.RoleModerator, Staff: true}, teacher, true, true},
		{"moderator cannot act on a peer", group.Access{Group: class, Role: group.RoleModerator}, moderator, false, false},
		{"owner acts on a moderator", group.Access{Group: class, Role: group.RoleOwner}, moderator, true, true},
		{"nobody acts on themselves", group.Access{Group: class, Role: group.RoleOwner}, self, false, false},
		{"admin may mute the owner but not remove them", group.Access{Group: staffGroup, Admin: true}, owner, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.access.CanMute(me, tc.target); got != tc.mute {
				t.Errorf("CanMute = %v, want %v", got, tc.mute)
			}
			if got := tc.access.CanRemove(me, tc.target); got != tc.removable {
				t.Errorf("CanRemove = %v, want %v", got, tc.removable)
			}
		})
	}
}
