package message_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/event"
	"jiaxiao/app/filter"
	"jiaxiao/app/group"
	"jiaxiao/app/message"
	"jiaxiao/app/modlog"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
)

const roster = `年级,班级,学号,姓名
3,2,20230201,张小明
3,2,20230202,王芳
3,3,20230301,赵雷
`

const staff = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,3年级2班,3年级2班
`

type fx struct {
	*apptest.World
	admin, head, dad, wang, zhao *auth.User
	c32, c33, schoolG            group.Group
}

func setup(t *testing.T, g *gorm.DB) *fx {
	w := apptest.NewWorld(t, g)
	ctx := context.Background()
	w.Students(roster, school.ImportOptions{})
	w.Staff(staff)
	if err := w.Words.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fx{World: w, admin: w.ByPhone("13800000001"), head: w.ByPhone("13800000002"), c32: w.ClassGroup(3, 2), c33: w.ClassGroup(3, 3), schoolG: w.KindGroup(group.KindSchool)}
	admit := func(name, phone string, g group.Group, no, child, rel string) *auth.User {
		u := w.User(auth.RoleParent, name, phone)
		req, err := w.Groups.Join(ctx, u, g.InviteCode, group.JoinInput{StudentNo: no, StudentName: child, Relation: rel})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Groups.Approve(ctx, f.admin, g.ID, req.ID); err != nil {
			t.Fatal(err)
		}
		return u
	}
	f.dad = admit("张伟", "13900000001", f.c32, "20230201", "张小明", "父亲")
	f.wang = admit("王强", "13900000003", f.c32, "20230202", "王芳", "父亲")
	f.zhao = admit("赵国庆", "13900000006", f.c33, "20230301", "赵雷", "父亲")
	return f
}

func (f *fx) post(u *auth.User, g group.Group, body string) (message.Message, error) {
	return f.Messages.Post(context.Background(), u, g.ID, message.PostInput{Body: body})
}

func (f *fx) visibleTo(t *testing.T, u *auth.User, g group.Group) []string {
	t.Helper()
	p, err := f.Messages.List(context.Background(), u, g.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range p.Messages {
		out = append(out, string(m.Status)+":"+m.Body)
	}
	return out
}

func TestPostFilterActions(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		if _, err := f.post(f.dad, f.c32, "明天记得带 作业本"); err != nil {
			t.Fatal(err)
		}
		// block: refused, the category named, nothing stored.
		_, err := f.post(f.dad, f.c32, "兼职刷 单，日结！")
		var be *message.BlockedError
		if !errors.As(err, &be) || be.Category != filter.Ads || !strings.Contains(err.Error(), "商业广告") {
			t.Fatalf("block: %v", err)
		}
		if _, ok := apperr.AsValidation(err); !ok {
			t.Fatal("a refusal must be a validation error (422)")
		}
		// mask: stored with ＊.
		m, err := f.post(f.wang, f.c32, "你个傻逼")
		if err != nil || m.Status != message.Visible || m.Body != "你个＊＊" {
			t.Fatalf("mask: %+v %v", m, err)
		}
		// review: held, seen only by the author and moderators.
		m, err = f.post(f.dad, f.c32, "帮我砍一刀谢谢")
		if err != nil || m.Status != message.Held {
			t.Fatalf("review: %+v %v", m, err)
		}
		if got := strings.Join(f.visibleTo(t, f.wang, f.c32), "|"); strings.Contains(got, "砍一刀") {
			t.Fatalf("held message shown to another parent: %s", got)
		}
		for _, u := range []*auth.User{f.dad, f.head} {
			if got := strings.Join(f.visibleTo(t, u, f.c32), "|"); !strings.Contains(got, "held:帮我砍一刀谢谢") {
				t.Fatalf("held message hidden from %s: %s", u.Name, got)
			}
		}
		// A group's own list applies in that group only.
		if err := f.Words.Add(ctx, f.head, f.c32.ID, "奶茶", filter.Offtopic, filter.Block); err != nil {
			t.Fatal(err)
		}
		if _, err := f.post(f.dad, f.c32, "一起喝奶茶"); err == nil {
			t.Fatal("group word not applied")
		}
		if _, err := f.post(f.zhao, f.c33, "一起喝奶茶"); err != nil {
			t.Fatalf("another group's word applied: %v", err)
		}
		// Teachers may share links; a parent's link is held.
		if m, err := f.post(f.head, f.c32, "作业见 https://school.example.cn/hw"); err != nil || m.Status != message.Visible {
			t.Fatalf("teacher's link: %+v %v", m, err)
		}
		if m, err := f.post(f.wang, f.c32, "看 https://shop.example.com/sale"); err != nil || m.Status != message.Held {
			t.Fatalf("parent's link: %+v %v", m, err)
		}
	})
}

func TestFloodRateAndMentions(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		for i, want := range []message.Status{message.Visible, message.Visible, message.Held} {
			m, err := f.post(f.dad, f.c32, "收到")
			if err != nil || m.Status != want {
				t.Fatalf("repeat %d: %+v %v", i+1, m, err)
			}
		}
		for i := 0; i < message.RatePerMinute-3; i++ {
			if _, err := f.post(f.dad, f.c32, "第"+string(rune('一'+i))+"条"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.post(f.dad, f.c32, "再来一条"); !errors.Is(err, apperr.ErrTooMany) {
			t.Fatalf("rate limit: %v", err)
		}
		f.Clock.Advance(time.Minute + time.Second)
		if _, err := f.post(f.dad, f.c32, "再来一条"); err != nil {
			t.Fatalf("after a minute: %v", err)
		}
		if _, err := f.post(f.wang, f.c32, "@所有人 开会了"); err == nil {
			t.Fatal("a parent used @所有人")
		}
		if m, err := f.post(f.head, f.c32, "@所有人 明天开家长会"); err != nil || !m.MentionAll {
			t.Fatalf("owner @所有人: %+v %v", m, err)
		}
	})
}

func TestPostingRights(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		// The school group is staff-only until an admin opens it.
		if _, err := f.post(f.dad, f.schoolG, "大家好"); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent in school group: %v", err)
		}
		if _, err := f.post(f.head, f.schoolG, "通知：周五放假"); err != nil {
			t.Fatal(err)
		}
		if err := f.Groups.SetPostingOpen(ctx, f.head, f.schoolG.ID, true); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("teacher opened the school group: %v", err)
		}
		if err := f.Groups.SetPostingOpen(ctx, f.admin, f.schoolG.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.post(f.dad, f.schoolG, "大家好"); err != nil {
			t.Fatalf("after opening: %v", err)
		}
		// Mute-all: only the owner and moderators speak.
		if err := f.Groups.SetMuteAll(ctx, f.dad, f.c32.ID, true); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent muted all: %v", err)
		}
		if err := f.Groups.SetMuteAll(ctx, f.head, f.c32.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.post(f.dad, f.c32, "在吗"); !errors.Is(err, group.ErrAllMuted) {
			t.Fatalf("muted all: %v", err)
		}
		if _, err := f.post(f.head, f.c32, "请安静"); err != nil {
			t.Fatal(err)
		}
		_ = f.Groups.SetMuteAll(ctx, f.head, f.c32.ID, false)
		// A personal mute ends on time.
		if err := f.Groups.MuteMember(ctx, f.head, f.c32.ID, f.wang.ID, 7); err == nil {
			t.Fatal("a mute of 7 minutes accepted")
		}
		if err := f.Groups.MuteMember(ctx, f.wang, f.c32.ID, f.dad.ID, 5); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent muting: %v", err)
		}
		if err := f.Groups.MuteMember(ctx, f.head, f.c32.ID, f.wang.ID, 60); err != nil {
			t.Fatal(err)
		}
		var me *group.MutedError
		if _, err := f.post(f.wang, f.c32, "为什么"); !errors.As(err, &me) || !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("muted: %v", err)
		}
		f.Clock.Advance(61 * time.Minute)
		if _, err := f.post(f.wang, f.c32, "好的"); err != nil {
			t.Fatalf("after the mute: %v", err)
		}
	})
}

func TestDeleteAndHeldDecisions(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		m, _ := f.post(f.dad, f.c32, "今天作业是什么")
		if err := f.Messages.Delete(ctx, f.wang, f.c32.ID, m.ID, "不好"); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("another parent deleted: %v", err)
		}
		if err := f.Messages.Delete(ctx, f.head, f.c32.ID, m.ID, ""); err == nil {
			t.Fatal("moderator deleted without a reason")
		}
		if err := f.Messages.Delete(ctx, f.head, f.c32.ID, m.ID, "与教学无关"); err != nil {
			t.Fatal(err)
		}
		if got := f.visibleTo(t, f.wang, f.c32); len(got) != 1 || got[0] != "deleted:" {
			t.Fatalf("after delete: %v", got)
		}
		own, _ := f.post(f.wang, f.c32, "发错了")
		if err := f.Messages.Delete(ctx, f.wang, f.c32.ID, own.ID, ""); err != nil {
			t.Fatalf("taking back one's own: %v", err)
		}
		held, _ := f.post(f.dad, f.c32, "帮忙投票给我家孩子")
		if err := f.Messages.Decide(ctx, f.wang, f.c32.ID, held.ID, true, ""); !errors.Is(err, apperr.ErrNotFound) && !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent approving: %v", err)
		}
		if err := f.Messages.Decide(ctx, f.head, f.c32.ID, held.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(f.visibleTo(t, f.wang, f.c32), "|"); !strings.Contains(got, "visible:帮忙投票给我家孩子") {
			t.Fatalf("approved message not visible: %s", got)
		}
		held2, _ := f.post(f.dad, f.c32, "拉票啦")
		if err := f.Messages.Decide(ctx, f.head, f.c32.ID, held2.ID, false, "请勿拉票"); err != nil {
			t.Fatal(err)
		}
		log, err := f.Groups.ModerationLog(ctx, f.head, f.c32.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, l := range log {
			actions = append(actions, l.Action)
		}
		if strings.Join(actions, ",") != modlog.RejectMessage+","+modlog.ApproveMessage+","+modlog.DeleteMessage {
			t.Fatalf("moderation log %v", actions)
		}
		if _, err := f.Groups.ModerationLog(ctx, f.dad, f.c32.ID, 50); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent reading the moderation log: %v", err)
		}
		all, _ := notify.NewCentre(g, nil).List(ctx, f.dad.ID, 10)
		var ns []notify.Notification
		for _, n := range all {
			if strings.HasPrefix(n.Kind, "message_") {
				ns = append(ns, n)
			}
		}
		if len(ns) != 2 || !strings.Contains(ns[0].Body, "请勿拉票") {
			t.Fatalf("notifications %+v", ns)
		}
	})
}

func TestRemoveMember(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		if err := f.Groups.Remove(ctx, f.head, f.c32.ID, f.dad.ID, "", false); err == nil {
			t.Fatal("removed without a reason")
		}
		if err := f.Groups.Remove(ctx, f.wang, f.c32.ID, f.dad.ID, "发广告", false); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent removing: %v", err)
		}
		if err := f.Groups.Remove(ctx, f.admin, f.c32.ID, f.head.ID, "离开", false); err == nil {
			t.Fatal("a head teacher removed from the class group")
		}
		if err := f.Groups.Remove(ctx, f.head, f.c32.ID, f.dad.ID, "多次发布广告", true); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Messages.List(ctx, f.dad, f.c32.ID, 0); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("removed member still reads the feed: %v", err)
		}
		// A resync does not bring them back; the school group keeps them.
		if err := f.Groups.Sync(ctx, g, nil); err != nil {
			t.Fatal(err)
		}
		if in, _ := f.IsMember(f.c32.ID, f.dad.ID); in {
			t.Fatal("sync readmitted a removed member")
		}
		if in, _ := f.IsMember(f.schoolG.ID, f.dad.ID); !in {
			t.Fatal("removal from the class group took the school group too")
		}
		// Banned: no new request.
		if _, err := f.Groups.Join(ctx, f.dad, f.c32.InviteCode, group.JoinInput{StudentNo: "20230201", StudentName: "张小明", Relation: "父亲"}); !errors.Is(err, group.ErrBanned) {
			t.Fatalf("banned join: %v", err)
		}
		// Without a ban, the parent may ask again and be readmitted.
		if err := f.Groups.Remove(ctx, f.head, f.c32.ID, f.wang.ID, "请核实身份", false); err != nil {
			t.Fatal(err)
		}
		req, err := f.Groups.Join(ctx, f.wang, f.c32.InviteCode, group.JoinInput{StudentNo: "20230202", StudentName: "王芳", Relation: "父亲"})
		if err != nil {
			t.Fatalf("rejoin request: %v", err)
		}
		if err := f.Groups.Approve(ctx, f.head, f.c32.ID, req.ID); err != nil {
			t.Fatal(err)
		}
		if in, _ := f.IsMember(f.c32.ID, f.wang.ID); !in {
			t.Fatal("readmitted parent not a member")
		}
		// The removed member was told why, and their open page was told.
		ns, _ := notify.NewCentre(g, nil).List(ctx, f.dad.ID, 5)
		if len(ns) == 0 || !strings.Contains(ns[0].Body, "多次发布广告") {
			t.Fatalf("notification %+v", ns)
		}
		var n int64
		g.Model(&event.Event{}).Where("user_id = ? AND group_id = ? AND kind = ?", f.dad.ID, f.c32.ID, event.Removed).Count(&n)
		if n != 1 {
			t.Fatalf("removed events %d", n)
		}
	})
}

// TestNewestPageCache: the newest page of a feed comes from memory. A
// change shows at once on the instance that made it and, on another
// instance, once it reads the change's event; held messages stay visible
// to their author and the moderators only; Own follows the viewer.
func TestNewestPageCache(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		other := message.NewService(message.Options{DB: g, Now: f.Clock.Now, Groups: f.Groups, Filters: f.Words, Files: f.Files, Log: apptest.Logger()})
		list := func(s *message.Service, u *auth.User) []string {
			t.Helper()
			p, err := s.List(ctx, u, f.c32.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range p.Messages {
				mine := ""
				if m.Own {
					mine = "(我)"
				}
				out = append(out, string(m.Status)+":"+m.Body+mine)
			}
			return out
		}
		join := func(xs []string) string { return strings.Join(xs, " ") }
		if _, err := f.post(f.dad, f.c32, "第一条"); err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(time.Minute)
		if got := join(list(other, f.wang)); got != "visible:第一条" {
			t.Fatalf("other instance, first read: %s", got)
		}
		if got := join(list(other, f.dad)); got != "visible:第一条(我)" {
			t.Fatalf("the author's view marks their own: %s", got)
		}
		if _, err := f.post(f.wang, f.c32, "第二条"); err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(time.Minute)
		if got := join(list(f.Messages, f.dad)); got != "visible:第一条(我) visible:第二条" {
			t.Fatalf("the posting instance: %s", got)
		}
		if got := join(list(other, f.dad)); got != "visible:第一条(我)" {
			t.Fatalf("the other instance read the database, not its copy: %s", got)
		}
		other.Forget(f.c32.ID) // what its hub does on reading the message event
		if got := join(list(other, f.dad)); got != "visible:第一条(我) visible:第二条" {
			t.Fatalf("the other instance after the event: %s", got)
		}
		// A held message: its author and the moderators see it, nobody else.
		held, err := f.post(f.wang, f.c32, "看 https://shop.example.com/sale")
		if err != nil || held.Status != message.Held {
			t.Fatalf("held: %+v %v", held, err)
		}
		other.Forget(f.c32.ID)
		for _, c := range []struct {
			who  *auth.User
			want string
		}{
			{f.dad, "visible:第一条(我) visible:第二条"},
			{f.wang, "visible:第一条 visible:第二条(我) held:看 https://shop.example.com/sale(我)"},
			{f.head, "visible:第一条 visible:第二条 held:看 https://shop.example.com/sale"},
		} {
			for _, s := range []*message.Service{f.Messages, other} {
				if got := join(list(s, c.who)); got != c.want {
					t.Fatalf("%s sees %s, want %s", c.who.Name, got, c.want)
				}
			}
		}
		// Deleting on one instance; the other follows its event.
		if err := f.Messages.Delete(ctx, f.head, f.c32.ID, held.ID, "广告"); err != nil {
			t.Fatal(err)
		}
		other.Forget(f.c32.ID)
		for _, s := range []*message.Service{f.Messages, other} {
			if got := join(list(s, f.wang)); strings.Contains(got, "shop") {
				t.Fatalf("after deletion: %s", got)
			}
		}
	})
}

// TestGroupAllowCannotLiftSchoolBans: a group's moderators may allow a
// word their own list bans, but not one the school-wide list bans.
func TestGroupAllowCannotLiftSchoolBans(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		if err := f.Words.Add(ctx, f.head, f.c32.ID, "代开发票", filter.Illegal, filter.Allow); err != nil {
			t.Fatal(err)
		}
		if _, err := f.post(f.dad, f.c32, "谁能代开发票"); err == nil {
			t.Fatal("the group's allow entry lifted the school-wide ban")
		}
		if err := f.Words.Add(ctx, f.head, f.c32.ID, "奶茶", filter.Offtopic, filter.Block); err != nil {
			t.Fatal(err)
		}
		if _, err := f.post(f.dad, f.c32, "下午喝奶茶"); err == nil {
			t.Fatal("the group's own ban did not hold")
		}
		if err := f.Words.Add(ctx, f.head, f.c32.ID, "奶茶店", filter.Offtopic, filter.Allow); err != nil {
			t.Fatal(err)
		}
		f.Clock.Advance(time.Minute)
		if m, err := f.post(f.dad, f.c32, "奶茶店门口集合"); err != nil || m.Status != message.Visible {
			t.Fatalf("the group's allow entry did not lift its own ban: %+v %v", m, err)
		}
	})
}

// An author takes a message back within RecallWindow and not after; a
// moderator's own late message goes the moderator's way, with a reason
// that is logged; the feed tells the author how long they have left.
func TestRecallWindow(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		soon, _ := f.post(f.wang, f.c32, "发错群了")
		f.Clock.Advance(message.RecallWindow - time.Second)
		p, err := f.Messages.List(ctx, f.wang, f.c32.ID, 0)
		if err != nil || len(p.Messages) != 1 || p.Messages[0].RecallLeft != time.Second {
			t.Fatalf("recall left for the author: %+v %v", p.Messages, err)
		}
		if p, _ := f.Messages.List(ctx, f.dad, f.c32.ID, 0); p.Messages[0].RecallLeft != 0 {
			t.Fatalf("another member may recall: %v", p.Messages[0].RecallLeft)
		}
		if err := f.Messages.Delete(ctx, f.wang, f.c32.ID, soon.ID, ""); err != nil {
			t.Fatalf("within the window: %v", err)
		}
		var got message.Message
		g.Where("id = ?", soon.ID).Take(&got)
		if got.Status != message.Deleted || got.DeletedReason != message.RecalledReason {
			t.Fatalf("recalled: %+v", got)
		}

		late, _ := f.post(f.wang, f.c32, "明天几点到校？")
		f.Clock.Advance(message.RecallWindow + time.Second)
		if p, _ := f.Messages.List(ctx, f.wang, f.c32.ID, 0); p.Messages[len(p.Messages)-1].RecallLeft != 0 {
			t.Fatal("recall offered after the window")
		}
		err = f.Messages.Delete(ctx, f.wang, f.c32.ID, late.ID, "")
		if !errors.Is(err, apperr.ErrForbidden) || apperr.UserMessage(err) != "消息发出已超过 2 分钟，不能撤回" {
			t.Fatalf("late recall: %v", err)
		}
		var kept message.Message
		g.Where("id = ?", late.ID).Take(&kept)
		if kept.Status != message.Visible {
			t.Fatalf("late recall changed the message: %+v", kept)
		}

		// The head teacher (owner) past the window: a deletion with a reason, logged.
		own, _ := f.post(f.head, f.c32, "通知有误，以此为准")
		f.Clock.Advance(3 * time.Minute)
		if err := f.Messages.Delete(ctx, f.head, f.c32.ID, own.ID, ""); err == nil {
			t.Fatal("a moderator's late own deletion without a reason")
		}
		if err := f.Messages.Delete(ctx, f.head, f.c32.ID, own.ID, "内容有误"); err != nil {
			t.Fatal(err)
		}
		var logged int64
		g.Model(&modlog.Entry{}).Where("message_id = ? AND reason = ?", own.ID, "内容有误").Count(&logged)
		if logged != 1 {
			t.Fatalf("moderator's own late deletion logged %d times", logged)
		}
	})
}

// Staff are tagged in parents' groups: the class's head teacher 班主任,
// other teachers and admins 老师; parents and the staff group are not.
func TestAuthorTags(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		f.post(f.head, f.c32, "班主任的消息")
		f.Clock.Advance(time.Minute)
		f.post(f.admin, f.c32, "校长的消息")
		f.Clock.Advance(time.Minute)
		f.post(f.dad, f.c32, "家长的消息")
		p, err := f.Messages.List(ctx, f.wang, f.c32.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		tags := map[string]string{}
		for _, m := range p.Messages {
			tags[m.Body] = m.AuthorTag
		}
		want := map[string]string{"班主任的消息": group.TagHeadTeacher, "校长的消息": group.TagTeacher, "家长的消息": ""}
		for body, tag := range want {
			if tags[body] != tag {
				t.Errorf("%s: tag %q, want %q", body, tags[body], tag)
			}
		}
		staffG := f.KindGroup(group.KindStaff)
		f.Clock.Advance(time.Minute)
		if _, err := f.post(f.head, staffG, "办公群的消息"); err != nil {
			t.Fatal(err)
		}
		p, err = f.Messages.List(ctx, f.admin, staffG.ID, 0)
		if err != nil || len(p.Messages) == 0 || p.Messages[len(p.Messages)-1].AuthorTag != "" {
			t.Fatalf("staff group tags: %+v %v", p.Messages, err)
		}
	})
}
