package group_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/event"
	"jiaxiao/app/group"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
)

const roster = `年级,班级,学号,姓名,家长姓名,家长手机,关系
3,2,20230201,张小明,张伟,13900000001,父亲
3,2,20230202,王芳,王强,13900000003,父亲
3,2,20230203,刘洋,,,
3,3,20230301,赵雷,,,
`

const staff = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,3年级2班,3年级2班
陈志强,13800000003,教师,数学教研组,3年级3班,3年级3班
`

type fixture struct {
	*apptest.World
	admin, head, otherHead *auth.User
	c32, c33               group.Group
}

func setup(t *testing.T, g *gorm.DB) *fixture {
	w := apptest.NewWorld(t, g)
	w.Students(roster, school.ImportOptions{})
	w.Staff(staff)
	return &fixture{World: w, admin: w.ByPhone("13800000001"), head: w.ByPhone("13800000002"), otherHead: w.ByPhone("13800000003"),
		c32: w.ClassGroup(3, 2), c33: w.ClassGroup(3, 3)}
}

func (f *fixture) join(p *auth.User, g group.Group, no, name, rel string) (group.JoinRequest, error) {
	return f.Groups.Join(context.Background(), p, g.InviteCode, group.JoinInput{StudentNo: no, StudentName: name, Relation: rel})
}

func TestJoinVerifiesAgainstRoster(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		p := f.User(auth.RoleParent, "张伟", "13900000001")
		// Every kind of mismatch gives the same answer.
		for _, in := range [][3]string{
			{"20230201", "张小红", "父亲"}, // wrong name
			{"20239999", "张小明", "父亲"}, // unknown 学号
			{"20230301", "赵雷", "父亲"},  // a child of another class
		} {
			_, err := f.join(p, f.c32, in[0], in[1], in[2])
			if !errors.Is(err, group.ErrMismatch) {
				t.Fatalf("%v: %v", in, err)
			}
		}
		if _, err := f.join(p, f.c32, "20230201", "张小明", "舅舅"); err == nil {
			t.Fatal("unknown relation accepted")
		}
		req, err := f.join(p, f.c32, "20230201", "张小明", "父亲")
		if err != nil {
			t.Fatal(err)
		}
		if !req.RosterMatch || req.Status != group.Pending {
			t.Fatalf("request %+v", req)
		}
		if _, err := f.join(p, f.c32, "20230201", "张小明", "父亲"); err == nil || !strings.Contains(err.Error(), "已提交") {
			t.Fatalf("duplicate request: %v", err)
		}
		// Waiting for approval: not a member yet.
		if _, err := f.Groups.Access(ctx, p, f.c32.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("pending parent sees the group: %v", err)
		}
		stranger := f.User(auth.RoleParent, "孙丽", "13700000009")
		r2, err := f.join(stranger, f.c32, "20230202", "王芳", "母亲")
		if err != nil || r2.RosterMatch {
			t.Fatalf("unlisted phone: %+v %v", r2, err)
		}
	})
}

func TestJoinLockout(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		p := f.User(auth.RoleParent, "张伟", "13900000001")
		for i := 0; i < group.JoinMaxFailures; i++ {
			if _, err := f.join(p, f.c32, "2023020"+string(rune('5'+i)), "张小明", "父亲"); !errors.Is(err, group.ErrMismatch) {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		// Locked out, even with the right answer.
		if _, err := f.join(p, f.c32, "20230201", "张小明", "父亲"); !errors.Is(err, apperr.ErrTooMany) {
			t.Fatalf("locked: %v", err)
		}
		f.Clock.Advance(group.JoinWindow + time.Second)
		if _, err := f.join(p, f.c32, "20230201", "张小明", "父亲"); err != nil {
			t.Fatalf("after an hour: %v", err)
		}
	})
}

// Five misses spread over 40 minutes lock the parent out for an hour from
// the fifth, not until the first ages out of the window.
func TestJoinLockoutLastsAnHourFromTheFifthMiss(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		p := f.User(auth.RoleParent, "张伟", "13900000001")
		for i := 0; i < group.JoinMaxFailures; i++ {
			if i > 0 {
				f.Clock.Advance(10 * time.Minute)
			}
			if _, err := f.join(p, f.c32, "20239999", "张小明", "父亲"); !errors.Is(err, group.ErrMismatch) {
				t.Fatalf("miss %d: %v", i+1, err)
			}
		}
		f.Clock.Advance(25 * time.Minute) // 65 minutes after the first miss, 25 after the fifth
		if _, err := f.join(p, f.c32, "20230201", "张小明", "父亲"); !errors.Is(err, apperr.ErrTooMany) {
			t.Fatalf("25 minutes after the fifth miss: %v", err)
		}
		f.Clock.Advance(35*time.Minute + time.Second)
		if _, err := f.join(p, f.c32, "20230201", "张小明", "父亲"); err != nil {
			t.Fatalf("an hour after the fifth miss: %v", err)
		}
	})
}

func TestApproveRejectAndCap(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		dad := f.User(auth.RoleParent, "张伟", "13900000001")
		mum := f.User(auth.RoleParent, "李娜", "13900000002")
		gran := f.User(auth.RoleParent, "张桂兰", "13900000004")
		rDad, _ := f.join(dad, f.c32, "20230201", "张小明", "父亲")
		rMum, _ := f.join(mum, f.c32, "20230201", "张小明", "母亲")
		rGran, _ := f.join(gran, f.c32, "20230201", "张小明", "奶奶")

		// Only the class's owner, moderators and admins decide.
		if err := f.Groups.Approve(ctx, f.otherHead, f.c32.ID, rDad.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other class's head teacher: %v", err)
		}
		if err := f.Groups.Approve(ctx, f.head, f.c33.ID, rDad.ID); err == nil {
			t.Fatal("request approved through another group's id")
		}
		if err := f.Groups.Approve(ctx, f.head, f.c32.ID, rDad.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.Groups.Approve(ctx, f.head, f.c32.ID, rDad.ID); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("second approval: %v", err)
		}
		for _, gid := range []uint64{f.c32.ID, f.KindGroup(group.KindSchool).ID} {
			if in, _ := f.IsMember(gid, dad.ID); !in {
				t.Fatalf("approved parent not in group %d", gid)
			}
		}
		if in, _ := f.IsMember(f.KindGroup(group.KindStaff).ID, dad.ID); in {
			t.Fatal("parent in the staff group")
		}
		if err := f.Groups.Approve(ctx, f.head, f.c32.ID, rMum.ID); err != nil {
			t.Fatal(err)
		}
		// The cap of two guardians holds at approval time...
		err := f.Groups.Approve(ctx, f.head, f.c32.ID, rGran.ID)
		if v, ok := apperr.AsValidation(err); !ok || !strings.Contains(v.Error(), "名额已满") {
			t.Fatalf("third guardian: %v", err)
		}
		// ...and new requests are refused with a clear message.
		aunt := f.User(auth.RoleParent, "张丽", "13900000005")
		if _, err := f.join(aunt, f.c32, "20230201", "张小明", "其他监护人"); err == nil || !strings.Contains(err.Error(), "名额已满") {
			t.Fatalf("request over the cap: %v", err)
		}
		// An admin raises the cap.
		if _, err := f.Settings.Update(ctx, f.admin, map[string]string{"guardians_per_student": "3"}); err != nil {
			t.Fatal(err)
		}
		if err := f.Groups.Approve(ctx, f.head, f.c32.ID, rGran.ID); err != nil {
			t.Fatalf("after raising the cap: %v", err)
		}
		// Rejection needs a reason.
		wang := f.User(auth.RoleParent, "王强", "13900000003")
		rWang, _ := f.join(wang, f.c32, "20230202", "王芳", "父亲")
		if err := f.Groups.Reject(ctx, f.head, f.c32.ID, rWang.ID, ""); err == nil {
			t.Fatal("rejected without a reason")
		}
		if err := f.Groups.Reject(ctx, f.head, f.c32.ID, rWang.ID, "请用登记的手机号申请"); err != nil {
			t.Fatal(err)
		}
		// Both parents are told in their notification centre.
		if ns, _ := notify.NewCentre(g, nil).List(ctx, wang.ID, 5); len(ns) != 1 || !strings.Contains(ns[0].Body, "请用登记的手机号申请") {
			t.Fatalf("rejected parent's notifications %+v", ns)
		}
		if ns, _ := notify.NewCentre(g, nil).List(ctx, dad.ID, 5); len(ns) != 1 || ns[0].Kind != "join_approved" {
			t.Fatalf("approved parent's notifications %+v", ns)
		}
		if in, _ := f.IsMember(f.c32.ID, wang.ID); in {
			t.Fatal("rejected parent is a member")
		}
		var actions []string
		g.Table("audit_logs").Where("action LIKE ?", "join.%").Order("id").Pluck("action", &actions)
		if strings.Count(strings.Join(actions, ","), "join.approve") != 3 || !strings.Contains(strings.Join(actions, ","), "join.reject") {
			t.Fatalf("audit log %v", actions)
		}
	})
}

func TestApproveMatched(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		dad := f.User(auth.RoleParent, "张伟", "13900000001")   // listed on the roster
		wang := f.User(auth.RoleParent, "王强", "13900000003")  // listed
		other := f.User(auth.RoleParent, "孙丽", "13700000009") // not listed
		f.join(dad, f.c32, "20230201", "张小明", "父亲")
		f.join(wang, f.c32, "20230202", "王芳", "父亲")
		f.join(other, f.c32, "20230203", "刘洋", "母亲")
		if _, err := f.Groups.ApproveMatched(ctx, dad, f.c32.ID); err == nil {
			t.Fatal("a parent approved requests")
		}
		res, err := f.Groups.ApproveMatched(ctx, f.head, f.c32.ID)
		if err != nil || res.Approved != 2 {
			t.Fatalf("%+v %v", res, err)
		}
		_, left, _ := f.Groups.Requests(ctx, f.head, f.c32.ID)
		if len(left) != 1 || left[0].ParentID != other.ID {
			t.Fatalf("left pending %+v", left)
		}
	})
}

func TestMembersAndModerators(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		dad := f.User(auth.RoleParent, "张伟", "13900000001")
		wang := f.User(auth.RoleParent, "王强", "13900000003")
		for _, r := range [][2]any{{dad, [3]string{"20230201", "张小明", "父亲"}}, {wang, [3]string{"20230202", "王芳", "父亲"}}} {
			in := r[1].([3]string)
			req, err := f.join(r[0].(*auth.User), f.c32, in[0], in[1], in[2])
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Groups.Approve(ctx, f.head, f.c32.ID, req.ID); err != nil {
				t.Fatal(err)
			}
		}
		_, members, err := f.Groups.Members(ctx, dad, f.c32.ID)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[uint64]group.MemberView{}
		for _, m := range members {
			byID[m.UserID] = m
		}
		if m := byID[wang.ID]; m.Phone != "139****0003" || len(m.CallNames) != 1 || m.CallNames[0] != "王芳爸爸" {
			t.Fatalf("as seen by another parent: %+v", m)
		}
		if byID[dad.ID].Phone != "13900000001" {
			t.Fatal("own phone masked")
		}
		if members[0].UserID != f.head.ID || members[0].Role != group.RoleOwner {
			t.Fatalf("owner first: %+v", members[0])
		}
		_, members, _ = f.Groups.Members(ctx, f.head, f.c32.ID)
		for _, m := range members {
			if strings.Contains(m.Phone, "*") {
				t.Fatalf("owner sees a masked phone: %+v", m)
			}
		}
		// Another class's parent cannot see this group at all.
		if _, _, err := f.Groups.Members(ctx, f.otherHead, f.c32.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other head teacher: %v", err)
		}
		// Moderators: appointed by the owner only.
		if err := f.Groups.SetModerator(ctx, dad, f.c32.ID, wang.ID, true); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent appointing: %v", err)
		}
		if err := f.Groups.SetModerator(ctx, f.head, f.c32.ID, wang.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, role := f.IsMember(f.c32.ID, wang.ID); role != group.RoleModerator {
			t.Fatalf("role %s", role)
		}
		// A resync keeps the appointment.
		if err := f.Groups.Sync(ctx, g, nil); err != nil {
			t.Fatal(err)
		}
		if _, role := f.IsMember(f.c32.ID, wang.ID); role != group.RoleModerator {
			t.Fatalf("moderator lost at sync: %s", role)
		}
		if err := f.Groups.SetModerator(ctx, wang, f.c32.ID, dad.ID, true); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("moderator appointing: %v", err)
		}
		_, reqs, err := f.Groups.Requests(ctx, wang, f.c32.ID)
		if err != nil || reqs == nil && err != nil {
			t.Fatalf("moderator reading requests: %v", err)
		}
		// A parent made moderator still sees other people's numbers
		// masked (only the class's staff see them whole), their own whole.
		_, members, _ = f.Groups.Members(ctx, wang, f.c32.ID)
		for _, m := range members {
			if masked := strings.Contains(m.Phone, "*"); masked == (m.UserID == wang.ID) || m.PhoneFull == masked {
				t.Fatalf("parent moderator sees %+v", m)
			}
		}
		if err := f.Groups.SetModerator(ctx, f.head, f.c32.ID, wang.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.Groups.Requests(ctx, wang, f.c32.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("removed moderator reading requests: %v", err)
		}
	})
}

func TestMineAndAll(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.SQLite(t))
	ctx := context.Background()
	mine, err := f.Groups.Mine(ctx, f.head)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range mine {
		names = append(names, m.Name)
	}
	if strings.Join(names, ",") != "三年级(2)班家校群,学校家校群,学校办公群" {
		t.Fatalf("head teacher's groups: %v", names)
	}
	all, err := f.Groups.All(ctx)
	if err != nil || len(all) != 4 || all[0].Kind != group.KindStaff || all[0].Members != 3 {
		t.Fatalf("all: %+v %v", all, err)
	}
	adminMine, _ := f.Groups.Mine(ctx, f.admin)
	if len(adminMine) != 4 {
		t.Fatalf("admin sees %d groups", len(adminMine))
	}
	if err := f.Groups.Rename(ctx, f.head, f.c32.ID, "新名字"); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("teacher renamed a group: %v", err)
	}
	if err := f.Groups.Rename(ctx, f.admin, f.c32.ID, "三(2)班家长群"); err != nil {
		t.Fatal(err)
	}
	old := f.c32.InviteCode
	if err := f.Groups.ResetInvite(ctx, f.head, f.c32.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Groups.ByInvite(ctx, old); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatal("old invite code still works")
	}
}

// TestCountsAcrossInstances: member and request counts come from memory.
// A request, an approval or a removal updates them at once on the instance
// that made it and publishes a members event by which the others drop
// theirs.
func TestCountsAcrossInstances(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		other := group.NewService(group.Options{DB: g, Now: f.Clock.Now, Settings: f.Settings, Log: apptest.Logger()})
		count := func(s *group.Service) group.Counts {
			t.Helper()
			a, err := s.Access(ctx, f.head, f.c32.ID)
			if err != nil {
				t.Fatal(err)
			}
			c, err := s.Counts(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		events := func() int64 {
			var n int64
			g.Model(&event.Event{}).Where("kind = ? AND user_id = 0 AND group_id = 0", event.Members).Count(&n)
			return n
		}
		start := count(f.Groups)
		if start != count(other) || start.Pending != 0 {
			t.Fatalf("start: %+v and %+v", start, count(other))
		}
		before := events()
		p := f.User(auth.RoleParent, "张伟", "13900000001")
		req, err := f.join(p, f.c32, "20230201", "张小明", "父亲")
		if err != nil {
			t.Fatal(err)
		}
		if c := count(f.Groups); c.Pending != 1 {
			t.Fatalf("after the request, on its instance: %+v", c)
		}
		if c := count(other); c != start {
			t.Fatalf("the other instance read the database, not its copy: %+v", c)
		}
		if err := f.Groups.Approve(ctx, f.head, f.c32.ID, req.ID); err != nil {
			t.Fatal(err)
		}
		if c := count(f.Groups); c.Pending != 0 || c.Members != start.Members+1 {
			t.Fatalf("after approval: %+v, started at %+v", c, start)
		}
		if events() <= before {
			t.Fatal("no members event published")
		}
		other.ForgetCounts() // what its hub does on reading the event
		if c := count(other); c.Pending != 0 || c.Members != start.Members+1 {
			t.Fatalf("the other instance after the event: %+v", c)
		}
		if err := f.Groups.Remove(ctx, f.head, f.c32.ID, p.ID, "发广告", false); err != nil {
			t.Fatal(err)
		}
		if c := count(f.Groups); c.Members != start.Members {
			t.Fatalf("after removal: %+v", c)
		}
		// The group list shows the same count.
		mine, err := f.Groups.Mine(ctx, f.head)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range mine {
			if s.ID == f.c32.ID && s.Members != start.Members {
				t.Fatalf("Mine: %+v", s)
			}
		}
	})
}

// TestParentModeratorActsOnParentsOnly: a parent appointed moderator may
// mute and remove parents, never the class's teachers; a teacher
// moderator and the owner may.
func TestParentModeratorActsOnParentsOnly(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		// A second teacher of 3-2, not its head.
		f.Staff(staff + "赵敏,13800000004,教师,英语教研组,3年级2班,\n")
		teacher := f.ByPhone("13800000004")
		admit := func(name, phone, no, child string) *auth.User {
			p := f.User(auth.RoleParent, name, phone)
			req, err := f.join(p, f.c32, no, child, "父亲")
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Groups.Approve(ctx, f.head, f.c32.ID, req.ID); err != nil {
				t.Fatal(err)
			}
			return p
		}
		mod := admit("张伟", "13900000001", "20230201", "张小明")
		other := admit("王强", "13900000003", "20230202", "王芳")
		if err := f.Groups.SetModerator(ctx, f.head, f.c32.ID, mod.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.Groups.MuteMember(ctx, mod, f.c32.ID, teacher.ID, 60); !errors.Is(err, group.ErrParentOverStaff) {
			t.Fatalf("parent moderator muting a teacher: %v", err)
		}
		if err := f.Groups.Remove(ctx, mod, f.c32.ID, teacher.ID, "无关内容", false); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent moderator removing a teacher: %v", err)
		}
		if err := f.Groups.MuteMember(ctx, mod, f.c32.ID, other.ID, 60); err != nil {
			t.Fatalf("parent moderator muting a parent: %v", err)
		}
		_, members, err := f.Groups.Members(ctx, mod, f.c32.ID)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := f.Groups.Access(ctx, mod, f.c32.ID)
		for _, m := range members {
			if m.UserID == teacher.ID && (a.CanMute(mod.ID, m) || a.CanRemove(mod.ID, m)) {
				t.Fatal("the members page offers a parent moderator to mute or remove a teacher")
			}
		}
		// A teacher appointed moderator may mute a colleague who is a plain member.
		if err := f.Groups.SetModerator(ctx, f.head, f.c32.ID, teacher.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := f.Groups.MuteMember(ctx, teacher, f.c32.ID, other.ID, 60); err != nil {
			t.Fatalf("teacher moderator muting a parent: %v", err)
		}
	})
}

// TestGuardianCapHoldsInParallel: four parents of one child approved at
// the same moment by two moderators: the cap of two holds.
func TestGuardianCapHoldsInParallel(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		var reqs []group.JoinRequest
		for i, rel := range []string{"父亲", "母亲", "爷爷", "奶奶"} {
			p := f.User(auth.RoleParent, "家长"+string(rune('甲'+i)), fmt.Sprintf("1390000100%d", i))
			r, err := f.join(p, f.c32, "20230201", "张小明", rel)
			if err != nil {
				t.Fatal(err)
			}
			reqs = append(reqs, r)
		}
		var wg sync.WaitGroup
		var approved atomic.Int32
		for i, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				by := f.head
				if i%2 == 1 {
					by = f.admin
				}
				if err := f.Groups.Approve(ctx, by, f.c32.ID, r.ID); err == nil {
					approved.Add(1)
				}
			}()
		}
		wg.Wait()
		var n int64
		g.Model(&school.Guardianship{}).Joins("JOIN students ON students.id = guardianships.student_id").
			Where("students.student_no = ? AND guardianships.revoked_at IS NULL", "20230201").Count(&n)
		if n != 2 || approved.Load() != 2 {
			t.Fatalf("%d guardians, %d approvals of 4 at once; the cap is 2", n, approved.Load())
		}
	})
}

// A class group calls a parent by their child (张小明爸爸), and keeps doing
// so under their old messages after the child has left the school; the
// member list knows only enrolled children.
func TestDisplayNamesOutliveEnrolment(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.SQLite(t))
	ctx := context.Background()
	dad := f.User(auth.RoleParent, "张伟", "13900000001")
	r, err := f.join(dad, f.c32, "20230201", "张小明", "父亲")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Groups.Approve(ctx, f.head, f.c32.ID, r.ID); err != nil {
		t.Fatal(err)
	}
	names, err := f.Groups.DisplayNames(ctx, f.c32, []uint64{dad.ID})
	if err != nil || names[dad.ID].Call != "张小明爸爸" {
		t.Fatalf("enrolled: %+v %v", names[dad.ID], err)
	}
	if err := f.School.SetStudentStatus(ctx, f.admin, r.StudentID, school.Graduated); err != nil {
		t.Fatal(err)
	}
	if names, _ := f.Groups.DisplayNames(ctx, f.c32, []uint64{dad.ID}); names[dad.ID].Call != "张小明爸爸" {
		t.Errorf("after graduation the old messages say %+v", names[dad.ID])
	}
	kids, _ := school.ChildrenOf(ctx, f.DB, school.ChildFilter{Parents: []uint64{dad.ID}})
	if len(kids) != 0 {
		t.Errorf("a graduated child still counts as enrolled: %+v", kids)
	}
}
