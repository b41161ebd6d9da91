// Package privacy owns a family's data rights that are not export or
// erasure: the school's privacy notice and children's personal-information
// rules, the guardians' consent to them, and the access log of who was
// shown other people's personal information.
//
// Rules (PIPL art. 28, 31; 儿童个人信息网络保护规定):
//   - The notice is versioned: every save by an admin is a new version with
//     its author and time; old versions stay readable word for word. The
//     built-in default is stored as version 1 the first time it is needed.
//   - A parent registers only by agreeing to the notice; the version and
//     time are stored. A save that asks again (the default) makes every
//     parent who has not agreed to it agree before going on; a typo fix
//     may be saved without asking again.
//   - Every page or export that shows another person's full phone number,
//     a child's record or attendance data records it: one audit entry
//     (pii.view: who, what, how many, when) and one row per person or
//     child shown, written with one statement whatever their number, so
//     that a family can read who looked at their data (Access).
package privacy

import (
	"time"
)

// Notice is one version of the privacy notice and children's rules.
type Notice struct {
	ID      uint64
	Version int
	// Policy is the privacy notice (隐私政策), plain text.
	Policy string
	// Children is the children's personal-information rules
	// (儿童个人信息保护规则), plain text.
	Children string
	// Officer and Contact name the person responsible for personal
	// information (个人信息保护负责人) and how to reach them.
	Officer, Contact string
	// AsksAgain says parents who agreed to an earlier version must agree
	// to this one before going on.
	AsksAgain bool
	AuthorID  *uint64 // nil: the built-in default
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Notice) TableName() string { return "privacy_notices" }

// Consent is a user's agreement to one version of the notice.
type Consent struct {
	ID       uint64
	UserID   uint64
	Version  int
	AgreedAt time.Time
}

// TableName implements gorm's Tabler.
func (Consent) TableName() string { return "privacy_consents" }

// view is one row of the access log: actor was shown the user's or the
// student's data (one of the two is 0) of kind, for ref, on a day of the
// school; at is the last time that day and count how many times.
type view struct {
	ID        uint64
	ActorID   uint64
	Kind      Kind
	Ref       string
	Label     string
	UserID    uint64
	StudentID uint64
	ViewDay   string
	ViewedAt  time.Time
	ViewCount int
}

func (view) TableName() string { return "pii_views" }

// Kind is what a page or export showed.
type Kind string

// The kinds of personal data pages and exports show.
const (
	KindReceipts    Kind = "receipts"      // a notice's readers with their phones
	KindReceiptsCSV Kind = "receipts_csv"  // the same, downloaded
	KindMembers     Kind = "members"       // a group's members with their phones
	KindRequests    Kind = "requests"      // join requests: the parent and the child
	KindUsers       Kind = "users"         // the school's accounts
	KindClass       Kind = "class"         // a class's students
	KindDaily       Kind = "daily"         // the day's teacher attendance
	KindMonthly     Kind = "monthly"       // a month's teacher attendance
	KindMonthlyCSV  Kind = "monthly_csv"   // the same, downloaded as CSV
	KindMonthlyXLSX Kind = "monthly_xlsx"  // the same, downloaded as Excel
	KindApprovals   Kind = "approvals"     // leave and make-up requests to decide
	KindStaffCodes  Kind = "staff_codes"   // new staff's activation codes with their phones
	KindLeave       Kind = "leave"         // a class's leave requests: reasons, symptoms
	KindLeaveNote   Kind = "leave_note"    // a doctor's note on a leave request
	KindClassToday  Kind = "class_today"   // a class's morning view: who is away and why
	KindLeaveDay    Kind = "leave_day"     // the school's day of student leave
	KindLeaveDayCSV Kind = "leave_day_csv" // the same, downloaded as CSV
)

// kindWords say what was seen, as a family reads it.
var kindWords = map[Kind]string{
	KindReceipts:    "查看了通知阅读情况（含手机号）",
	KindReceiptsCSV: "导出了通知阅读情况（含手机号）",
	KindMembers:     "查看了群成员名单（含手机号）",
	KindRequests:    "查看了入群申请（家长与孩子信息）",
	KindUsers:       "查看了用户列表（含手机号）",
	KindClass:       "查看了班级学生名单",
	KindDaily:       "查看了每日考勤",
	KindMonthly:     "查看了月度考勤（含手机号）",
	KindMonthlyCSV:  "导出了月度考勤 CSV（含手机号）",
	KindMonthlyXLSX: "导出了月度考勤 Excel（含手机号）",
	KindApprovals:   "查看了请假、补卡申请",
	KindStaffCodes:  "查看了教职工激活码（含手机号）",
	KindLeave:       "查看了学生请假（含事由与病假症状）",
	KindLeaveNote:   "查看了请假的医生证明",
	KindClassToday:  "查看了班级今日出勤（含病假症状）",
	KindLeaveDay:    "查看了全校学生请假（含病假症状）",
	KindLeaveDayCSV: "导出了全校学生请假名单（含病假症状）",
}

// Words is what a kind of view did, in Chinese.
func (k Kind) Words() string {
	if w := kindWords[k]; w != "" {
		return w
	}
	return "查看了个人信息"
}
