package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/group"
	"jiaxiao/app/message"
	"jiaxiao/app/notice"
	"jiaxiao/app/school"
	"jiaxiao/app/services"
	"jiaxiao/storage"
)

// Grades and classes per grade: 48 classes.
const (
	grades         = 6
	classesPerGrad = 8
	staffCount     = 120
	password       = "jiaxiao-load-2026"
)

// vuser is a user the load test plays: a session cookie and, once a page
// has given them, the CSRF cookie and token.
type vuser struct {
	id         uint64
	role       auth.Role
	token      string
	classGroup uint64 // parents: their child's class group
	csrfCookie string
	csrf       string
}

// world is the school as the load test knows it.
type world struct {
	driver, dsn  string
	schoolGroup  uint64
	classGroups  []uint64          // by class index (grade-1)*8 + number-1
	heads        map[uint64]*vuser // class group → head teacher
	admins       []*vuser
	teachers     []*vuser
	parents      []*vuser
	receipts     uint64 // a whole-school notice by admins[0]
	recipients   int
	sheet        uint64 // homework of 1年级1班, every student's work handed in
	sheetHead    *vuser // its head teacher
	sheetLines   int
	leaveDay     string // today, with one child in twenty away
	away         int
	buildTime    time.Duration
	sessionsTime time.Duration
}

func studentName(i int) string {
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given := []rune("明芳伟娜强磊敏静丽军洋勇艳杰涛超秀霞平刚桂英华玉")
	return string(surnames[i%len(surnames)]) + string(given[(i/len(surnames))%len(given)]) + string(given[(i/7+3)%len(given)])
}

// classOf places student i: grades 1–6, classes 1–8, spread evenly.
func classOf(i int) (grade, number int) { return i%grades + 1, (i/grades)%classesPerGrad + 1 }

func rosters(students int) (studentCSV, staffCSV string) {
	var b strings.Builder
	b.WriteString("年级,班级,学号,姓名,家长姓名,家长手机,关系\n")
	for i := 0; i < students; i++ {
		g, c := classOf(i)
		no := fmt.Sprintf("2026%05d", i)
		fmt.Fprintf(&b, "%d,%d,%s,%s,%s,139%08d,父亲\n", g, c, no, studentName(i), studentName(i+7), i*2)
		fmt.Fprintf(&b, "%d,%d,%s,%s,%s,139%08d,母亲\n", g, c, no, studentName(i), studentName(i+11), i*2+1)
	}
	studentCSV = b.String()
	b.Reset()
	b.WriteString("姓名,手机,角色,部门,任教班级,班主任\n")
	for i := 0; i < staffCount; i++ {
		role, teaches, heads := "教师", "", ""
		if i < 2 {
			role = "管理员"
		} else {
			g, c := (i-2)%grades+1, ((i-2)/grades)%classesPerGrad+1
			teaches = fmt.Sprintf("%d年级%d班;%d年级%d班", g, c, (g%grades)+1, c)
			if i-2 < grades*classesPerGrad {
				heads = fmt.Sprintf("%d年级%d班", g, c)
			}
		}
		fmt.Fprintf(&b, "%s,138%08d,%s,教研组%d,%s,%s\n", studentName(i+101), i, role, i%8, teaches, heads)
	}
	return studentCSV, b.String()
}

// buildSchool loads the school into a migrated database through the
// domain services — roster imports for staff and students, the group sync
// for membership, message and notice services for the feeds — except that
// parent accounts and their approved guardianships are inserted in bulk
// (as app/apptest.BigClass does): 4,000 argon2id hashes would take minutes.
// sessions is how many parents get a session (all: -1).
func buildSchool(ctx context.Context, log, quiet *slog.Logger, driver, dsn, dataDir string, students, feedMessages, sessions int) (*world, error) {
	start := time.Now()
	g, err := db.Open(ctx, db.Options{Driver: driver, DSN: dsn, Logger: quiet})
	if err != nil {
		return nil, err
	}
	defer db.Close(g)
	if _, err := db.Migrate(ctx, g); err != nil {
		return nil, err
	}
	store, err := storage.NewFile(filepath.Join(dataDir, "objects"))
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		loc = time.FixedZone("CST", 8*3600)
	}
	svc := services.New(services.Options{DB: g, Store: store, Location: loc, Log: quiet})
	if err := svc.Words.SeedDefaults(ctx); err != nil {
		return nil, err
	}

	studentCSV, staffCSV := rosters(students)
	if _, err := svc.School.ImportStaff(ctx, auth.System, "staff.csv", []byte(staffCSV), false); err != nil {
		return nil, fmt.Errorf("import staff: %w", err)
	}
	if _, err := svc.School.Import(ctx, auth.System, "students.csv", []byte(studentCSV), school.ImportOptions{}); err != nil {
		return nil, fmt.Errorf("import students: %w", err)
	}
	var staff []auth.User
	if err := g.WithContext(ctx).Where("role IN ?", []string{"admin", "teacher"}).Order("phone").Find(&staff).Error; err != nil {
		return nil, err
	}
	for _, u := range staff { // activation without the one-time codes: no password is needed
		if err := svc.Auth.SetStatus(ctx, g, u.ID, auth.StatusActive); err != nil {
			return nil, err
		}
	}

	// Parents: two per student, approved guardians, inserted in bulk.
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	parents := make([]auth.User, 2*students)
	for i := range parents {
		parents[i] = auth.User{Phone: fmt.Sprintf("139%08d", i), Name: studentName(i/2 + 7 + 4*(i%2)), Role: auth.RoleParent,
			Status: auth.StatusActive, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	}
	if err := g.WithContext(ctx).CreateInBatches(parents, 500).Error; err != nil {
		return nil, fmt.Errorf("parents: %w", err)
	}
	// They agreed to the privacy notice, as registering does; else every
	// page sends them to it first.
	pids := make([]uint64, len(parents))
	for i, p := range parents {
		pids[i] = p.ID
	}
	if err := svc.Privacy.AgreeAll(ctx, pids); err != nil {
		return nil, fmt.Errorf("parents' consent: %w", err)
	}
	var studs []school.Student
	if err := g.WithContext(ctx).Where("student_no LIKE ?", "2026%").Order("student_no").Find(&studs).Error; err != nil {
		return nil, err
	}
	if len(studs) != students {
		return nil, fmt.Errorf("expected %d students, found %d", students, len(studs))
	}
	gs := make([]school.Guardianship, len(parents))
	for i := range gs {
		rel := "父亲"
		if i%2 == 1 {
			rel = "母亲"
		}
		gs[i] = school.Guardianship{StudentID: studs[i/2].ID, ParentID: parents[i].ID, Relation: rel, ApprovedAt: now}
	}
	if err := g.WithContext(ctx).CreateInBatches(gs, 500).Error; err != nil {
		return nil, fmt.Errorf("guardianships: %w", err)
	}
	if err := svc.Groups.Sync(ctx, g, nil); err != nil {
		return nil, err
	}

	w := &world{driver: driver, dsn: dsn, heads: map[uint64]*vuser{}}
	var all []group.Group
	if err := g.WithContext(ctx).Find(&all).Error; err != nil {
		return nil, err
	}
	var classes []school.Class
	if err := g.WithContext(ctx).Find(&classes).Error; err != nil {
		return nil, err
	}
	byClass := map[uint64]uint64{}
	for _, gr := range all {
		switch {
		case gr.Kind == group.KindSchool:
			w.schoolGroup = gr.ID
		case gr.Kind == group.KindClass && gr.ClassID != nil:
			byClass[*gr.ClassID] = gr.ID
		}
	}
	w.classGroups = make([]uint64, grades*classesPerGrad)
	headOf := map[uint64]uint64{} // head teacher → class group
	for _, c := range classes {
		if c.Grade < 1 || c.Grade > grades || c.Number < 1 || c.Number > classesPerGrad {
			continue
		}
		w.classGroups[(c.Grade-1)*classesPerGrad+c.Number-1] = byClass[c.ID]
		if c.HeadTeacherID != nil {
			headOf[*c.HeadTeacherID] = byClass[c.ID]
		}
	}
	if w.schoolGroup == 0 {
		return nil, fmt.Errorf("no school group")
	}
	for i, gid := range w.classGroups {
		if gid == 0 {
			return nil, fmt.Errorf("class %d has no group", i)
		}
	}
	staffUsers := map[uint64]auth.User{}
	for _, u := range staff {
		v := &vuser{id: u.ID, role: u.Role}
		staffUsers[u.ID] = u
		if u.Role == auth.RoleAdmin {
			w.admins = append(w.admins, v)
		} else {
			w.teachers = append(w.teachers, v)
		}
		if gid, ok := headOf[u.ID]; ok {
			w.heads[gid] = v
		}
	}
	for i, p := range parents {
		gr, c := classOf(i / 2)
		w.parents = append(w.parents, &vuser{id: p.ID, role: auth.RoleParent, classGroup: w.classGroups[(gr-1)*classesPerGrad+c-1]})
	}
	log.Info("school loaded", "db", driver, "students", students, "parents", len(parents), "staff", len(staff), "took", time.Since(start).Round(time.Millisecond))

	// Feeds: every class group gets feedMessages from its parents (taking
	// turns, so the per-user rate limit never applies), the school group
	// staff announcements.
	parentsOf := map[uint64][]auth.User{}
	for i, p := range parents {
		gid := w.parents[i].classGroup
		parentsOf[gid] = append(parentsOf[gid], p)
	}
	texts := []string{"老师好，明天需要带什么材料吗？", "收到，谢谢老师！", "孩子今天有点咳嗽，麻烦老师多留意。", "请问周五的家长会几点开始？",
		"作业已经完成并签字了。", "明天学校组织春游，请准时到校。", "谢谢老师的耐心辅导！", "请问校服在哪里领取？"}
	postStart := time.Now()
	var wg sync.WaitGroup
	errc := make(chan error, len(w.classGroups)+1)
	sem := make(chan struct{}, 4)
	for _, gid := range w.classGroups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			ps := parentsOf[gid]
			for k := 0; k < feedMessages && len(ps) > 0; k++ {
				u := ps[k%len(ps)]
				body := fmt.Sprintf("%s（第%d条）", texts[k%len(texts)], k+1)
				if _, err := svc.Messages.Post(ctx, &u, gid, message.PostInput{Body: body}); err != nil {
					errc <- fmt.Errorf("post in group %d: %w", gid, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for k := 0; k < 20; k++ {
		u := staffUsers[w.teachers[k%len(w.teachers)].id]
		if _, err := svc.Messages.Post(ctx, &u, w.schoolGroup, message.PostInput{Body: fmt.Sprintf("各位家长好，本周第%d项安排请留意学校通知。", k+1)}); err != nil {
			return nil, fmt.Errorf("post in school group: %w", err)
		}
	}
	close(errc)
	if err := <-errc; err != nil {
		return nil, err
	}
	log.Info("feeds loaded", "db", driver, "messages", feedMessages*len(w.classGroups)+20, "took", time.Since(postStart).Round(time.Millisecond))

	// Notices: three to the whole school, one to each of the first eight classes.
	admin := staffUsers[w.admins[0].id]
	for k, title := range []string{"关于期中考试安排的通知", "校园开放日邀请", "冬季作息时间调整"} {
		n, err := svc.Notices.Compose(ctx, &admin, notice.ComposeInput{Title: title, Body: "请各位家长仔细阅读并按要求准备。", Category: "通知",
			GroupIDs: []uint64{w.schoolGroup}, RequiresAck: k == 0})
		if err != nil {
			return nil, fmt.Errorf("notice: %w", err)
		}
		if k == 0 {
			w.receipts = n.ID
		}
	}
	for i := 0; i < 8; i++ {
		gid := w.classGroups[i]
		h, ok := w.heads[gid]
		if !ok {
			continue
		}
		head := staffUsers[h.id]
		if _, err := svc.Notices.Compose(ctx, &head, notice.ComposeInput{Title: "班级家长会通知", Body: "本周五下午四点在教室召开家长会。", Category: "通知",
			GroupIDs: []uint64{gid}, RequiresAck: true}); err != nil {
			return nil, fmt.Errorf("class notice: %w", err)
		}
	}
	if err := homeworkAndLeave(ctx, svc, g, w, staffUsers, studs, parents, loc); err != nil {
		return nil, err
	}
	var rc int64
	if err := g.WithContext(ctx).Table("receipts").Where("notice_id = ?", w.receipts).Count(&rc).Error; err == nil {
		w.recipients = int(rc)
	}
	w.buildTime = time.Since(start)

	// Sessions, minted in the database.
	sstart := time.Now()
	want := append(append([]*vuser{}, w.admins...), w.teachers...)
	if sessions < 0 || sessions > len(w.parents) {
		sessions = len(w.parents)
	}
	want = append(want, w.parents[:sessions]...)
	if err := mintSessions(ctx, svc.Auth, want); err != nil {
		return nil, err
	}
	w.parents = w.parents[:sessions]
	w.sessionsTime = time.Since(sstart)
	log.Info("sessions minted", "db", driver, "count", len(want), "took", w.sessionsTime.Round(time.Millisecond))
	return w, nil
}

func mintSessions(ctx context.Context, a *auth.Service, users []*vuser) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := make(chan *vuser)
	for k := 0; k < 8; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range next {
				tok, err := a.OpenSession(ctx, u.id, "127.0.0.1", "jiaxiao-load")
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					continue
				}
				u.token = tok
			}
		}()
	}
	for _, u := range users {
		next <- u
	}
	close(next)
	wg.Wait()
	return first
}

// openDB is db.Open for the runner's own reads (counts after a phase).
func openDB(ctx context.Context, quiet *slog.Logger, driver, dsn string) (*gorm.DB, error) {
	return db.Open(ctx, db.Options{Driver: driver, DSN: dsn, Logger: quiet})
}
