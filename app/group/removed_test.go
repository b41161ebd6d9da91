package group_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
)

// TestRemovedMemberIsToldWhy: after a removal the group answers its
// former member with the removal (forbidden, with the reason, and still
// a group they cannot see for callers that only ask that), while someone
// never in it gets a plain not-found.
func TestRemovedMemberIsToldWhy(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		p := f.User(auth.RoleParent, "张伟", "13900000001")
		req, err := f.join(p, f.c32, "20230201", "张小明", "父亲")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Groups.Approve(ctx, f.head, f.c32.ID, req.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.Groups.Remove(ctx, f.head, f.c32.ID, p.ID, "发广告", true); err != nil {
			t.Fatal(err)
		}
		_, err = f.Groups.Access(ctx, p, f.c32.ID)
		var removed *group.RemovedError
		if !errors.As(err, &removed) || removed.Reason != "发广告" || !removed.Banned {
			t.Fatalf("the removed parent's access: %v", err)
		}
		if !errors.Is(err, apperr.ErrForbidden) || !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("a removal is forbidden %v, not found %v", errors.Is(err, apperr.ErrForbidden), errors.Is(err, apperr.ErrNotFound))
		}
		if msg := apperr.UserMessage(err); msg == "" || !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("the words for the removed parent: %q", msg)
		}
		stranger := f.User(auth.RoleParent, "路人", "13900000099")
		if _, err := f.Groups.Access(ctx, stranger, f.c32.ID); !errors.Is(err, apperr.ErrNotFound) || errors.As(err, &removed) || errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a stranger's access: %v", err)
		}
		// The record goes when they are admitted again; without it they are
		// a stranger to the group like anyone else.
		if err := g.Where("group_id = ? AND user_id = ?", f.c32.ID, p.ID).Delete(&group.Removal{}).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := f.Groups.Access(ctx, p, f.c32.ID); !errors.Is(err, apperr.ErrNotFound) || errors.As(err, &removed) {
			t.Fatalf("without the removal record: %v", err)
		}
	})
}
