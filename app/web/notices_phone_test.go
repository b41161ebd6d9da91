package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/event"
	"jiaxiao/app/notice"
)

// badgeOf reads the number a page's header badge shows (0: none).
func badgeOf(t *testing.T, r *apptest.Response) int {
	t.Helper()
	return badgeNumber(t, r.Doc.Find(`#badge`).Text())
}

func badgeNumber(t *testing.T, text string) int {
	t.Helper()
	text = strings.TrimSpace(text)
	if text == "" {
		return 0
	}
	n, err := strconv.Atoi(text)
	if err != nil {
		t.Fatalf("badge says %q", text)
	}
	return n
}

// unreadOf counts the user's unread 提醒 in the database.
func unreadOf(t *testing.T, g *gorm.DB, phone string) int {
	t.Helper()
	var n int64
	if err := g.Table("notifications").Joins("JOIN users ON users.id = notifications.user_id").
		Where("users.phone = ? AND notifications.read_at IS NULL", phone).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// nextBadge waits for the stream's next badge event and returns the number
// it shows.
func (s *stream) nextBadge() int {
	s.t.Helper()
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				s.t.Fatal("stream ended")
			}
			if f.name != event.Badge {
				continue
			}
			m := regexp.MustCompile(`<mark[^>]*>\s*([0-9+]+)\s*</mark>`).FindStringSubmatch(f.data)
			if m == nil {
				return 0
			}
			return badgeNumber(s.t, m[1])
		case <-time.After(10 * time.Second):
			s.t.Fatal("no badge event within 10 s")
		}
	}
}

// TestReadingClearsBadge: opening a notice marks its 提醒 read: the page
// shows the new count and every other page the parent has open hears it
// live; a DING to the unacknowledged raises it again and 收到 clears it.
func TestReadingClearsBadge(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		parent := s.clients["parent-member"]
		before := unreadOf(t, g, "13900000001")
		n := s.notice(t, true)
		// The notice reaches the badge once the hub has read its event.
		waitFor(t, "the badge to count the notice", func() bool { return badgeOf(t, parent.Get("/")) == before+1 })
		other := openStream(t, parent, "/events") // the parent's home page in another tab
		waitSubscribers(t, s.hub, 1)
		page := parent.Get(fmt.Sprintf("/notices/%d", n.ID))
		if page.StatusCode != 200 || badgeOf(t, page) != before {
			t.Fatalf("the notice page's own badge: %d (status %d), want %d", badgeOf(t, page), page.StatusCode, before)
		}
		if got := other.nextBadge(); got != before {
			t.Fatalf("the other page's badge went to %d, want %d", got, before)
		}
		// Reading again changes nothing and says nothing.
		parent.Get(fmt.Sprintf("/notices/%d", n.ID))
		var unread int64
		g.Table("notifications").Where("user_id = ? AND read_at IS NULL AND link = ?", s.world.ByPhone("13900000001").ID, notice.Link(n.ID)).Count(&unread)
		if unread != 0 {
			t.Fatalf("%d notifications of the notice still unread", unread)
		}
		// The author DINGs those who read it but did not acknowledge.
		if r := s.clients["owner"].Post(fmt.Sprintf("/notices/%d/ding", n.ID), url.Values{"to": {"unacked"}}); r.StatusCode != 303 {
			t.Fatalf("DING the unacknowledged: %d", r.StatusCode)
		}
		if got := other.nextBadge(); got != before+1 {
			t.Fatalf("after the DING the badge shows %d, want %d", got, before+1)
		}
		if r := parent.Post(fmt.Sprintf("/notices/%d/ack", n.ID), nil); r.StatusCode != 303 {
			t.Fatalf("ack: %d", r.StatusCode)
		}
		if got := other.nextBadge(); got != before {
			t.Fatalf("after 收到 the badge shows %d, want %d", got, before)
		}
		after := parent.Get(fmt.Sprintf("/notices/%d", n.ID))
		if badgeOf(t, after) != before || !strings.Contains(after.TestID("flash"), "已确认收到") || !strings.Contains(after.TestID("acked"), "已确认收到") {
			t.Fatalf("after 收到: badge %d, flash %q, acked %q", badgeOf(t, after), after.TestID("flash"), after.TestID("acked"))
		}
	})
}

// TestHomeTodo: 待处理 lists the notices unread and those read but not
// yet acknowledged, newest first, each with its state, and counts them; a
// notice drops out once it is read (no 收到 asked) or acknowledged.
func TestHomeTodo(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	ctx := context.Background()
	head := s.world.ByPhone("13800000002")
	compose := func(title string, ack bool) notice.Notice {
		n, err := s.world.Notices.Compose(ctx, head, notice.ComposeInput{Title: title, Category: "通知", GroupIDs: []uint64{s.c32.ID}, RequiresAck: ack})
		if err != nil {
			t.Fatal(err)
		}
		s.world.Clock.Advance(time.Minute)
		return n
	}
	first := compose("周一升旗仪式", false)
	second := compose("期中考试安排", true)
	third := compose("春游报名", true)
	parent := s.clients["parent-member"]
	todo := func() ([]string, []string, string) {
		r := parent.Get("/")
		var titles, states []string
		r.Doc.Find(`[data-testid="todo"]`).Each(func(_ int, row *goquery.Selection) {
			titles = append(titles, strings.TrimSpace(row.Find(".row-title").Text()))
			states = append(states, strings.TrimSpace(row.Find(`[data-testid="todo-state"]`).Text()))
		})
		return titles, states, r.TestID("todo-count")
	}
	titles, states, count := todo()
	if strings.Join(titles, "|") != "春游报名|期中考试安排|周一升旗仪式" || strings.Join(states, "|") != "未读|未读|未读" || count != "3" {
		t.Fatalf("home 待处理: %q %q count %q", titles, states, count)
	}
	parent.Get(fmt.Sprintf("/notices/%d", first.ID))
	parent.Get(fmt.Sprintf("/notices/%d", second.ID))
	titles, states, count = todo()
	if strings.Join(titles, "|") != "春游报名|期中考试安排" || strings.Join(states, "|") != "未读|待确认" || count != "2" {
		t.Fatalf("after reading two: %q %q count %q", titles, states, count)
	}
	parent.Post(fmt.Sprintf("/notices/%d/ack", second.ID), nil)
	parent.Post(fmt.Sprintf("/notices/%d/ack", third.ID), nil)
	r := parent.Get("/")
	if r.Doc.Find(`[data-testid="todo"]`).Length() != 0 || r.TestID("todo-count") != "" || r.TestID("todo-empty") != "没有待处理的通知。" {
		t.Fatalf("after 收到: %q", r.TestID("unread-notices"))
	}
	// The notices list says the same with tags.
	states = nil
	parent.Get("/notices").Doc.Find(`[data-testid="notice-state"]`).Each(func(_ int, s *goquery.Selection) { states = append(states, s.Text()) })
	if strings.Join(states, "|") != "已确认|已确认|已读" {
		t.Fatalf("notices list states %q", states)
	}
}

var audienceRE = regexp.MustCompile(`将发送给 (\d+) 人（家长 (\d+) · 教职工 (\d+)）`)

// TestAudienceEqualsReceipts: the form's count of who a notice will reach
// is the count of receipts publishing writes, and the flash after
// publishing says the same; the ids are bounded and checked.
func TestAudienceEqualsReceipts(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		for _, c := range []struct {
			actor  string
			groups []uint64
		}{
			{"owner", []uint64{s.c32.ID}},
			{"admin", []uint64{s.c32.ID, s.c33.ID}},
		} {
			cl := s.clients[c.actor]
			form := cl.Get("/notices/new")
			if got := form.TestID("audience"); got != "选择发送对象后，这里显示将通知多少人。" {
				t.Fatalf("empty form says %q", got)
			}
			q := url.Values{}
			vals := url.Values{"title": {"安全教育通知"}, "category": {"安全提醒"}}
			for _, id := range c.groups {
				q.Add("group_id", fmt.Sprint(id))
				vals.Add("group_id", fmt.Sprint(id))
			}
			r := cl.Get("/notices/audience?"+q.Encode(), "HX-Request", "true")
			m := audienceRE.FindStringSubmatch(r.TestID("audience"))
			if r.StatusCode != 200 || m == nil {
				t.Fatalf("%s: audience %d %q", c.actor, r.StatusCode, r.Body)
			}
			r = cl.Post("/notices", vals)
			if r.StatusCode != 303 {
				t.Fatalf("%s: publish %d", c.actor, r.StatusCode)
			}
			page := cl.Get(r.Location())
			want := fmt.Sprintf("已发布，已通知 %s 人（家长 %s · 教职工 %s）。", m[1], m[2], m[3])
			if got := page.TestID("flash"); got != want {
				t.Fatalf("%s: flash %q, want %q", c.actor, got, want)
			}
			id, _ := strconv.ParseUint(strings.TrimPrefix(r.Location(), "/notices/"), 10, 64)
			var receipts, parents int64
			g.Table("receipts").Where("notice_id = ?", id).Count(&receipts)
			g.Table("receipts").Joins("JOIN users ON users.id = receipts.user_id").Where("notice_id = ? AND users.role = 'parent'", id).Count(&parents)
			if strconv.FormatInt(receipts, 10) != m[1] || strconv.FormatInt(parents, 10) != m[2] || receipts == 0 {
				t.Fatalf("%s: form said %s (家长 %s), publishing wrote %d receipts (%d parents)", c.actor, m[1], m[2], receipts, parents)
			}
		}
		// The form re-rendered after an error keeps the count.
		owner := s.clients["owner"]
		r := owner.Post("/notices", url.Values{"title": {"x"}, "category": {"通知"}, "group_id": {fmt.Sprint(s.c32.ID)}})
		if r.StatusCode != 422 || audienceRE.FindString(r.TestID("audience")) == "" {
			t.Fatalf("422 form: %d audience %q", r.StatusCode, r.TestID("audience"))
		}
		// Bounded and checked before any count.
		many := url.Values{}
		for i := 0; i <= notice.MaxTargets; i++ {
			many.Add("group_id", strconv.Itoa(i+1))
		}
		for q, want := range map[string]string{
			many.Encode():                             "最多发送到 200 个群",
			"group_id=abc":                            "只能发送到您可以发言的群",
			"group_id=" + fmt.Sprint(s.c33.ID):        "只能发送到您可以发言的群",
			"group_id=" + fmt.Sprint(uint64(1)<<62+5): "只能发送到您可以发言的群",
		} {
			r := owner.Get("/notices/audience?"+q, "HX-Request", "true")
			if r.StatusCode != 422 || !strings.Contains(r.TestID("audience"), want) {
				t.Errorf("audience?%.40s: %d %q", q, r.StatusCode, r.TestID("audience"))
			}
		}
		if r := s.clients["parent-member"].Get("/notices/audience?group_id="+fmt.Sprint(s.c32.ID), "HX-Request", "true"); r.StatusCode != 403 {
			t.Errorf("a parent asking the audience: %d", r.StatusCode)
		}
	})
}

// TestReceiptsSections: headed columns, a section each for 未读,
// 已读未确认 and 已确认 with counts, a DING for the unacknowledged only,
// and counts that follow readers while the page is open.
func TestReceiptsSections(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	n := s.notice(t, true) // to 3-2: 陈志强, 张伟, 王强
	s.clients["parent-member"].Get(fmt.Sprintf("/notices/%d", n.ID))
	s.clients["moderator"].Post(fmt.Sprintf("/notices/%d/ack", n.ID), nil)
	owner := s.clients["owner"]
	path := fmt.Sprintf("/notices/%d/receipts", n.ID)
	r := owner.Get(path)
	var heads []string
	r.Doc.Find(`[data-testid="section-unread"] thead th`).Each(func(_ int, h *goquery.Selection) { heads = append(heads, h.Text()) })
	if strings.Join(heads, "·") != "姓名·身份/孩子·状态·阅读时间·确认时间·手机" {
		t.Fatalf("column heads %q", heads)
	}
	names := func(section string) string {
		var out []string
		r.Doc.Find(`[data-testid="section-` + section + `"] [data-testid="person-name"]`).Each(func(_ int, p *goquery.Selection) { out = append(out, p.Text()) })
		return strings.Join(out, ",")
	}
	if names("unread") != "陈志强" || names("unacked") != "张伟" || names("done") != "王强" {
		t.Fatalf("sections: unread %q unacked %q done %q", names("unread"), names("unacked"), names("done"))
	}
	for id, want := range map[string]string{"count-unread": "1未读", "count-unacked": "1已读未确认", "count-done": "1已确认",
		"read-count": "已读 2 / 3", "ack-count": "已确认 1 / 3"} {
		if got := strings.Join(strings.Fields(r.TestID(id)), ""); got != strings.ReplaceAll(want, " ", "") {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	who := r.Doc.Find(`[data-testid="section-unacked"] td.who`).Text()
	if who != "家长 · 张小明（三年级(2)班）" {
		t.Errorf("身份/孩子: %q", who)
	}
	if !strings.Contains(r.TestID("ding"), "未读和未确认的 2 人") || !strings.Contains(r.TestID("ding-unacked"), "未确认的 1 人") {
		t.Fatalf("DING buttons: %q %q", r.TestID("ding"), r.TestID("ding-unacked"))
	}
	// The counts poll: unchanged, no reload; after a reader, new counts and a reload link.
	countsURL, _ := r.Doc.Find(`#receipt-counts`).Attr("hx-get")
	if c := owner.Get(countsURL, "HX-Request", "true"); c.StatusCode != 200 || c.TestID("receipts-reload") != "" || c.TestID("read-count") != "已读 2 / 3" {
		t.Fatalf("poll, nothing new: %d %q %q", c.StatusCode, c.TestID("read-count"), c.TestID("receipts-reload"))
	}
	s.clients["teacher-class"].Get(fmt.Sprintf("/notices/%d", n.ID))
	if c := owner.Get(countsURL, "HX-Request", "true"); c.TestID("read-count") != "已读 3 / 3" || c.TestID("receipts-reload") == "" {
		t.Fatalf("poll after a reader: %q %q", c.TestID("read-count"), c.TestID("receipts-reload"))
	}
	// DING the unacknowledged: 张伟 and 陈志强 now, not 王强.
	r = owner.Post(fmt.Sprintf("/notices/%d/ding", n.ID), url.Values{"to": {"unacked"}})
	if r.StatusCode != 303 {
		t.Fatalf("DING: %d", r.StatusCode)
	}
	page := owner.Get(r.Location())
	if got := page.TestID("flash"); got != "已 DING 2 位已读未确认的接收人。" {
		t.Fatalf("flash %q", got)
	}
	if _, off := page.Doc.Find(`[data-testid="ding"]`).Attr("disabled"); !off {
		t.Error("the DING button does not wait after a DING")
	}
	var dings []string
	s.world.DB.Table("notifications").Where("kind = 'ding' AND link = ?", notice.Link(n.ID)).Pluck("title", &dings)
	if len(dings) != 2 || !strings.HasPrefix(dings[0], "DING：请确认收到") {
		t.Fatalf("DING notifications %q", dings)
	}
	// A notice that asks for no 收到 has no one to DING for it.
	plain := s.notice(t, false)
	if r := owner.Post(fmt.Sprintf("/notices/%d/ding", plain.ID), url.Values{"to": {"unacked"}}); r.StatusCode != 422 {
		t.Errorf("DING the unacknowledged of a notice without 收到: %d", r.StatusCode)
	}
	if r := owner.Post(fmt.Sprintf("/notices/%d/ding", plain.ID), url.Values{"to": {"everyone"}}); r.StatusCode != 422 {
		t.Errorf("DING with a bad target: %d", r.StatusCode)
	}
	r = owner.Get(fmt.Sprintf("/notices/%d/receipts", plain.ID))
	if r.Doc.Find(`[data-testid="section-unacked"]`).Length() != 0 || !strings.Contains(r.TestID("section-done"), "已读（0）") {
		t.Errorf("a notice without 收到: sections %q", r.Doc.Find("section h2").Text())
	}
	// A DING form without a target means what it always did: the unread.
	again := s.notice(t, true)
	s.clients["parent-member"].Get(fmt.Sprintf("/notices/%d", again.ID))
	if r := owner.Post(fmt.Sprintf("/notices/%d/ding", again.ID), nil); r.StatusCode != 303 {
		t.Fatalf("DING without a target: %d", r.StatusCode)
	} else if got := owner.Get(r.Location()).TestID("flash"); got != "已 DING 2 位未读的接收人。" {
		t.Fatalf("DING without a target says %q", got)
	}
}

// TestArchiveFiledFlash: filing a document says so on the entry, once.
func TestArchiveFiledFlash(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	owner := s.clients["owner"]
	owner.Get("/archive")
	r := multipartForm(t, owner, "/archive", map[string]string{"title": "十一月考勤报表", "category": "报表", "group_id": fmt.Sprint(s.c32.ID)}, "考勤.pdf", []byte("%PDF-1.4 report"))
	if r.StatusCode != 303 || !strings.HasPrefix(r.Location(), "/archive/") {
		t.Fatalf("filing: %d %q", r.StatusCode, r.Location())
	}
	entry := owner.Get(r.Location())
	if entry.TestID("flash") != "文件已归档。" || !strings.Contains(entry.TestID("archive-entry"), "十一月考勤报表") {
		t.Fatalf("entry after filing: flash %q", entry.TestID("flash"))
	}
	if again := owner.Get(r.Location()); again.TestID("flash") != "" {
		t.Fatalf("the flash said twice: %q", again.TestID("flash"))
	}
}

// TestReceiptsTelLinks: tap-to-call only for those who may see the full
// numbers: admins and the class's head teacher; the author who is only a
// subject teacher and a parent moderator see masked numbers, no links.
func TestReceiptsTelLinks(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	// By 陈志强, a subject teacher of 3-2: 李芳, 张伟, 王强 receive it.
	n, err := s.world.Notices.Compose(context.Background(), s.world.ByPhone("13800000003"), notice.ComposeInput{Title: "数学作业说明", Category: "通知",
		GroupIDs: []uint64{s.c32.ID}, RequiresAck: true})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/notices/%d/receipts", n.ID)
	own := map[string]string{"owner": "13800000002", "moderator": "13900000003"}
	for actor, want := range map[string]int{"admin": 3, "owner": 2, "teacher-class": 0, "moderator": 0} {
		r := s.clients[actor].Get(path)
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", actor, r.StatusCode)
		}
		tels := r.Doc.Find(`a[href^="tel:"]`)
		if tels.Length() != want {
			t.Errorf("%s sees %d tel links, want %d", actor, tels.Length(), want)
		}
		tels.Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			if !regexp.MustCompile(`^tel:1\d{10}$`).MatchString(href) || "tel:"+a.Text() != href {
				t.Errorf("%s: link %q says %q", actor, href, a.Text())
			}
		})
		// Without a link: masked, or the viewer's own number.
		r.Doc.Find(`[data-testid="phone"]`).Each(func(_ int, p *goquery.Selection) {
			if !strings.Contains(p.Text(), "****") && p.Text() != own[actor] {
				t.Errorf("%s sees a full number without a link: %q", actor, p.Text())
			}
		})
	}
}

// TestReceiptsCSVName: the export is named after the notice and the day.
func TestReceiptsCSVName(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	n, err := s.world.Notices.Compose(context.Background(), s.world.ByPhone("13800000002"), notice.ComposeInput{Title: `期中/期末 "考试" 安排`, Category: "通知",
		GroupIDs: []uint64{s.c32.ID}})
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := time.LoadLocation("Asia/Shanghai")
	day := time.Now().In(sh).Format("2006-01-02")
	r := s.clients["owner"].Get(fmt.Sprintf("/notices/%d/receipts.csv", n.ID))
	disp := r.Header.Get("Content-Disposition")
	want := "阅读情况-期中_期末 _考试_ 安排-" + day + ".csv"
	if r.StatusCode != 200 || !strings.Contains(disp, "filename*=UTF-8''"+url.PathEscape(want)) || !strings.Contains(disp, `filename="`) {
		t.Fatalf("CSV: %d %q, want %q", r.StatusCode, disp, want)
	}
}

// TestNotificationTap: a 提醒 is a row one taps: it opens what it points
// at and is marked read; another's is not found; 全部已读 still works and
// says so.
func TestNotificationTap(t *testing.T) {
	t.Parallel()
	s := newSchool(t, apptest.SQLite(t))
	n := s.notice(t, false)
	parent := s.clients["parent-member"]
	before := unreadOf(t, s.world.DB, "13900000001")
	waitFor(t, "the badge to count the notice", func() bool { return badgeOf(t, parent.Get("/")) == before })
	r := parent.Get("/notifications")
	row := r.Doc.Find(`[data-testid="notification"].unread a`).First()
	href, _ := row.Attr("href")
	if !strings.Contains(row.Text(), "家长会通知") || !regexp.MustCompile(`^/notifications/\d+$`).MatchString(href) {
		t.Fatalf("row %q → %q", row.Text(), href)
	}
	if got := s.clients["parent-other"].Get(href).StatusCode; got != 404 {
		t.Fatalf("someone else's 提醒: %d", got)
	}
	r = parent.Get(href)
	if r.StatusCode != 303 || r.Location() != fmt.Sprintf("/notices/%d", n.ID) {
		t.Fatalf("tap: %d %q", r.StatusCode, r.Location())
	}
	r = parent.Get("/notifications")
	if badgeOf(t, r) != before-1 || r.Doc.Find(`[data-testid="notification"].unread`).Length() != before-1 {
		t.Fatalf("after a tap: badge %d, want %d", badgeOf(t, r), before-1)
	}
	s.notice(t, false)
	if r := parent.Post("/notifications/read", nil); r.StatusCode != 303 {
		t.Fatalf("全部已读: %d", r.StatusCode)
	}
	r = parent.Get("/notifications")
	if badgeOf(t, r) != 0 || r.TestID("flash") != "已全部标为已读。" || r.Doc.Find(`[data-testid="notification"].unread`).Length() != 0 {
		t.Fatalf("after 全部已读: badge %d flash %q", badgeOf(t, r), r.TestID("flash"))
	}
}
