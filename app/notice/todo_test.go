package notice_test

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
	"jiaxiao/app/notice"
	"jiaxiao/app/notify"
)

// TestDingTargets: a DING by hand reaches the unread, the read but not
// acknowledged, or both; one rate limit covers them all; the one who read
// it is asked to acknowledge, not to read.
func TestDingTargets(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		// To 3-2: 陈志强, 张伟, 王强. 张伟 reads it, 王强 acknowledges it.
		n := f.compose(t, notice.ComposeInput{Title: "秋游报名", Category: "活动", GroupIDs: []uint64{f.c32.ID}, RequiresAck: true})
		if _, err := f.Notices.Open(ctx, f.dad, n.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.Notices.Ack(ctx, f.wang, n.ID); err != nil {
			t.Fatal(err)
		}
		d, err := f.Notices.Ding(ctx, f.head, n.ID, notice.DingUnacked)
		if err != nil || d != (notice.Dinged{Now: 1, Unacked: 1}) {
			t.Fatalf("DING the unacknowledged: %+v %v", d, err)
		}
		if _, err := f.Notices.Ding(ctx, f.head, n.ID, notice.DingUnread); !errors.Is(err, apperr.ErrTooMany) {
			t.Fatalf("a second DING within 5 minutes, another target: %v", err)
		}
		f.Clock.Advance(5 * time.Minute)
		d, err = f.Notices.Ding(ctx, f.head, n.ID, notice.DingPending)
		if err != nil || d != (notice.Dinged{Now: 2, Unread: 1, Unacked: 1}) {
			t.Fatalf("DING everyone pending: %+v %v", d, err)
		}
		titles := map[uint64][]string{}
		var rows []notify.Notification
		g.Where("kind = 'ding'").Order("id").Find(&rows)
		for _, r := range rows {
			titles[r.UserID] = append(titles[r.UserID], r.Title)
		}
		if len(titles[f.wang.ID]) != 0 || len(titles[f.dad.ID]) != 2 || len(titles[f.teacher.ID]) != 1 {
			t.Fatalf("DINGs: %v (张伟 twice, 陈志强 once, 王强 who acknowledged never)", titles)
		}
		if !strings.HasPrefix(titles[f.dad.ID][0], "DING：请确认收到") || !strings.HasPrefix(titles[f.teacher.ID][0], "DING：请查看") {
			t.Fatalf("DING words: %v", titles)
		}
		// Without 收到 there is no one unacknowledged to DING.
		plain := f.compose(t, notice.ComposeInput{Title: "周五放学时间", Category: "通知", GroupIDs: []uint64{f.c32.ID}})
		if _, err := f.Notices.Ding(ctx, f.head, plain.ID, notice.DingUnacked); !invalid(err) {
			t.Fatalf("DING the unacknowledged of a notice without 收到: %v", err)
		}
	})
}

// TestDingUnackedInQuietHours: a parent who read a notice late is asked
// to acknowledge it at 07:00, not at night — and not at all if they
// acknowledged it meanwhile.
func TestDingUnackedInQuietHours(t *testing.T) {
	t.Parallel()
	f := setup(t, apptest.SQLite(t))
	ctx := context.Background()
	n := f.compose(t, notice.ComposeInput{Title: "明天停课通知", Category: "通知", GroupIDs: []uint64{f.c32.ID}, RequiresAck: true})
	for _, u := range []*auth.User{f.dad, f.wang, f.teacher} {
		if _, err := f.Notices.Open(ctx, u, n.ID); err != nil {
			t.Fatal(err)
		}
	}
	f.Clock.Set(time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)) // 22:00 in Shanghai
	d, err := f.Notices.Ding(ctx, f.head, n.ID, notice.DingUnacked)
	morning := time.Date(2026, 11, 2, 23, 0, 0, 0, time.UTC)
	if err != nil || d.Now != 1 || d.Later != 2 || !d.At.Equal(morning) || d.Unacked != 3 {
		t.Fatalf("DING at 22:00: %+v %v (the teacher now, two parents at 07:00)", d, err)
	}
	if err := f.Notices.Ack(ctx, f.wang, n.ID); err != nil { // 王强 acknowledges in the night
		t.Fatal(err)
	}
	w := f.Worker()
	f.Clock.Set(morning)
	for range 2 { // the reminders, then the outbox
		if _, err := w.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	for _, m := range f.Sent.Sent() {
		got[m.Phone]++
	}
	if got[f.dad.Phone] != 1 || got[f.wang.Phone] != 0 || got[f.teacher.Phone] != 1 {
		t.Fatalf("sent by 07:00: %v (张伟 in the morning, 王强 who acknowledged never, 陈志强 at once)", got)
	}
}

// TestPendingAndClearing: what a recipient still has to do, and the 提醒
// that opening and acknowledging answer.
func TestPendingAndClearing(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		plain := f.compose(t, notice.ComposeInput{Title: "周一升旗仪式", Category: "活动", GroupIDs: []uint64{f.c32.ID}})
		f.Clock.Advance(time.Minute)
		ack := f.compose(t, notice.ComposeInput{Title: "期中考试安排", Category: "通知", GroupIDs: []uint64{f.c32.ID}, RequiresAck: true})
		pending := func() (string, int) {
			list, total, err := f.Notices.Pending(ctx, f.dad, 5)
			if err != nil {
				t.Fatal(err)
			}
			var titles []string
			for _, s := range list {
				titles = append(titles, s.Title)
			}
			return strings.Join(titles, "|"), total
		}
		centre := notify.NewCentre(g, f.Clock.Now)
		unread := func() int {
			centre.Forget(f.dad.ID)
			n, err := centre.Unread(ctx, f.dad.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		start := unread()
		if got, total := pending(); got != "期中考试安排|周一升旗仪式" || total != 2 {
			t.Fatalf("pending: %q %d", got, total)
		}
		v, err := f.Notices.Open(ctx, f.dad, plain.ID)
		if err != nil || v.Cleared != 1 || unread() != start-1 {
			t.Fatalf("open: cleared %d, unread %d of %d, %v", v.Cleared, unread(), start, err)
		}
		if v, _ := f.Notices.Open(ctx, f.dad, plain.ID); v.Cleared != 0 {
			t.Fatalf("opened again: cleared %d", v.Cleared)
		}
		if _, err := f.Notices.Open(ctx, f.dad, ack.ID); err != nil {
			t.Fatal(err)
		}
		if got, total := pending(); got != "期中考试安排" || total != 1 {
			t.Fatalf("read, not acknowledged: %q %d", got, total)
		}
		// A DING after reading is answered by 收到.
		if _, err := f.Notices.Ding(ctx, f.head, ack.ID, notice.DingUnacked); err != nil {
			t.Fatal(err)
		}
		if unread() != start-1 {
			t.Fatalf("after a DING: %d unread", unread())
		}
		if err := f.Notices.Ack(ctx, f.dad, ack.ID); err != nil {
			t.Fatal(err)
		}
		if got, total := pending(); got != "" || total != 0 || unread() != start-2 {
			t.Fatalf("after 收到: pending %q %d, unread %d", got, total, unread())
		}
		// Others' 提醒 are untouched.
		var wang int64
		g.Model(&notify.Notification{}).Where("user_id = ? AND read_at IS NULL", f.wang.ID).Count(&wang)
		if wang < 2 {
			t.Fatalf("王强's 提醒 were marked too: %d unread", wang)
		}
	})
}

// TestAudience: the count before publishing is the receipts after it,
// by role, with the author left out and the groups checked.
func TestAudience(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		groups := []uint64{f.c32.ID, f.c33.ID, f.c32.ID}
		a, err := f.Notices.Audience(ctx, f.admin, groups)
		if err != nil || a != (notice.Audience{Parents: 3, Staff: 2}) {
			t.Fatalf("audience: %+v %v", a, err)
		}
		n, err := f.Notices.Compose(ctx, f.admin, notice.ComposeInput{Title: "全校安全教育", Category: "安全提醒", GroupIDs: groups})
		if err != nil {
			t.Fatal(err)
		}
		var receipts int64
		g.Model(&notice.Receipt{}).Where("notice_id = ?", n.ID).Count(&receipts)
		if n.Audience != a || int(receipts) != a.Total() || n.Recipients != a.Total() {
			t.Fatalf("published to %+v (%d receipts, %d recipients), the form said %+v", n.Audience, receipts, n.Recipients, a)
		}
		if a, err := f.Notices.Audience(ctx, f.head, []uint64{f.c32.ID}); err != nil || a != (notice.Audience{Parents: 2, Staff: 1}) {
			t.Fatalf("the head teacher's audience (without herself): %+v %v", a, err)
		}
		if _, err := f.Notices.Audience(ctx, f.head, []uint64{f.c33.ID}); !invalid(err) {
			t.Fatalf("another class: %v", err)
		}
		if _, err := f.Notices.Audience(ctx, f.dad, []uint64{f.c32.ID}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a parent: %v", err)
		}
		many := make([]uint64, notice.MaxTargets+1)
		for i := range many {
			many[i] = uint64(i + 1)
		}
		if _, err := f.Notices.Audience(ctx, f.admin, many); !invalid(err) {
			t.Fatalf("too many groups: %v", err)
		}
	})
}

func invalid(err error) bool {
	_, ok := apperr.AsValidation(err)
	return ok
}
