package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/file"
	"jiaxiao/app/homework"
	"jiaxiao/app/services"
	"jiaxiao/app/web"
)

// benchSchool is a bulk school served by the real Echo server over
// httptest, with a statement counter on its database.
type benchSchool struct {
	g        *gorm.DB
	world    *apptest.World
	families []apptest.Family
	url      string
	counter  *statements
	css      string // the stylesheet the pages link, the reference
}

// newBenchSchool loads one class per size (see apptest.BigSchool) and
// starts the server on it; staff is a staff roster to import with it.
func newBenchSchool(tb testing.TB, g *gorm.DB, staff string, sizes ...int) *benchSchool {
	tb.Helper()
	counter := countStatements(tb, g)
	w := apptest.NewLiveWorld(tb, g)
	if err := w.Words.SeedDefaults(context.Background()); err != nil {
		tb.Fatal(err)
	}
	fams := w.BigSchool(sizes...)
	if staff != "" {
		w.Staff(staff)
	}
	o := web.OptionsFor(w.Services, w.Background(services.BackgroundOptions{}).Hub)
	o.Metrics = prometheus.NewRegistry()
	ts := httptest.NewServer(web.New(o))
	tb.Cleanup(ts.Close)
	s := &benchSchool{g: g, world: w, families: fams, url: ts.URL, counter: counter}
	login := apptest.NewClient(tb, ts.URL).Get("/login")
	m := regexp.MustCompile(`href="(/static/[^"]*\.css[^"]*)"`).FindStringSubmatch(login.Body)
	if m == nil {
		tb.Fatal("no stylesheet on the login page")
	}
	s.css = m[1]
	return s
}

// client logs phone in.
func (s *benchSchool) client(tb testing.TB, phone string) *apptest.Client {
	tb.Helper()
	c := apptest.NewClient(tb, s.url)
	c.Login(phone, "secret-123")
	return c
}

// fetch GETs path with c's cookies and returns the status and body.
func fetch(tb testing.TB, c *apptest.Client, path string) (int, string) {
	tb.Helper()
	resp, err := c.HTTP.Get(c.Base + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// statementsOf is how many SQL statements one warm GET of path runs.
func (s *benchSchool) statementsOf(tb testing.TB, c *apptest.Client, path string) []string {
	tb.Helper()
	fetch(tb, c, path) // warm the caches
	var status int
	sql := s.counter.during(func() { status, _ = fetch(tb, c, path) })
	if status != http.StatusOK {
		tb.Fatalf("GET %s: %d", path, status)
	}
	return sql
}

// benchGet times GETs of path by c, checking the first answer with ok,
// and reports the statements one request runs.
func (s *benchSchool) benchGet(b *testing.B, c *apptest.Client, path string, ok func(body string) bool) {
	status, body := fetch(b, c, path)
	if status != http.StatusOK || (ok != nil && !ok(body)) {
		b.Fatalf("GET %s: %d\n%.2000s", path, status, body)
	}
	queries := len(s.statementsOf(b, c, path))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := c.HTTP.Get(c.Base + path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(queries), "queries/op")
	b.ReportMetric(float64(len(body))/1024, "KiB/page")
}

// benchCall times fn, the service call behind a page, in process, and
// reports the statements one call runs.
func (s *benchSchool) benchCall(b *testing.B, fn func() error) {
	if err := fn(); err != nil {
		b.Fatal(err)
	}
	var err error
	queries := len(s.counter.during(func() { err = fn() }))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(queries), "queries/op")
}

// benchDBs are the databases every benchmark here runs on.
var benchDBs = []string{"sqlite", "mysql"}

// benchDB opens an empty database of kind for b: SQLite, or MySQL
// (skipped locally when MySQL is not running).
func benchDB(b *testing.B, kind string) *gorm.DB {
	if kind == "mysql" {
		return apptest.MySQL(b)
	}
	return apptest.SQLite(b)
}

// byClass splits families of a bulk school by class, in class order.
func byClass(fams []apptest.Family) [][]apptest.Family {
	var out [][]apptest.Family
	for i, f := range fams {
		if i == 0 || f.Student.ClassID != fams[i-1].Student.ClassID {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], f)
	}
	return out
}

// sheetStaff are the head teachers of the bulk school's first two classes.
const sheetStaff = "姓名,手机,角色,部门,任教班级,班主任\n" +
	"李芳,13800000002,教师,数学教研组,1年级1班,1年级1班\n" +
	"王磊,13800000003,教师,数学教研组,1年级2班,1年级2班\n"

// setHomework sets an assignment to the class of fams as head (through
// the service) and hands in every student's work in bulk: each with
// photos photos (files rows; the pages read no content), six in ten
// marked, one in ten sent back, one featured, one late, one waiting.
func setHomework(tb testing.TB, s *benchSchool, head string, fams []apptest.Family, photos int) homework.Assignment {
	tb.Helper()
	ctx := context.Background()
	w := s.world
	teacher := w.ByPhone(head)
	sh, _ := time.LoadLocation("Asia/Shanghai")
	a, err := w.Homework.Create(ctx, teacher, homework.CreateInput{Title: "第三单元练习", Subject: "数学", Body: "完成课本第 32 页 1–5 题，拍照上传。",
		ClassIDs: []uint64{fams[0].Student.ClassID}, Due: time.Now().Add(48 * time.Hour).In(sh).Format(homework.DueLayout), RequiresSubmission: true})
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now().UTC()
	files := make([]file.File, 0, len(fams)*photos)
	for i, f := range fams {
		for j := 0; j < photos; j++ {
			sum := fmt.Sprintf("%064x", i*16+j+1)
			files = append(files, file.File{StorageKey: "files/" + sum + "/photo.jpg", Name: fmt.Sprintf("作业照片%d.jpg", j+1), Size: 180_000,
				ContentType: "image/jpeg", SHA256: sum, UploadedBy: f.ParentID, CreatedAt: now})
		}
	}
	if err := s.g.CreateInBatches(files, 500).Error; err != nil {
		tb.Fatal(err)
	}
	subs := make([]homework.Submission, len(fams))
	for i, f := range fams {
		sub := homework.Submission{AssignmentID: a.ID, StudentID: f.Student.ID, ParentID: f.ParentID, Body: "已完成 1–5 题，第 4 题不太确定。",
			SubmittedAt: now.Add(-time.Duration(i) * time.Minute), Status: homework.Submitted}
		reviewed := now
		switch k := i % 10; {
		case k < 6:
			sub.Status, sub.Grade, sub.Comment = homework.Reviewed, homework.Grades[i%4], "书写工整，第 4 题的单位要写上。"
		case k == 6:
			sub.Status, sub.Grade, sub.Comment, sub.Redo = homework.Returned, "待改进", "第 3 题再算一遍，订正后重交。", true
		case k == 7:
			sub.Status, sub.Grade, sub.Comment, sub.Featured = homework.Reviewed, "优", "思路清楚，展示给全班。", true
		case k == 8:
			sub.Late = true
		}
		if sub.Status != homework.Submitted {
			sub.ReviewedBy, sub.ReviewedAt = &teacher.ID, &reviewed
		}
		subs[i] = sub
	}
	if err := s.g.CreateInBatches(subs, 500).Error; err != nil {
		tb.Fatal(err)
	}
	links := make([]map[string]any, 0, len(files))
	for i := range subs {
		for j := 0; j < photos; j++ {
			links = append(links, map[string]any{"submission_id": subs[i].ID, "file_id": files[i*photos+j].ID, "position": j})
		}
	}
	if err := s.g.Table("submission_files").CreateInBatches(links, 500).Error; err != nil {
		tb.Fatal(err)
	}
	return a
}

// BenchmarkHomeworkSheet is the submissions page and its CSV, over HTTP
// as the class's head teacher, for a class of 50 and one of 200 (every
// student handed in, two photos each, most marked), on SQLite and MySQL;
// static is the server's stylesheet by the same client, the reference.
func BenchmarkHomeworkSheet(b *testing.B) {
	for _, kind := range benchDBs {
		b.Run(kind, func(b *testing.B) { benchSheet(b, benchDB(b, kind)) })
	}
}

func benchSheet(b *testing.B, g *gorm.DB) {
	s := newBenchSchool(b, g, sheetStaff, 50, 200)
	heads := []string{"13800000002", "13800000003"}
	for i, fams := range byClass(s.families) {
		a := setHomework(b, s, heads[i], fams, 2)
		c := s.client(b, heads[i])
		n := len(fams)
		sheet := fmt.Sprintf("/homework/%d/submissions", a.ID)
		b.Run(fmt.Sprintf("page/students=%d", n), func(b *testing.B) {
			s.benchGet(b, c, sheet, func(body string) bool {
				return strings.Count(body, `data-testid="sheet-line"`) == n && strings.Count(body, `data-testid="homework-photo"`) == 2*n
			})
		})
		b.Run(fmt.Sprintf("csv/students=%d", n), func(b *testing.B) {
			s.benchGet(b, c, sheet+".csv", func(body string) bool { return strings.Count(body, "\n") == n+1 })
		})
		// What the two read through the homework service, without the
		// web layer, the files' names and the families' access log.
		teacher := s.world.ByPhone(heads[i])
		b.Run(fmt.Sprintf("read/students=%d", n), func(b *testing.B) {
			s.benchCall(b, func() error {
				sh, err := s.world.Homework.Submissions(context.Background(), teacher, a.ID)
				if err == nil && len(sh.Lines) != n {
					err = fmt.Errorf("%d lines", len(sh.Lines))
				}
				return err
			})
		})
	}
	c := apptest.NewClient(b, s.url)
	b.Run("static", func(b *testing.B) { s.benchGet(b, c, s.css, nil) })
}
