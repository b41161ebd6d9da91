package audit

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// This file turns entries into sentences: 谁 于 何时 对谁 做了什么（理由）.
// It is the one place that knows what each action's Subject and Detail
// hold; every action the code writes has words here (TestEveryActionHasWords).

// Kind is a kind of thing an entry names by id.
type Kind string

// The kinds of things entries name. Entries written before a kind had a
// name keep the word they were written with ("parent" is a user).
const (
	KindUser       Kind = "user"
	KindGroup      Kind = "group"
	KindStudent    Kind = "student"
	KindDepartment Kind = "department"
	KindApproval   Kind = "approval"
)

// refKinds maps the words written in Subject and Detail to kinds.
var refKinds = map[string]Kind{
	"user": KindUser, "parent": KindUser, "group": KindGroup, "student": KindStudent,
	"department": KindDepartment, "approval": KindApproval,
}

// Names holds the names a page of entries needs, by kind and id.
type Names map[Kind]map[uint64]string

// Part is a piece of a sentence: plain text, or a person's name (Person is
// their id, for a link to their entries).
type Part struct {
	Text   string
	Person uint64
}

// facts is an entry's Subject and Detail read apart: the things it names
// ("group:3", "parent:5"), its flags ("roster_match=true"), the reason at
// the end ("reason=…"), and any other words.
type facts struct {
	refs    map[string]uint64
	flags   map[string]string
	words   []string
	reason  string
	subject string // the Subject when it names no thing: a file, a month, a day
	detail  string // the Detail as written
	names   Names
}

var refToken = regexp.MustCompile(`^([a-z_]+):(\d+)$`)

func readFacts(e Entry, names Names) *facts {
	f := &facts{refs: map[string]uint64{}, flags: map[string]string{}, detail: e.Detail, names: names}
	if m := refToken.FindStringSubmatch(e.Subject); m != nil {
		f.refs["subject:"+m[1]], _ = strconv.ParseUint(m[2], 10, 64)
	} else {
		f.subject = e.Subject
	}
	d := e.Detail
	if i := strings.Index(d, "reason="); i == 0 || (i > 0 && d[i-1] == ' ') {
		d, f.reason = d[:i], d[i+len("reason="):]
	}
	for _, tok := range strings.Fields(d) {
		if m := refToken.FindStringSubmatch(tok); m != nil {
			f.refs[m[1]], _ = strconv.ParseUint(m[2], 10, 64)
		} else if k, v, ok := strings.Cut(tok, "="); ok && k != "" {
			f.flags[k] = v
		} else {
			f.words = append(f.words, tok)
		}
	}
	return f
}

// refs lists the things an entry names, for the page to read their names.
func refs(e Entry) map[Kind][]uint64 {
	out := map[Kind][]uint64{}
	for key, id := range readFacts(e, nil).refs {
		if k, ok := refKinds[strings.TrimPrefix(key, "subject:")]; ok && id != 0 {
			out[k] = append(out[k], id)
		}
	}
	return out
}

// ref returns the id named key ("user", "parent") in the detail, or as
// the subject.
func (f *facts) ref(keys ...string) (uint64, string) {
	for _, k := range keys {
		if id, ok := f.refs[k]; ok {
			return id, k
		}
		if id, ok := f.refs["subject:"+k]; ok {
			return id, k
		}
	}
	return 0, ""
}

// name is the named thing's name, or what it was if it is gone.
func (f *facts) name(keys ...string) Part {
	id, key := f.ref(keys...)
	kind := refKinds[key]
	if n := f.names[kind][id]; n != "" {
		if kind == KindUser {
			return Part{Text: n, Person: id}
		}
		return Part{Text: n}
	}
	switch kind {
	case KindUser:
		return Part{Text: "（已注销的用户）"}
	case KindGroup:
		return Part{Text: "（已删除的群）"}
	case KindStudent:
		return Part{Text: "（已删除的学生）"}
	case KindDepartment:
		return Part{Text: "（已删除的部门）"}
	case KindApproval:
		return Part{Text: "一条考勤申请"}
	}
	return Part{Text: "（未记录对象）"}
}

func (f *facts) person() Part  { return f.name("user", "parent") }
func (f *facts) group() Part   { return f.name("group") }
func (f *facts) student() Part { return f.name("student") }

// num is a count flag as a number ("0" when missing).
func (f *facts) num(k string) string {
	if v := f.flags[k]; v != "" {
		return v
	}
	return "0"
}

// t makes a text part.
func t(s string) Part { return Part{Text: s} }

// described says what an action did, after its actor and time.
type described func(f *facts) []Part

// Words is the words of every action the code writes.
var Words = map[string]described{
	"user.create": func(f *facts) []Part {
		out := []Part{t("创建了 "), f.person(), t(" 的账号")}
		if r := roleWord(f.flags["role"]); r != "" {
			out = append(out, t("（"+r+"）"))
		}
		return out
	},
	"user.register": func(f *facts) []Part { return []Part{t("注册了家长账号")} },
	"user.activate": func(f *facts) []Part { return []Part{t("激活了教职工账号")} },
	"user.depart":   func(f *facts) []Part { return []Part{t("将 "), f.person(), t(" 标记为离职")} },
	"user.role":     roleChange,
	"user.close": func(f *facts) []Part {
		return []Part{t("注销了自己的账号" + eraseWhen(f))}
	},
	"user.erase": func(f *facts) []Part {
		return []Part{t("注销了 "), f.person(), t(" 的家长账号" + eraseWhen(f))}
	},
	"user.erased": func(f *facts) []Part {
		return []Part{t("按期删除了 "), f.person(), t(fmt.Sprintf(" 的个人资料：姓名、手机号、密码，%s 条消息的内容，%s 个文件，%s 条入群申请",
			f.num("messages"), f.num("files"), f.num("requests")))}
	},
	"retention.purge": func(f *facts) []Part {
		return []Part{t(fmt.Sprintf("按保留期限删除了旧记录：群消息 %s 条，文件 %s 个，通知 %s 条，入群申请 %s 条，IP 地址与浏览器信息 %s 条，登录失败与验证码记录 %s 条",
			f.num("messages"), f.num("files"), f.num("notifications"), f.num("requests"), f.num("addresses"), f.num("logins")))}
	},
	"join.request": func(f *facts) []Part {
		return append([]Part{t("申请加入 "), f.group(), t("，孩子 "), f.student()}, rosterMatch(f)...)
	},
	"join.approve": func(f *facts) []Part {
		return append([]Part{t("批准 "), f.person(), t(" 加入 "), f.group()}, rosterMatch(f)...)
	},
	"join.reject": func(f *facts) []Part {
		return []Part{t("驳回了 "), f.person(), t(" 加入 "), f.group(), t(" 的申请")}
	},
	"group.reset_invite": func(f *facts) []Part { return []Part{t("重置了 "), f.group(), t(" 的邀请码")} },
	"group.rename": func(f *facts) []Part {
		// The group's name now may be this very name: the old one is not kept.
		return []Part{t("把一个群改名为“" + f.detail + "”")}
	},
	"group.moderator_add": func(f *facts) []Part {
		return []Part{t("将 "), f.person(), t(" 设为 "), f.group(), t(" 的管理员")}
	},
	"group.moderator_remove": func(f *facts) []Part {
		return []Part{t("取消了 "), f.person(), t(" 在 "), f.group(), t(" 的管理员身份")}
	},
	"group.remove": func(f *facts) []Part {
		out := []Part{t("将 "), f.person(), t(" 移出 "), f.group()}
		if f.flags["ban"] == "true" {
			out = append(out, t("，并禁止再次申请"))
		}
		return out
	},
	"group.mute": func(f *facts) []Part {
		return []Part{t("在 "), f.group(), t(" 将 "), f.person(), t(" 禁言 " + minutesWord(f.flags["minutes"]))}
	},
	"group.unmute": func(f *facts) []Part {
		return []Part{t("解除了 "), f.person(), t(" 在 "), f.group(), t(" 的禁言")}
	},
	"group.mute_all":      func(f *facts) []Part { return []Part{t("开启了 "), f.group(), t(" 的全员禁言")} },
	"group.unmute_all":    func(f *facts) []Part { return []Part{t("关闭了 "), f.group(), t(" 的全员禁言")} },
	"group.open_posting":  func(f *facts) []Part { return []Part{t("允许家长在 "), f.group(), t(" 发言")} },
	"group.close_posting": func(f *facts) []Part { return []Part{t("关闭了家长在 "), f.group(), t(" 的发言")} },
	"roster.import": func(f *facts) []Part {
		added, removed := "0", "0"
		for _, w := range f.words {
			if n, ok := strings.CutPrefix(w, "+"); ok {
				added = n
			} else if n, ok := strings.CutPrefix(w, "-"); ok {
				removed = n
			}
		}
		s := fmt.Sprintf("导入学生名单%s：学生新增 %s、更新 %s、未变 %s，家长联系人新增 %s、删除 %s",
			fileWord(f.subject), f.num("created"), f.num("updated"), f.num("unchanged"), added, removed)
		if n := f.num("left"); n != "0" {
			s += "，" + n + " 名学生标记为转出"
		}
		return []Part{t(s)}
	},
	"roster.import_staff": func(f *facts) []Part {
		return []Part{t(fmt.Sprintf("导入教职工名单%s：新增 %s、更新 %s、未变 %s", fileWord(f.subject), f.num("created"), f.num("updated"), f.num("unchanged")))}
	},
	"student.status": func(f *facts) []Part {
		return []Part{t("将学生 "), f.student(), t(" 的学籍改为" + studentStatusWord(strings.TrimSpace(f.detail)))}
	},
	"department.head": func(f *facts) []Part {
		if id, _ := f.ref("user"); id == 0 {
			return []Part{t("取消了 "), f.name("department"), t(" 的组长")}
		}
		return []Part{t("将 "), f.person(), t(" 设为 "), f.name("department"), t(" 的组长")}
	},
	"settings.update": func(f *facts) []Part {
		if f.detail == "" {
			return []Part{t("保存了学校设置")}
		}
		return []Part{t("修改了学校设置（" + f.detail + "）")}
	},
	"words.add_word":    func(f *facts) []Part { return []Part{t("在全校词库添加了 " + f.detail)} },
	"words.delete_word": func(f *facts) []Part { return []Part{t("从全校词库删除了“" + f.detail + "”")} },
	"leave.approve":     func(f *facts) []Part { return []Part{t("批准了一条学生请假申请")} },
	"leave.reject":      func(f *facts) []Part { return []Part{t("驳回了一条学生请假申请")} },
	"attendance.approved": func(f *facts) []Part {
		return []Part{t("批准了 "), f.name("approval")}
	},
	"attendance.rejected": func(f *facts) []Part {
		return []Part{t("驳回了 "), f.name("approval")}
	},
	"attendance.confirm": func(f *facts) []Part {
		return []Part{t("确认并锁定了 " + monthWord(f.subject) + " 的考勤")}
	},
	"attendance.import": func(f *facts) []Part {
		return []Part{t(fmt.Sprintf("导入考勤机记录%s：新增 %s 条，已有 %s 条", fileWord(f.subject), f.num("added"), f.num("known")))}
	},
	"attendance.locked_edit": func(f *facts) []Part {
		return []Part{t("想在已锁定的 " + monthWord(f.subject) + " " + lockedEditWord(f.detail) + "，被拒绝")}
	},
	"calendar.set": func(f *facts) []Part {
		kind := "放假日"
		if f.flags["work"] == "true" {
			kind = "上课日"
		}
		out := "把 " + dayWord(f.subject) + " 设为" + kind
		if note := strings.Join(f.words, " "); note != "" {
			out += "（" + note + "）"
		}
		return []Part{t(out)}
	},
	"calendar.delete": func(f *facts) []Part {
		return []Part{t("取消了 " + dayWord(f.subject) + " 的校历安排")}
	},
	"session.end_others": func(f *facts) []Part {
		return []Part{t("退出了其他 " + f.num("count") + " 台设备上的登录")}
	},
	"data.export": func(f *facts) []Part {
		return []Part{t("导出了自己的数据（" + f.num("files") + " 个上传的文件）")}
	},
	"pii.view": piiView,
	"privacy.update": func(f *facts) []Part {
		out := "发布了隐私政策"
		if v := f.refs["subject:privacy"]; v > 0 {
			out = fmt.Sprintf("发布了第 %d 版隐私政策", v)
		}
		if f.flags["asks_again"] == "true" {
			out += "，要求家长重新同意"
		} else {
			out += "（文字修订，不要求重新同意）"
		}
		return []Part{t(out)}
	},
}

// piiKinds say what a pii.view showed (its kind flag, privacy.Kind).
var piiKinds = map[string]string{
	"receipts":     "查看了通知阅读情况",
	"receipts_csv": "导出了通知阅读情况",
	"members":      "查看了群成员名单",
	"requests":     "查看了入群申请",
	"users":        "查看了用户列表",
	"class":        "查看了班级学生名单",
	"daily":        "查看了每日考勤",
	"monthly":      "查看了月度考勤",
	"monthly_csv":  "导出了月度考勤（CSV）",
	"monthly_xlsx": "导出了月度考勤（Excel）",
	"approvals":    "查看了待审批的请假、补卡",
	"staff_codes":  "查看了教职工激活码",
}

// piiView: 查看了 <what>（<where>），涉及 N 人、M 名学生.
func piiView(f *facts) []Part {
	what := piiKinds[f.flags["kind"]]
	if what == "" {
		what = "查看了个人信息"
	}
	out := []Part{t(what)}
	switch {
	case f.refs["subject:group"] != 0:
		out = append(out, t("（"), f.group(), t("）"))
	case monthPattern.MatchString(f.subject):
		out = append(out, t("（"+monthWord(f.subject)+"）"))
	case dayPattern.MatchString(f.subject):
		out = append(out, t("（"+dayWord(f.subject)+"）"))
	}
	var who []string
	if n := f.num("people"); n != "0" {
		who = append(who, n+" 人")
	}
	if n := f.num("students"); n != "0" {
		who = append(who, n+" 名学生")
	}
	if len(who) > 0 {
		out = append(out, t("，涉及 "+strings.Join(who, "、")))
	}
	return out
}

var (
	monthPattern = regexp.MustCompile(`^\d{4}-\d{2}$`)
	dayPattern   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

func rosterMatch(f *facts) []Part {
	switch f.flags["roster_match"] {
	case "true":
		return []Part{t("（名册匹配）")}
	case "false":
		return []Part{t("（手机号不在名册上）")}
	}
	return nil
}

func roleChange(f *facts) []Part {
	out := []Part{t("将 "), f.person(), t(" 的身份")}
	if from := roleWord(f.flags["from"]); from != "" {
		out = append(out, t("从"+from))
	}
	out = append(out, t("改为"+roleWord(f.flags["to"])))
	if f.flags["by"] == "roster" {
		out = append(out, t("（按教职工名单）"))
	}
	return out
}

// eraseWhen says when a closed account's data goes ("days" days after).
func eraseWhen(f *facts) string {
	switch d := f.flags["days"]; d {
	case "":
		return ""
	case "0":
		return "，资料随即删除"
	default:
		return "，资料将在 " + d + " 天后删除"
	}
}

func roleWord(r string) string {
	return map[string]string{"admin": "管理员", "teacher": "教师", "parent": "家长"}[r]
}

func studentStatusWord(s string) string {
	if w := map[string]string{"enrolled": "在读", "transferred": "转出", "graduated": "毕业"}[s]; w != "" {
		return w
	}
	return "其他"
}

func lockedEditWord(w string) string {
	if s := map[string]string{"punch": "打卡", "leave": "请假", "makeup": "补卡", "decide": "审批申请"}[w]; s != "" {
		return s
	}
	return "修改考勤"
}

// minutesWord names a mute's length.
func minutesWord(v string) string {
	n, err := strconv.Atoi(v)
	switch {
	case err != nil || n <= 0:
		return ""
	case n%1440 == 0:
		return strconv.Itoa(n/1440) + " 天"
	case n%60 == 0:
		return strconv.Itoa(n/60) + " 小时"
	}
	return strconv.Itoa(n) + " 分钟"
}

func fileWord(name string) string {
	if name == "" {
		return ""
	}
	return "“" + name + "”"
}

func monthWord(m string) string {
	if t, err := time.Parse("2006-01", m); err == nil {
		return t.Format("2006年1月")
	}
	return m
}

func dayWord(d string) string {
	if t, err := time.Parse(time.DateOnly, d); err == nil {
		return t.Format("2006年1月2日")
	}
	return d
}

// When says when an entry was written, in loc: the date and minute, with
// the year when it is not now's.
func When(at, now time.Time, loc *time.Location) string {
	at, now = at.In(loc), now.In(loc)
	switch {
	case at.YearDay() == now.YearDay() && at.Year() == now.Year():
		return "今天 " + at.Format("15:04")
	case at.Year() == now.Year():
		return at.Format("1月2日 15:04")
	}
	return at.Format("2006年1月2日 15:04")
}

// Sentence says what the entry did in words: the actor, when, what they
// did to whom, and the reason if any. Names come from names; the actor of
// an entry without one is 系统.
func Sentence(e Entry, names Names, now time.Time, loc *time.Location) []Part {
	f := readFacts(e, names)
	actor := Part{Text: "系统"}
	if e.ActorID != nil && *e.ActorID != 0 {
		actor = Part{Text: "（已注销的用户）"}
		if n := names[KindUser][*e.ActorID]; n != "" {
			actor = Part{Text: n, Person: *e.ActorID}
		}
	}
	out := []Part{actor, t(" 于 " + When(e.CreatedAt, now, loc) + " ")}
	if w, ok := Words[e.Action]; ok {
		out = append(out, w(f)...)
	} else {
		out = append(out, t("进行了一项未归类的操作"))
	}
	if r := strings.TrimSpace(f.reason); r != "" {
		out = append(out, t("，理由："+r))
	}
	return out
}

// Text is a sentence as plain text.
func Text(parts []Part) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Text)
	}
	return b.String()
}
