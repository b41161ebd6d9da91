package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/file"
	"jiaxiao/app/homework"
	"jiaxiao/app/school"
	"jiaxiao/app/studentleave"
)

// The demo's week of homework and its leave requests, made through the
// homework and student-leave services, each on the clock of the moment it
// happened (work set a week ago, marked days later), so that every status
// the pages show has something in it.

// clocked builds the services at a moment of the demo's week.
type clocked struct {
	s   Services
	loc *time.Location
}

func (c clocked) homework(at time.Time) *homework.Service {
	return homework.NewService(homework.Options{DB: c.s.DB, Now: func() time.Time { return at }, Location: c.loc, Filters: c.s.Words,
		Files: c.s.Files})
}

func (c clocked) leave(at time.Time) *studentleave.Service {
	return studentleave.NewService(studentleave.Options{DB: c.s.DB, Now: func() time.Time { return at }, Location: c.loc, Calendars: c.s.Calendars})
}

// users reads the demo accounts by phone.
func users(ctx context.Context, s Services, phones ...string) (map[string]*auth.User, error) {
	out := map[string]*auth.User{}
	for _, p := range phones {
		u, err := s.Auth.UserByPhone(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("demo: %s: %w", p, err)
		}
		out[p] = &u
	}
	return out, nil
}

// Demo accounts by the name the week's story uses.
const (
	liFang, chenZhiqiang, zhaoMin = "13800000002", "13800000003", "13800000004"
	zhangWei, wangQiang, chenGang = "13900000001", "13900000003", "13900000005"
	zhaoGuoqing, wuJun            = "13900000006", "13900000008"
)

// childOf is the demo parent's one child's student id.
func childOf(ctx context.Context, s Services, u *auth.User) (uint64, error) {
	kids, err := school.ChildrenOf(ctx, s.DB, school.ChildFilter{Parents: []uint64{u.ID}})
	if err != nil {
		return 0, err
	}
	if len(kids) == 0 {
		return 0, fmt.Errorf("demo: %s has no child admitted", u.Name)
	}
	return kids[0].StudentID, nil
}

// sheetPhoto is a photo of a page of homework: a lined sheet with a few
// rows of "writing", made here so that the demo needs no files of its own.
func sheetPhoto(name string, ink color.RGBA, rows int) (file.Prepared, error) {
	const w, h = 480, 360
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	paper := color.RGBA{0xfb, 0xf8, 0xef, 0xff}
	line := color.RGBA{0xc8, 0xd8, 0xea, 0xff}
	for y := range h {
		for x := range w {
			c := paper
			if y%30 == 29 {
				c = line
			}
			if r := y / 30; r >= 1 && r <= rows && y%30 >= 12 && y%30 <= 22 && x >= 40 && x < w-40-(r*37)%120 && (x/14)%3 != 2 {
				c = ink
			}
			img.SetRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return file.Prepared{}, err
	}
	return file.Prepare("file", name, b.Bytes())
}

// schoolwork loads the week's homework and leave once.
func schoolwork(ctx context.Context, s Services, now time.Time) error {
	if s.Words == nil || s.Files == nil || s.Calendars == nil {
		return nil // a caller without them gets the school without homework and leave
	}
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	c := clocked{s: s, loc: loc}
	us, err := users(ctx, s, liFang, chenZhiqiang, zhaoMin, zhangWei, wangQiang, chenGang, zhaoGuoqing, wuJun)
	if err != nil {
		return err
	}
	if err := c.homeworkWeek(ctx, us, now); err != nil {
		return fmt.Errorf("demo: homework: %w", err)
	}
	if err := c.leaveRequests(ctx, us, now); err != nil {
		return fmt.Errorf("demo: student leave: %w", err)
	}
	return nil
}

// classIDs reads the demo's classes by grade*10+number.
func classIDs(ctx context.Context, s Services) (map[int]uint64, error) {
	cs, err := s.School.Classes(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int]uint64{}
	for _, cl := range cs {
		out[cl.Grade*10+cl.Number] = cl.ID
	}
	return out, nil
}

// homeworkWeek sets five assignments over the past week and the next
// few days, hands some in on time, some late and some not at all, and
// marks some: 优 (featured as 优秀作业), 良, 合格, 待改进 and one sent back.
func (c clocked) homeworkWeek(ctx context.Context, us map[string]*auth.User, now time.Time) error {
	if set, err := c.homework(now).Set(ctx, us[liFang]); err != nil || len(set) > 0 {
		return err // loaded before
	}
	classes, err := classIDs(ctx, c.s)
	if err != nil {
		return err
	}
	today := now.In(c.loc)
	// at is hh:mm on the day `days` from today, school time.
	at := func(days, hh, mm int) time.Time {
		d := today.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, c.loc)
	}
	due := func(t time.Time) string { return t.In(c.loc).Format(homework.DueLayout) }
	kids := map[string]uint64{}
	for _, p := range []string{zhangWei, wangQiang, chenGang, zhaoGuoqing, wuJun} {
		if kids[p], err = childOf(ctx, c.s, us[p]); err != nil {
			return err
		}
	}
	type hand struct {
		parent string
		when   time.Time
		body   string
		photos int
		// the mark, if any: a grade, or redo
		grade, comment string
		redo, featured bool
		markedAt       time.Time
	}
	for _, w := range []struct {
		teacher string
		set     time.Time
		in      homework.CreateInput
		hands   []hand
	}{
		{liFang, at(-6, 16, 0), homework.CreateInput{Title: "背诵古诗《山行》", Subject: "语文", ClassIDs: []uint64{classes[32]},
			Body: "背诵并默写杜牧《山行》，家长听背后拍照上传默写。", Due: due(at(-5, 20, 0)), RequiresSubmission: true}, []hand{
			{zhangWei, at(-6, 19, 30), "已背熟，默写如图，请老师检查。", 1, "优", "背诵流利，默写工整，作为优秀作业给全班展示！", false, true, at(-4, 10, 0)},
			{wangQiang, at(-5, 18, 10), "背诵录音已在群里发给老师，默写见照片。", 1, "良", "背得不错，“霜叶红于二月花”一句注意停顿。", false, false, at(-4, 10, 5)},
			{chenGang, at(-4, 21, 0), "昨天忘记提交了，今天补交。", 1, "合格", "补交也要按时哦，默写有两个错别字。", false, false, at(-3, 9, 30)},
		}},
		{chenZhiqiang, at(-3, 15, 0), homework.CreateInput{Title: "练习册第12页第1–5题", Subject: "数学", ClassIDs: []uint64{classes[32], classes[33]},
			Body: "完成练习册第12页第1–5题，写出计算过程。", Due: due(at(-1, 20, 0)), RequiresSubmission: true}, []hand{
			{zhangWei, at(-2, 19, 0), "", 2, "", "", false, false, time.Time{}},
			{wangQiang, at(-1, 21, 30), "孩子晚上发烧，交晚了，抱歉。", 1, "", "", false, false, time.Time{}},
			{chenGang, at(-2, 20, 0), "已完成。", 1, "", "第3题计算有误，请订正后重新提交。", true, false, at(-1, 10, 0)},
			{zhaoGuoqing, at(-2, 18, 30), "做完了。", 1, "待改进", "书写潦草，第4、5题没有写完，请注意。", false, false, at(-1, 10, 10)},
		}},
		{zhaoMin, at(-1, 16, 0), homework.CreateInput{Title: "Unit 3 单词抄写", Subject: "英语", ClassIDs: []uint64{classes[41], classes[33]},
			Body: "抄写 Unit 3 单词每个三遍，并读给家长听。", Due: due(at(2, 20, 0)), RequiresSubmission: true}, []hand{
			{wuJun, at(-1, 20, 30), "单词已抄写三遍，也读给我们听了。", 1, "", "", false, false, time.Time{}},
		}},
		{liFang, at(-1, 17, 0), homework.CreateInput{Title: "阅读《稻草人》第一章", Subject: "语文", ClassIDs: []uint64{classes[32], classes[41]},
			Body: "阅读叶圣陶《稻草人》第一章，无需提交，下周课上交流读后感。", Due: due(at(4, 20, 0))}, nil},
		{liFang, now, homework.CreateInput{Title: "周记：我的周末", Subject: "语文", ClassIDs: []uint64{classes[32]},
			Body: "写一篇周记，不少于200字，拍照上传。", Due: due(at(3, 20, 0)), RequiresSubmission: true}, nil},
	} {
		a, err := c.homework(w.set.UTC()).Create(ctx, us[w.teacher], w.in)
		if err != nil {
			return fmt.Errorf("set %q: %w", w.in.Title, err)
		}
		inks := []color.RGBA{{0x22, 0x2a, 0x44, 0xff}, {0x1d, 0x4e, 0x89, 0xff}}
		for i, h := range w.hands {
			in := homework.SubmitInput{StudentID: kids[h.parent], Body: h.body}
			for p := range h.photos {
				ph, err := sheetPhoto(fmt.Sprintf("%s-%d.png", w.in.Subject, p+1), inks[(i+p)%len(inks)], 4+(i+p)%5)
				if err != nil {
					return err
				}
				in.Files = append(in.Files, ph)
			}
			sub, err := c.homework(h.when.UTC()).Submit(ctx, us[h.parent], a.ID, in)
			if err != nil {
				return fmt.Errorf("hand in %q: %w", w.in.Title, err)
			}
			if h.grade == "" && !h.redo {
				continue
			}
			r := homework.ReviewInput{Grade: h.grade, Comment: h.comment, Redo: h.redo, Featured: h.featured}
			if _, err := c.homework(h.markedAt.UTC()).Review(ctx, us[w.teacher], a.ID, sub.ID, r); err != nil {
				return fmt.Errorf("mark %q: %w", w.in.Title, err)
			}
		}
	}
	return nil
}

// leaveRequests files one request at each status around today: 病假 away
// on the next school day in two classes, one of them since the last
// (the morning view and the school's day show them, today too),
// a 事假 waiting for the head teacher, one rejected with a reason, one
// the parent cancelled, and a 病假 last week closed by 销假.
func (c clocked) leaveRequests(ctx context.Context, us map[string]*auth.User, now time.Time) error {
	if mine, err := c.leave(now).ForHead(ctx, us[liFang]); err != nil || len(mine) > 0 {
		return err // loaded before
	}
	cal, err := c.s.Calendars.Calendar(ctx)
	if err != nil {
		return err
	}
	today := calendar.DayOf(now, c.loc)
	// The school days around today: back[0] the last before it, ahead[0]
	// today if it is one, else the next.
	var back, ahead []string
	for d := 1; len(back) < 3 && d < 60; d++ {
		if day := dayAt(today, -d); cal.IsWorkDay(day) {
			back = append(back, string(day))
		}
	}
	for d := 0; len(ahead) < 5 && d < 60; d++ {
		if day := dayAt(today, d); cal.IsWorkDay(day) {
			ahead = append(ahead, string(day))
		}
	}
	if len(back) < 3 || len(ahead) < 5 {
		return fmt.Errorf("no school days around %s", today)
	}
	// The 病假 away today began on the last school day, unless that is
	// further back than a guardian may ask after the fact (a long holiday).
	since, sinceHalf := back[0], studentleave.PM
	if since < string(dayAt(today, -studentleave.LateDays)) {
		since, sinceHalf = ahead[0], studentleave.AM
	}
	morning := func(d string, hh int) time.Time {
		t, _ := time.ParseInLocation(time.DateOnly, d, c.loc)
		return t.Add(time.Duration(hh) * time.Hour).UTC()
	}
	type step func(svc *studentleave.Service, id uint64) error
	for _, r := range []struct {
		parent string
		asked  time.Time
		in     studentleave.RequestInput
		then   step
		thenAt time.Time
	}{
		// Away sick since the last school day until the one after next,
		// approved: the morning view shows it today, a weekend too.
		{wangQiang, now, studentleave.RequestInput{Kind: studentleave.Sick, StartDate: since, StartHalf: sinceHalf, EndDate: ahead[1],
			EndHalf: studentleave.PM, Reason: "孩子发烧38.5度，医生建议在家休息到退烧。", Symptoms: []string{"发热", "咳嗽"}},
			func(svc *studentleave.Service, id uint64) error { return svc.Approve(ctx, us[liFang], id) }, now},
		{zhaoGuoqing, now, studentleave.RequestInput{Kind: studentleave.Sick, StartDate: ahead[0], StartHalf: studentleave.AM, EndDate: ahead[0],
			EndHalf: studentleave.PM, Reason: "身上起了红疹，上午去医院看皮肤科。", Symptoms: []string{"皮疹"}},
			func(svc *studentleave.Service, id uint64) error { return svc.Approve(ctx, us[chenZhiqiang], id) }, now},
		// Waiting for the head teacher.
		{chenGang, now, studentleave.RequestInput{Kind: studentleave.Personal, StartDate: ahead[2], StartHalf: studentleave.PM, EndDate: ahead[2],
			EndHalf: studentleave.PM, Reason: "下午带孩子去派出所办理户口手续。"}, nil, now},
		// Rejected with a reason.
		{zhangWei, now, studentleave.RequestInput{Kind: studentleave.Personal, StartDate: ahead[3], StartHalf: studentleave.AM, EndDate: ahead[3],
			EndHalf: studentleave.PM, Reason: "家里有事，想请一天假。"},
			func(svc *studentleave.Service, id uint64) error {
				return svc.Reject(ctx, us[liFang], id, "这天有期中测验，请改到测验之后再请假；确有急事请电话联系我。")
			}, now},
		// Cancelled by the parent before it started.
		{zhaoGuoqing, now, studentleave.RequestInput{Kind: studentleave.Personal, StartDate: ahead[4], StartHalf: studentleave.AM, EndDate: ahead[4],
			EndHalf: studentleave.PM, Reason: "参加亲戚的婚礼。"},
			func(svc *studentleave.Service, id uint64) error { return svc.Cancel(ctx, us[zhaoGuoqing], id) }, now},
		// Last week's 病假, approved, and the child back (销假).
		{wuJun, morning(back[2], 7), studentleave.RequestInput{Kind: studentleave.Sick, StartDate: back[2], StartHalf: studentleave.AM, EndDate: back[1],
			EndHalf: studentleave.PM, Reason: "肠胃炎，呕吐腹泻，在家休息。", Symptoms: []string{"呕吐", "腹泻"}},
			func(svc *studentleave.Service, id uint64) error {
				if err := c.leave(morning(back[2], 8)).Approve(ctx, us[zhaoMin], id); err != nil {
					return err
				}
				return svc.Return(ctx, us[zhaoMin], id)
			}, morning(back[0], 8)},
	} {
		if r.in.StudentID, err = childOf(ctx, c.s, us[r.parent]); err != nil {
			return err
		}
		l, err := c.leave(r.asked).Request(ctx, us[r.parent], r.in)
		if err != nil {
			return fmt.Errorf("ask %s %s: %w", r.in.Kind, r.in.StartDate, err)
		}
		if r.then != nil {
			if err := r.then(c.leave(r.thenAt), l.ID); err != nil {
				return fmt.Errorf("decide %s %s: %w", r.in.Kind, r.in.StartDate, err)
			}
		}
	}
	return nil
}

func dayAt(d calendar.Day, n int) calendar.Day {
	t, _ := time.Parse(time.DateOnly, string(d))
	return calendar.Day(t.AddDate(0, 0, n).Format(time.DateOnly))
}
