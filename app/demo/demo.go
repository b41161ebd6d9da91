// Package demo loads a demo school so that a newcomer can try jiaxiao at
// once: three classes, their teachers, students with the guardians the
// roster lists, parents already admitted to their child's class group and
// a few join requests waiting for the head teacher, a week of homework
// and leave requests at every status. Loading it twice changes nothing.
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/homework"
	"jiaxiao/app/message"
	"jiaxiao/app/notice"
	"jiaxiao/app/privacy"
	"jiaxiao/app/school"
	"jiaxiao/app/studentleave"
)

// Password is the password of every demo account.
const Password = "jiaxiao2026"

// Login is one demo account as printed for the user.
type Login struct {
	Role  auth.Role
	Name  string
	Phone string
	Note  string
}

// Services are what the demo is loaded through: the same rules as real use.
type Services struct {
	Auth     *auth.Service
	School   *school.Service
	Groups   *group.Service
	Messages *message.Service
	Notices  *notice.Service
	// NoticesAt returns the notice service on another clock, for the
	// archive's older notices.
	NoticesAt func(now func() time.Time) *notice.Service
	// DB and Location are for last month's punches.
	DB       *gorm.DB
	Location *time.Location
	// Privacy records the demo parents' agreement to the privacy notice
	// (nil: they are asked when they first log in).
	Privacy *privacy.Service
	// Words, Files and Calendars are what the week's homework and leave
	// services are built on, each on the clock of its moment (nil: the
	// demo has no homework or leave).
	Words     homework.Filters
	Files     *file.Service
	Calendars studentleave.Calendars
}

const staffCSV = `姓名,手机,角色,部门,任教班级,班主任
王建国,13800000001,管理员,校长室,,
李芳,13800000002,教师,语文教研组,3年级2班;4年级1班,3年级2班
陈志强,13800000003,教师,数学教研组,3年级2班;3年级3班,3年级3班
赵敏,13800000004,教师,英语教研组,4年级1班;3年级3班,4年级1班
`

const studentsCSV = `年级,班级,学号,姓名,家长姓名,家长手机,关系
3,2,20230201,张小明,张伟,13900000001,父亲
3,2,20230201,张小明,李娜,13900000002,母亲
3,2,20230202,王芳,王强,13900000003,父亲
3,2,20230203,刘洋,刘敏,13900000004,母亲
3,2,20230204,陈思远,陈刚,13900000005,父亲
3,2,20230205,杨子涵,,,
3,3,20230301,赵雷,赵国庆,13900000006,父亲
3,3,20230302,孙悦,孙丽,13900000007,母亲
3,3,20230303,周杰,,,
4,1,20220101,吴晓彤,吴军,13900000008,父亲
4,1,20220102,郑浩然,郑红,13900000009,母亲
4,1,20220103,欧阳娜娜,,,
`

type parent struct {
	name, phone     string
	grade, number   int
	no, child, rel  string
	approve, listed bool
}

// heads are the head teachers' phones by grade*10+class.
var heads = map[int]string{32: "13800000002", 33: "13800000003", 41: "13800000004"}

var parents = []parent{
	{"张伟", "13900000001", 3, 2, "20230201", "张小明", "父亲", true, true},
	{"王强", "13900000003", 3, 2, "20230202", "王芳", "父亲", true, true},
	{"陈刚", "13900000005", 3, 2, "20230204", "陈思远", "父亲", true, true},
	{"赵国庆", "13900000006", 3, 3, "20230301", "赵雷", "父亲", true, true},
	{"吴军", "13900000008", 4, 1, "20220101", "吴晓彤", "父亲", true, true},
	// Waiting for the head teacher: one the roster lists, one it does not.
	{"李娜", "13900000002", 3, 2, "20230201", "张小明", "母亲", false, true},
	{"黄丽", "13700000010", 3, 2, "20230203", "刘洋", "外婆", false, false},
}

// Load creates whatever part of the demo school is missing and returns the
// demo logins.
func Load(ctx context.Context, s Services) ([]Login, error) {
	staff, err := s.School.ImportStaff(ctx, auth.System, "demo-staff.csv", []byte(staffCSV), false)
	if err != nil {
		return nil, fmt.Errorf("demo: staff: %w", err)
	}
	for _, c := range staff.Codes {
		if _, _, err := s.Auth.Activate(ctx, auth.ActivateInput{Phone: c.Phone, Code: c.Code, Password: Password}); err != nil {
			return nil, fmt.Errorf("demo: activate %s: %w", c.Phone, err)
		}
	}
	if _, err := s.School.Import(ctx, auth.System, "demo-students.csv", []byte(studentsCSV), school.ImportOptions{}); err != nil {
		return nil, fmt.Errorf("demo: students: %w", err)
	}
	all, err := s.Groups.All(ctx)
	if err != nil {
		return nil, err
	}
	invite := map[string]group.Listing{}
	for _, g := range all {
		invite[g.Name] = g
	}
	logins := []Login{
		{auth.RoleAdmin, "王建国", "13800000001", "校长"},
		{auth.RoleTeacher, "李芳", "13800000002", "三年级(2)班班主任"},
		{auth.RoleTeacher, "陈志强", "13800000003", "三年级(3)班班主任"},
		{auth.RoleTeacher, "赵敏", "13800000004", "四年级(1)班班主任"},
	}
	for _, p := range parents {
		u, err := s.Auth.CreateUser(ctx, auth.NewUser{Phone: p.phone, Name: p.name, Role: auth.RoleParent, Password: Password})
		if errors.Is(err, apperr.ErrConflict) {
			continue // loaded before
		}
		if err != nil {
			return nil, fmt.Errorf("demo: parent %s: %w", p.phone, err)
		}
		if s.Privacy != nil {
			if err := s.Privacy.AgreeAll(ctx, []uint64{u.ID}); err != nil {
				return nil, fmt.Errorf("demo: parent %s: %w", p.phone, err)
			}
		}
		g := invite[school.ClassName(p.grade, p.number)+"家校群"]
		req, err := s.Groups.Join(ctx, &u, g.InviteCode, group.JoinInput{StudentNo: p.no, StudentName: p.child, Relation: p.rel})
		if err != nil {
			return nil, fmt.Errorf("demo: join %s: %w", p.phone, err)
		}
		if p.approve {
			head, err := s.Auth.UserByPhone(ctx, heads[p.grade*10+p.number])
			if err != nil {
				return nil, fmt.Errorf("demo: head teacher: %w", err)
			}
			if err := s.Groups.Approve(ctx, &head, g.ID, req.ID); err != nil {
				return nil, fmt.Errorf("demo: approve %s: %w", p.phone, err)
			}
		}
	}
	if err := conversations(ctx, s, invite["三年级(2)班家校群"].ID); err != nil {
		return nil, err
	}
	if err := notices(ctx, s, invite); err != nil {
		return nil, err
	}
	if err := schoolwork(ctx, s, time.Now()); err != nil {
		return nil, err
	}
	var staffIDs []uint64
	for _, phone := range []string{"13800000002", "13800000003", "13800000004", "13800000001"} {
		u, err := s.Auth.UserByPhone(ctx, phone)
		if err != nil {
			return nil, err
		}
		staffIDs = append(staffIDs, u.ID)
	}
	if err := punchesLastMonth(ctx, s.DB, s.Location, staffIDs, time.Now()); err != nil {
		return nil, fmt.Errorf("demo: punches: %w", err)
	}
	for _, p := range parents {
		note := school.CallName(p.child, p.rel)
		if !p.approve {
			note += "（入群申请待审核）"
		}
		logins = append(logins, Login{auth.RoleParent, p.name, p.phone, note})
	}
	return logins, nil
}

// chat is the demo conversation of 三年级(2)班: who says what.
var chat = []struct{ phone, body string }{
	{"13800000002", "@所有人 各位家长好，明天上午第二节课是语文公开课，请提醒孩子带好课本和练习册。"},
	{"13900000001", "收到，谢谢李老师！"},
	{"13900000003", "请问李老师，明天需要带午饭吗？"},
	{"13800000002", "不用带午饭，学校食堂正常供应。"},
	{"13900000005", "收到。"},
	{"13800000003", "数学作业：练习册第 12 页第 1–5 题，周五前交。"},
	{"13900000005", "帮忙投票给我家孩子，谢谢大家！"}, // held: 帮忙投票 is on the review list
	{"13900000003", "周末谁家孩子一起去公园玩？"},
}

// conversations fills 三年级(2)班's feed once: a chat, a held message, and a
// deleted one with its moderation-log entry.
func conversations(ctx context.Context, s Services, groupID uint64) error {
	head, err := s.Auth.UserByPhone(ctx, "13800000002")
	if err != nil {
		return err
	}
	page, err := s.Messages.List(ctx, &head, groupID, 0)
	if err != nil || len(page.Messages) > 0 {
		return err // loaded before
	}
	var last message.Message
	for _, c := range chat {
		u, err := s.Auth.UserByPhone(ctx, c.phone)
		if err != nil {
			return err
		}
		if last, err = s.Messages.Post(ctx, &u, groupID, message.PostInput{Body: c.body}); err != nil {
			return fmt.Errorf("demo: post %q: %w", c.body, err)
		}
	}
	return s.Messages.Delete(ctx, &head, groupID, last.ID, "与教学无关，请家长们私下联系")
}

// notices publishes the demo notices once: three recent ones read by all,
// some and none of their recipients, and older ones over the past months
// for the archive.
func notices(ctx context.Context, s Services, groups map[string]group.Listing) error {
	head, err := s.Auth.UserByPhone(ctx, "13800000002")
	if err != nil {
		return err
	}
	admin, err := s.Auth.UserByPhone(ctx, "13800000001")
	if err != nil {
		return err
	}
	if list, err := s.Notices.List(ctx, &admin, 1); err != nil || len(list) > 0 {
		return err // loaded before
	}
	c32 := groups["三年级(2)班家校群"].ID
	school := groups[group.KindSchool.Label()].ID
	now := time.Now()
	for i, old := range []struct {
		months      int
		title, body string
		category    string
	}{
		{3, "开学通知", "9月1日上午8点开学，请按时到校报到。", "通知"},
		{2, "国庆节放假安排", "10月1日至7日放假，9月28日、10月10日正常上课。", "公告"},
		{1, "秋季运动会", "10月24日举行秋季运动会，欢迎家长观摩。", "活动"},
	} {
		at := now.AddDate(0, -old.months, -i)
		past := s.NoticesAt(func() time.Time { return at })
		if _, err := past.Compose(ctx, &admin, notice.ComposeInput{Title: old.title, Body: old.body, Category: old.category, GroupIDs: []uint64{school}}); err != nil {
			return fmt.Errorf("demo: notice %q: %w", old.title, err)
		}
	}
	readers := [][]string{
		{"13900000001", "13900000003", "13900000005"}, // everyone in the class
		{"13900000001"}, // one of three
		nil,             // nobody yet
	}
	for i, n := range []notice.ComposeInput{
		{Title: "期中考试安排", Body: "11月10日至11日期中考试，请督促孩子复习。", Category: "通知", RequiresAck: true},
		{Title: "安全提醒：冬季防火", Body: "天气干燥，请教育孩子不要玩火。", Category: "安全提醒", RequiresAck: true},
		{Title: "家长会通知", Body: "本周五下午3点在三年级(2)班教室召开家长会。", Category: "通知", RequiresAck: true},
	} {
		n.GroupIDs = []uint64{c32}
		posted, err := s.Notices.Compose(ctx, &head, n)
		if err != nil {
			return fmt.Errorf("demo: notice %q: %w", n.Title, err)
		}
		for _, phone := range readers[i] {
			u, err := s.Auth.UserByPhone(ctx, phone)
			if err != nil {
				return err
			}
			if err := s.Notices.Ack(ctx, &u, posted.ID); err != nil {
				return err
			}
		}
	}
	return nil
}
