package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/notice"
	"jiaxiao/app/school"
	"jiaxiao/app/services"
	"jiaxiao/app/web"
)

// BenchmarkPostWith200Watchers posts messages over HTTP to a class group of
// 200 parents on MySQL, each with the group open over SSE, and waits until
// every watcher has received every message. Authors take turns, so the
// per-user rate limit never applies.
func BenchmarkPostWith200Watchers(b *testing.B) {
	const members = 200
	g := apptest.MySQL(b)
	w := apptest.NewLiveWorld(b, g)
	ctx := context.Background()
	var roster strings.Builder
	roster.WriteString("年级,班级,学号,姓名\n")
	for i := 0; i < members; i++ {
		fmt.Fprintf(&roster, "3,2,2023%04d,学生%s%s\n", i, string(rune('甲'+i%50)), string(rune('子'+i/50)))
	}
	w.Students(roster.String(), school.ImportOptions{})
	w.Staff("姓名,手机,角色,部门,任教班级,班主任\n李芳,13800000002,教师,语文教研组,3年级2班,3年级2班\n")
	head := w.ByPhone("13800000002")
	cg := w.ClassGroup(3, 2)
	var parents []*auth.User
	for i := 0; i < members; i++ {
		p := w.User(auth.RoleParent, "家长"+string(rune('甲'+i%50))+string(rune('子'+i/50)), fmt.Sprintf("1390000%04d", i))
		req, err := w.Groups.Join(ctx, p, cg.InviteCode, group.JoinInput{StudentNo: fmt.Sprintf("2023%04d", i), StudentName: "学生" + string(rune('甲'+i%50)) + string(rune('子'+i/50)), Relation: "母亲"})
		if err != nil {
			b.Fatal(err)
		}
		if err := w.Groups.Approve(ctx, head, cg.ID, req.ID); err != nil {
			b.Fatal(err)
		}
		parents = append(parents, p)
	}
	if err := w.Words.SeedDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	hub := w.Background(services.BackgroundOptions{Poll: 50 * time.Millisecond}).Hub
	hctx, stop := context.WithCancel(ctx)
	defer stop()
	go hub.Run(hctx)
	o := web.OptionsFor(w.Services, hub)
	o.Metrics = prometheus.NewRegistry()
	ts := httptest.NewServer(web.New(o))
	defer ts.Close()
	srv := ts.URL

	clients := make([]*apptest.Client, members)
	var received atomic.Int64
	sctx, cancelStreams := context.WithCancel(ctx)
	var streams sync.WaitGroup
	for i, p := range parents {
		_, token, err := w.Auth.Login(ctx, auth.LoginInput{Phone: p.Phone, Password: "secret-123", IP: fmt.Sprintf("127.0.%d.%d", i/250, i%250+1)})
		if err != nil {
			b.Fatal(err)
		}
		c := apptest.NewClient(b, srv)
		u, _ := url.Parse(srv)
		c.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: "jx_session", Value: token}})
		c.Get("/groups") // the CSRF token
		clients[i] = c
		req, _ := http.NewRequestWithContext(sctx, http.MethodGet, fmt.Sprintf("%s/events?group=%d", srv, cg.ID), nil)
		resp, err := (&http.Client{Jar: c.HTTP.Jar}).Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("stream %d: %v", i, err)
		}
		streams.Add(1)
		go func() {
			defer streams.Done()
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if sc.Text() == "event: message" {
					received.Add(1)
				}
			}
		}()
	}
	for hub.Subscribers() < members {
		time.Sleep(10 * time.Millisecond)
	}
	var lat []time.Duration
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		c := clients[i%members]
		t0 := time.Now()
		r := c.Post(fmt.Sprintf("/groups/%d/messages", cg.ID), url.Values{"body": {fmt.Sprintf("第%d条通知：明天按时到校", i)}})
		lat = append(lat, time.Since(t0))
		if r.StatusCode != http.StatusSeeOther {
			b.Fatalf("post %d: %d %s", i, r.StatusCode, r.TestID("alert-error"))
		}
	}
	want := int64(b.N) * members
	deadline := time.Now().Add(2 * time.Minute)
	for received.Load() < want && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if got := received.Load(); got < want {
		b.Fatalf("delivered %d of %d", got, want)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(want)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-post-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-post-ms")
	cancelStreams()
	streams.Wait()
}

// BenchmarkReceiptsPage5000 renders the receipts page of a notice sent to
// 5,000 parents on MySQL, a third of whom have read it, over HTTP.
func BenchmarkReceiptsPage5000(b *testing.B) {
	g := apptest.MySQL(b)
	w := apptest.NewLiveWorld(b, g)
	ctx := context.Background()
	phones := w.BigClass(5000)
	w.Staff("姓名,手机,角色,部门,任教班级,班主任\n李芳,13800000002,教师,语文教研组,3年级2班,3年级2班\n")
	if err := w.Words.SeedDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	head := w.ByPhone("13800000002")
	n, err := w.Notices.Compose(ctx, head, notice.ComposeInput{Title: "期末考试安排", Category: "通知", GroupIDs: []uint64{w.ClassGroup(3, 2).ID}, RequiresAck: true})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	if err := g.Exec("UPDATE receipts SET read_at = ? WHERE notice_id = ? AND user_id IN (SELECT id FROM users WHERE phone IN ?)", now, n.ID, phones[:1667]).Error; err != nil {
		b.Fatal(err)
	}
	o := web.OptionsFor(w.Services, w.Background(services.BackgroundOptions{}).Hub)
	o.Metrics = prometheus.NewRegistry()
	ts := httptest.NewServer(web.New(o))
	defer ts.Close()
	c := apptest.NewClient(b, ts.URL)
	c.Login("13800000002", "secret-123")
	path := fmt.Sprintf("/notices/%d/receipts", n.ID)
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		resp, err := c.HTTP.Get(ts.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		if resp.StatusCode != 200 || !strings.Contains(string(body), "已读 1667 / 5000") {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*9/10].Microseconds())/1000, "p90-ms")
}
