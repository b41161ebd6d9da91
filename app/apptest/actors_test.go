package apptest_test

import (
	"context"
	"errors"
	"testing"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/school"
)

// TestNobodyIsRefused: every service refuses a missing actor (nil), where
// some once took it for the command line (which now acts as auth.System),
// and the admin reads check the reader themselves, not only the route.
func TestNobodyIsRefused(t *testing.T) {
	t.Parallel()
	w := apptest.NewWorld(t, apptest.SQLite(t))
	ctx := context.Background()
	w.Staff("姓名,手机,角色,部门,任教班级,班主任\n王建国,13800000001,管理员,校长室,,\n李芳,13800000002,教师,语文教研组,,\n")
	teacher := w.ByPhone("13800000002")
	csv := []byte("年级,班级,学号,姓名\n3,2,20230201,张小明\n")
	calls := map[string]func(u *auth.User) error{
		"import students": func(u *auth.User) error {
			_, err := w.School.Import(ctx, u, "s.csv", csv, school.ImportOptions{DryRun: true})
			return err
		},
		"import staff": func(u *auth.User) error {
			_, err := w.School.ImportStaff(ctx, u, "t.csv", []byte("姓名,手机,角色,部门,任教班级,班主任\n"), true)
			return err
		},
		"class summaries": func(u *auth.User) error { _, err := w.School.Summaries(ctx, u); return err },
		"departments":     func(u *auth.User) error { _, err := w.School.Departments(ctx, u); return err },
		"import punches": func(u *auth.User) error {
			_, err := w.Attendance.ImportPunches(ctx, u, "p.csv", []byte("手机,姓名,打卡时间\n"))
			return err
		},
		"monthly report": func(u *auth.User) error { _, err := w.Attendance.Month(ctx, u, "2026-11"); return err },
		"user list":      func(u *auth.User) error { _, err := w.Auth.Users(ctx, u, "", 10); return err },
	}
	for name, call := range calls {
		if err := call(nil); !errors.Is(err, apperr.ErrUnauthenticated) && !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s by nobody: %v, want refused", name, err)
		}
		if err := call(teacher); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s by a teacher: %v, want forbidden", name, err)
		}
	}
	if _, err := w.School.Summaries(ctx, auth.System); err != nil {
		t.Errorf("summaries for the command line: %v", err)
	}
}

// The owners' read helpers start statements of their own on the caller's
// connection: conditions the caller's handle carries do not leak in.
func TestOwnerReadsIgnoreTheCallersConditions(t *testing.T) {
	t.Parallel()
	w := apptest.NewWorld(t, apptest.SQLite(t))
	ctx := context.Background()
	w.Staff("姓名,手机,角色,部门,任教班级,班主任\n王建国,13800000001,管理员,校长室,,\n")
	dirty := w.DB.Where("1 = 0")
	if staff, err := auth.Staff(ctx, dirty); err != nil || len(staff) != 1 {
		t.Errorf("auth.Staff: %d, %v", len(staff), err)
	}
	if staff, err := auth.CurrentStaffUsers(ctx, dirty, nil); err != nil || len(staff) != 1 {
		t.Errorf("auth.CurrentStaffUsers: %d, %v", len(staff), err)
	}
	all, err := w.Groups.All(ctx)
	if err != nil || len(all) == 0 {
		t.Fatalf("groups: %d, %v", len(all), err)
	}
	if gs, err := group.ByIDs(ctx, dirty, []uint64{all[0].ID}); err != nil || len(gs) != 1 {
		t.Errorf("group.ByIDs: %d, %v", len(gs), err)
	}
}
