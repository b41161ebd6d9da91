package notice_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/archive"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/notice"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
	"jiaxiao/storage"
)

const roster = `年级,班级,学号,姓名
3,2,20230201,张小明
3,2,20230202,王芳
3,3,20230301,赵雷
`

const staff = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,3年级2班,3年级2班
陈志强,13800000003,教师,数学教研组,3年级2班,
`

type fx struct {
	*apptest.World
	admin, head, teacher, dad, wang, zhao *auth.User
	c32, c33                              group.Group
}

func setup(t *testing.T, g *gorm.DB) *fx {
	w := apptest.NewWorld(t, g)
	ctx := context.Background()
	w.Students(roster, school.ImportOptions{})
	w.Staff(staff)
	if err := w.Words.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fx{World: w, admin: w.ByPhone("13800000001"), head: w.ByPhone("13800000002"), teacher: w.ByPhone("13800000003"),
		c32: w.ClassGroup(3, 2), c33: w.ClassGroup(3, 3)}
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
	// 10:00 on Monday 2 November 2026 in Shanghai: working hours.
	w.Clock.Set(time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC))
	return f
}

func (f *fx) compose(t *testing.T, in notice.ComposeInput) notice.Notice {
	t.Helper()
	n, err := f.Notices.Compose(context.Background(), f.head, in)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPublishReceiptsAndAck(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		if _, err := f.Notices.Compose(ctx, f.dad, notice.ComposeInput{Title: "家长通知", Category: "通知", GroupIDs: []uint64{f.c32.ID}}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent composing: %v", err)
		}
		if _, err := f.Notices.Compose(ctx, f.head, notice.ComposeInput{Title: "错群", Category: "通知", GroupIDs: []uint64{f.c33.ID}}); err == nil {
			t.Fatal("notice to a group the teacher is not in")
		}
		if _, err := f.Notices.Compose(ctx, f.head, notice.ComposeInput{Title: "兼职刷单", Category: "通知", GroupIDs: []uint64{f.c32.ID}}); err == nil {
			t.Fatal("banned content published")
		}
		// Both class groups' members, with the head teacher once, minus the author.
		n, err := f.Notices.Compose(ctx, f.admin, notice.ComposeInput{Title: "期中考试安排", Body: "11月10日期中考试。", Category: "通知",
			GroupIDs: []uint64{f.c32.ID, f.c33.ID, f.c32.ID}, RequiresAck: true})
		if err != nil {
			t.Fatal(err)
		}
		// 3-2: 李芳, 陈志强, 张伟, 王强; 3-3: 赵国庆.
		if n.Status != notice.Published || n.Recipients != 5 {
			t.Fatalf("published %+v", n)
		}
		if _, err := f.Notices.Open(ctx, f.dad, n.ID); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := f.Notices.Ack(ctx, f.wang, n.ID); err != nil {
				t.Fatal(err)
			}
		}
		_, p, lines, err := f.Notices.Receipts(ctx, f.admin, n.ID, notice.ReceiptsPage{})
		if err != nil {
			t.Fatal(err)
		}
		if p != (notice.Progress{Total: 5, Read: 2, Acked: 1}) {
			t.Fatalf("progress %+v", p)
		}
		if lines[0].ReadAt != nil || lines[len(lines)-1].ReadAt == nil {
			t.Fatal("unread not first")
		}
		for _, l := range lines {
			if l.UserID == f.dad.ID && l.Students != "张小明（三年级(2)班）" {
				t.Fatalf("student column %q", l.Students)
			}
		}
		// Who may see the receipts: the author, admins, moderators of a target group.
		if _, _, _, err := f.Notices.Receipts(ctx, f.head, n.ID, notice.ReceiptsPage{}); err != nil {
			t.Fatalf("head teacher (owner of a target group): %v", err)
		}
		if _, _, _, err := f.Notices.Receipts(ctx, f.dad, n.ID, notice.ReceiptsPage{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("recipient parent: %v", err)
		}
		if _, _, _, err := f.Notices.Receipts(ctx, f.teacher, n.ID, notice.ReceiptsPage{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("recipient teacher: %v", err)
		}
		other := f.User(auth.RoleParent, "孙丽", "13700000009")
		if _, err := f.Notices.Open(ctx, other, n.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("outsider: %v", err)
		}
		var buf bytes.Buffer
		if err := f.Notices.WriteCSV(&buf, lines); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
		if err != nil || strings.Join(rows[0], ",") != "姓名,手机,身份,学生,已读时间,确认时间" || len(rows) != 6 {
			t.Fatalf("csv %v %v", rows, err)
		}
		// Recipients were told live.
		ns, _ := notify.NewCentre(g, nil).List(ctx, f.zhao.ID, 5)
		if len(ns) == 0 || ns[0].Kind != "notice" || !strings.Contains(ns[0].Title, "期中考试安排") {
			t.Fatalf("notifications %+v", ns)
		}
		// A member added after publication is not a recipient.
		late := f.User(auth.RoleParent, "王丽", "13700000008")
		req, _ := f.Groups.Join(ctx, late, f.c32.InviteCode, group.JoinInput{StudentNo: "20230202", StudentName: "王芳", Relation: "母亲"})
		_ = f.Groups.Approve(ctx, f.head, f.c32.ID, req.ID)
		if _, err := f.Notices.Open(ctx, late, n.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("member who joined later: %v", err)
		}
	})
}

func TestScheduledPublish(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		at := f.Clock.Now().Add(3 * time.Hour)
		n := f.compose(t, notice.ComposeInput{Title: "明日放学时间调整", Category: "通知", GroupIDs: []uint64{f.c32.ID}, PublishAt: &at})
		if n.Status != notice.Scheduled {
			t.Fatalf("status %s", n.Status)
		}
		if _, err := f.Notices.Open(ctx, f.dad, n.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("scheduled notice visible to a parent: %v", err)
		}
		w := f.Worker()
		if ran, _ := w.RunDue(ctx); ran != 0 {
			t.Fatalf("ran %d before time", ran)
		}
		f.Clock.Advance(3 * time.Hour)
		if _, err := w.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		v, err := f.Notices.Open(ctx, f.dad, n.ID)
		if err != nil || v.Status != notice.Published || v.Recipients != 3 {
			t.Fatalf("after publish time: %+v %v", v.Notice, err)
		}
	})
}

func TestDing(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		n := f.compose(t, notice.ComposeInput{Title: "安全提醒：注意防溺水", Category: "安全提醒", GroupIDs: []uint64{f.c32.ID}})
		if _, err := f.Notices.Open(ctx, f.dad, n.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Notices.Ding(ctx, f.dad, n.ID, notice.DingPending); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("parent DING: %v", err)
		}
		count, err := f.Notices.Ding(ctx, f.head, n.ID, notice.DingPending)
		if err != nil || count.Now != 2 || count.Later != 0 { // 王强 and 陈志强; 张伟 has read it
			t.Fatalf("manual DING: %+v %v", count, err)
		}
		f.Clock.Advance(4*time.Minute + 59*time.Second)
		if _, err := f.Notices.Ding(ctx, f.head, n.ID, notice.DingPending); !errors.Is(err, apperr.ErrTooMany) {
			t.Fatalf("DING within 5 minutes: %v", err)
		}
		f.Clock.Advance(time.Second)
		if _, err := f.Notices.Ding(ctx, f.head, n.ID, notice.DingPending); err != nil {
			t.Fatalf("DING after 5 minutes: %v", err)
		}
		// Nothing has left yet: the outbox sends after the commit.
		if sent := f.Sent.Sent(); len(sent) != 0 {
			t.Fatalf("sent inside the DING: %v", sent)
		}
		if _, err := f.Worker().RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		dinged := map[string]int{}
		for _, m := range f.Sent.Sent() {
			dinged[m.Phone]++
		}
		if dinged[f.dad.Phone] != 0 || dinged[f.wang.Phone] != 2 || dinged[f.teacher.Phone] != 2 {
			t.Fatalf("DINGs sent: %v (王强 and 陈志强 twice each, the reader never)", dinged)
		}
	})
}

// A DING in quiet hours says what it did: staff at once, parents queued
// until the end of quiet hours.
func TestDingInQuietHoursSaysQueued(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.SQLite(t))
	ctx := context.Background()
	n := f.compose(t, notice.ComposeInput{Title: "明天停课通知", Category: "通知", GroupIDs: []uint64{f.c32.ID}})
	if _, err := f.Notices.Open(ctx, f.dad, n.ID); err != nil {
		t.Fatal(err)
	}
	f.Clock.Set(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)) // 22:00 in Shanghai
	d, err := f.Notices.Ding(ctx, f.head, n.ID, notice.DingPending)
	if err != nil {
		t.Fatal(err)
	}
	morning := time.Date(2026, 11, 2, 23, 0, 0, 0, time.UTC) // 07:00
	if d.Now != 1 || d.Later != 1 || !d.At.Equal(morning) {
		t.Fatalf("DING at 22:00: %+v (the teacher now, 王强 at 07:00)", d)
	}
}

func TestAutoDingWaitsForMorning(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	f := setup(t, g)
	ctx := context.Background()
	// Saturday 10:00: outside working hours, so 12 hours later — 22:00, quiet hours.
	f.Clock.Set(time.Date(2026, 11, 7, 2, 0, 0, 0, time.UTC))
	n := f.compose(t, notice.ComposeInput{Title: "周一升旗仪式", Category: "活动", GroupIDs: []uint64{f.c32.ID}})
	if want := time.Date(2026, 11, 7, 14, 0, 0, 0, time.UTC); !n.AutoDingAt.Equal(want) {
		t.Fatalf("auto DING at %s, want %s", n.AutoDingAt, want)
	}
	if _, err := f.Notices.Open(ctx, f.wang, n.ID); err != nil { // 王强 reads it in time
		t.Fatal(err)
	}
	w := f.Worker()
	f.Clock.Set(*n.AutoDingAt)
	if _, err := w.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	phones := func() map[string]int {
		if _, err := w.RunDue(ctx); err != nil { // the outbox
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, m := range f.Sent.Sent() {
			if m.Kind == "ding" {
				out[m.Phone]++
			}
		}
		return out
	}
	got := phones()
	if got[f.teacher.Phone] != 1 || got[f.dad.Phone] != 0 || got[f.wang.Phone] != 0 {
		t.Fatalf("at 22:00: %v (the teacher at once, the parent in the morning, the reader never)", got)
	}
	f.Clock.Set(time.Date(2026, 11, 7, 22, 59, 0, 0, time.UTC)) // 06:59 Sunday
	_, _ = w.RunDue(ctx)
	if phones()[f.dad.Phone] != 0 {
		t.Fatal("a parent DINGed in quiet hours")
	}
	f.Clock.Set(time.Date(2026, 11, 7, 23, 0, 0, 0, time.UTC)) // 07:00 Sunday
	_, _ = w.RunDue(ctx)
	if got := phones(); got[f.dad.Phone] != 1 || got[f.teacher.Phone] != 1 {
		t.Fatalf("morning: %v", got)
	}
	// Once only.
	f.Clock.Advance(24 * time.Hour)
	_, _ = w.RunDue(ctx)
	if got := phones(); got[f.dad.Phone] != 1 {
		t.Fatalf("DINGed again: %v", got)
	}
}

func attachment(t *testing.T, name string, body string) file.Prepared {
	t.Helper()
	p, err := file.Prepare("file", name, []byte("%PDF-1.4\n"+body))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func bundleOf(t *testing.T, store storage.Store, g *gorm.DB, noticeID uint64) archive.Bundle {
	t.Helper()
	var e archive.Entry
	if err := g.Where("notice_id = ?", noticeID).Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	if e.ArchivedAt == nil {
		t.Fatal("not archived")
	}
	rc, _, err := store.Get(context.Background(), e.BundleKey)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var b archive.Bundle
	if err := json.NewDecoder(rc).Decode(&b); err != nil {
		t.Fatal(err)
	}
	for _, a := range b.Attachments {
		rc, _, err := store.Get(context.Background(), a.Key)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != a.SHA256 {
			t.Fatalf("%s: stored sha256 differs from the bundle's", a.Key)
		}
	}
	return b
}

func TestArchiveBundle(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		n := f.compose(t, notice.ComposeInput{Title: "春游安排", Body: "请带好水杯。", Category: "活动", GroupIDs: []uint64{f.c32.ID},
			Files: []file.Prepared{attachment(t, "春游须知.pdf", "须知")}})
		if v, _ := f.Notices.Open(ctx, f.head, n.ID); v.Archived {
			t.Fatal("archived before the job ran")
		}
		if _, err := f.Worker().RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		b := bundleOf(t, f.Store, g, n.ID)
		if b.Title != "春游安排" || len(b.Attachments) != 1 || b.Attachments[0].Name != "春游须知.pdf" || len(b.Groups) != 1 {
			t.Fatalf("bundle %+v", b)
		}
		if v, _ := f.Notices.Open(ctx, f.head, n.ID); !v.Archived {
			t.Fatal("not marked archived")
		}
		hits, total, err := f.Archive.Search(ctx, f.dad, archive.Query{Q: "水杯"})
		if err != nil || total != 1 || hits[0].Title != "春游安排" {
			t.Fatalf("search: %+v %d %v", hits, total, err)
		}
		if _, total, _ := f.Archive.Search(ctx, f.zhao, archive.Query{Q: "水杯"}); total != 0 {
			t.Fatal("a parent of 3-3 sees 3-2's archive")
		}
	})
}

// MinIO goes down: a notice with an attachment is still published and
// readable; when MinIO is back, the bundle lands with matching SHA-256s.
func TestArchiveSurvivesMinIOOutage(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	f := setup(t, g)
	ctx := context.Background()
	m := apptest.StartMinIO(t)
	store, err := storage.NewMinIO(ctx, storage.MinIOOptions{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "archive"})
	if err != nil {
		t.Fatal(err)
	}
	f.UseStore(store)
	m.Stop()
	n := f.compose(t, notice.ComposeInput{Title: "停水通知", Body: "周三停水。", Category: "通知", GroupIDs: []uint64{f.c32.ID},
		Files: []file.Prepared{attachment(t, "停水.pdf", "周三")}})
	v, err := f.Notices.Open(ctx, f.dad, n.ID)
	if err != nil || v.Archived || len(v.Files) != 1 || !v.Files[0].Staged {
		t.Fatalf("published while MinIO is down: %+v %v", v.Files, err)
	}
	_, rc, err := f.Files.Download(ctx, v.Files[0])
	if err != nil {
		t.Fatalf("attachment unreadable while MinIO is down: %v", err)
	}
	rc.Close()
	w := f.Worker()
	jctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	_, _ = w.RunDue(jctx)
	cancel()
	var e archive.Entry
	g.Where("notice_id = ?", n.ID).Take(&e)
	if e.ArchivedAt != nil {
		t.Fatal("archived while MinIO was down")
	}
	m.Start()
	f.Clock.Advance(time.Hour) // past the retry backoff
	if _, err := w.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	b := bundleOf(t, store, g, n.ID)
	if len(b.Attachments) != 1 {
		t.Fatalf("bundle %+v", b)
	}
	v, _ = f.Notices.Open(ctx, f.dad, n.ID)
	if !v.Archived || v.Files[0].Staged {
		t.Fatalf("after recovery: archived=%v staged=%v", v.Archived, v.Files[0].Staged)
	}
}

// TestList: a recipient's unread notices come first, then the rest newest
// first, with their read and 收到 times; an author also sees what they
// wrote; nobody sees a notice they neither received nor wrote.
func TestList(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		var ns []notice.Notice
		for _, title := range []string{"第一则", "第二则", "第三则"} {
			ns = append(ns, f.compose(t, notice.ComposeInput{Title: title, Body: "请家长留意。", Category: "通知", GroupIDs: []uint64{f.c32.ID}, RequiresAck: true}))
			f.Clock.Advance(time.Minute)
		}
		if _, err := f.Notices.Open(ctx, f.dad, ns[2].ID); err != nil {
			t.Fatal(err)
		}
		if err := f.Notices.Ack(ctx, f.dad, ns[0].ID); err != nil {
			t.Fatal(err)
		}
		titles := func(list []notice.Summary) string {
			var out []string
			for _, s := range list {
				state := "未读"
				if s.ReadAt != nil {
					state = "已读"
				}
				if s.AckedAt != nil {
					state += "已确认"
				}
				if s.Mine {
					state += "(我发的)"
				}
				out = append(out, s.Title+state)
			}
			return strings.Join(out, " ")
		}
		list, err := f.Notices.List(ctx, f.dad, 20)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := titles(list), "第二则未读 第三则已读 第一则已读已确认"; got != want {
			t.Fatalf("parent's list: %s, want %s", got, want)
		}
		if list, _ = f.Notices.List(ctx, f.dad, 1); titles(list) != "第二则未读" {
			t.Fatalf("limit 1: %s", titles(list))
		}
		list, err = f.Notices.List(ctx, f.head, 20)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := titles(list), "第三则未读(我发的) 第二则未读(我发的) 第一则未读(我发的)"; got != want {
			t.Fatalf("author's list: %s, want %s", got, want)
		}
		if list, _ = f.Notices.List(ctx, f.zhao, 20); len(list) != 0 {
			t.Fatalf("a parent of another class sees %s", titles(list))
		}
		if _, err := f.Notices.List(ctx, nil, 20); err == nil {
			t.Fatal("no actor listed notices")
		}
	})
}

// TestReceiptsPaged: a page of receipts is a slice of the whole list in
// the same order (unread first), with the children of the parents on it;
// the progress counts every receipt whatever the page.
func TestReceiptsPaged(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		n, err := f.Notices.Compose(ctx, f.admin, notice.ComposeInput{Title: "期中考试安排", Body: "11月10日期中考试。", Category: "通知",
			GroupIDs: []uint64{f.c32.ID, f.c33.ID}, RequiresAck: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Notices.Open(ctx, f.zhao, n.ID); err != nil {
			t.Fatal(err)
		}
		_, all, every, err := f.Notices.Receipts(ctx, f.admin, n.ID, notice.ReceiptsPage{})
		if err != nil || len(every) != 5 || all != (notice.Progress{Total: 5, Read: 1}) {
			t.Fatalf("every line: %d lines %+v %v", len(every), all, err)
		}
		var paged []notice.Line
		for off := 0; off < 6; off += 2 {
			_, p, lines, err := f.Notices.Receipts(ctx, f.admin, n.ID, notice.ReceiptsPage{Offset: off, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			if p != all {
				t.Fatalf("progress on the page at %d: %+v, want %+v", off, p, all)
			}
			paged = append(paged, lines...)
		}
		if len(paged) != len(every) {
			t.Fatalf("pages hold %d lines, the whole list %d", len(paged), len(every))
		}
		for i := range every {
			if paged[i].UserID != every[i].UserID || paged[i].Students != every[i].Students {
				t.Fatalf("line %d: paged %+v, whole %+v", i, paged[i], every[i])
			}
		}
		if last := paged[len(paged)-1]; last.UserID != f.zhao.ID || last.Students != "赵雷（三年级(3)班）" {
			t.Fatalf("the one reader should come last with his child: %+v", last)
		}
	})
}

// TestReceiptsMaskPhones: the receipts (page and CSV) show a full phone
// number only where the viewer's member lists would: to admins, and to
// the head teacher and staff moderators of the recipient's class. A plain
// teacher writing to the whole school, or a parent made moderator, sees
// other parents' numbers masked.
func TestReceiptsMaskPhones(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		schoolG := f.KindGroup(group.KindSchool)
		phones := func(viewer *auth.User, n notice.Notice) map[string]string {
			t.Helper()
			_, _, lines, err := f.Notices.Receipts(ctx, viewer, n.ID, notice.ReceiptsPage{})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, l := range lines {
				out[l.Name] = l.Phone
			}
			return out
		}
		byTeacher, err := f.Notices.Compose(ctx, f.teacher, notice.ComposeInput{Title: "运动会", Body: "周五运动会。", Category: "活动", GroupIDs: []uint64{schoolG.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if got := phones(f.teacher, byTeacher); got["张伟"] != "139****0001" || got["赵国庆"] != "139****0006" {
			t.Fatalf("a plain teacher's whole-school receipts: %v", got)
		}
		if got := phones(f.admin, byTeacher); got["张伟"] != "13900000001" || got["赵国庆"] != "13900000006" {
			t.Fatalf("the admin's view: %v", got)
		}
		byHead := f.compose(t, notice.ComposeInput{Title: "家长会", Body: "周五家长会。", Category: "通知", GroupIDs: []uint64{schoolG.ID}})
		if got := phones(f.head, byHead); got["张伟"] != "13900000001" || got["赵国庆"] != "139****0006" {
			t.Fatalf("the head teacher of 3-2: her class's parents in full, others masked: %v", got)
		}
		// A parent appointed moderator of 3-2 sees the receipts of a notice
		// to 3-2, with the other parents' numbers masked.
		if err := f.Groups.SetModerator(ctx, f.head, f.c32.ID, f.wang.ID, true); err != nil {
			t.Fatal(err)
		}
		toClass := f.compose(t, notice.ComposeInput{Title: "春游", Body: "周五春游。", Category: "活动", GroupIDs: []uint64{f.c32.ID}})
		if got := phones(f.wang, toClass); got["张伟"] != "139****0001" {
			t.Fatalf("a parent moderator's view: %v", got)
		}
		var buf bytes.Buffer
		_, _, lines, _ := f.Notices.Receipts(ctx, f.teacher, byTeacher.ID, notice.ReceiptsPage{})
		if err := f.Notices.WriteCSV(&buf, lines); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "13900000001") || !strings.Contains(buf.String(), "139****0001") {
			t.Fatalf("the CSV leaks a full number:\n%s", buf.String())
		}
	})
}
