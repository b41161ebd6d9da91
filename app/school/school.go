// Package school keeps the roster: classes, students, the guardians a
// roster lists, approved guardianships, departments and teaching
// assignments. Imports are all-or-nothing: one bad row imports nothing and
// every bad row is named; importing the same file twice changes nothing;
// students missing from a later roster are only marked as left when the
// admin confirms. Every change to the roster brings group membership back
// in step through the Syncer it is given.
package school

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Class is one class of the school, such as 三年级(2)班.
type Class struct {
	ID            uint64
	Grade         int
	Number        int
	HeadTeacherID *uint64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Name is the class as Chinese schools write it: 三年级(2)班.
func (c Class) Name() string { return ClassName(c.Grade, c.Number) }

// StudentStatus is where a student stands.
type StudentStatus string

// Student statuses.
const (
	Enrolled    StudentStatus = "enrolled"
	Transferred StudentStatus = "transferred"
	Graduated   StudentStatus = "graduated"
)

// Student is one pupil.
type Student struct {
	ID        uint64
	StudentNo string
	Name      string
	ClassID   uint64
	Status    StudentStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Contact is a guardian the roster lists for a student. It is not an
// account and grants nothing: it tells the moderator whether a join request
// comes from a phone the school already knows.
type Contact struct {
	ID        uint64
	StudentID uint64
	Name      string
	Phone     string
	Relation  string
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Contact) TableName() string { return "student_contacts" }

// Guardianship is an approved parent–student link.
type Guardianship struct {
	ID            uint64
	StudentID     uint64
	ParentID      uint64
	Relation      string
	ApprovedBy    *uint64
	ApprovedAt    time.Time
	RevokedAt     *time.Time
	RevokedReason string
}

// Department is a 教研组 or 年级组 with its head, who approves short leave.
type Department struct {
	ID        uint64
	Name      string
	HeadID    *uint64
	CreatedAt time.Time
}

// ClassTeacher assigns a teacher to a class.
type ClassTeacher struct {
	ClassID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	UserID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt time.Time
}

var gradeNames = []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// ClassName formats grade and number as 三年级(2)班.
func ClassName(grade, number int) string {
	g := strconv.Itoa(grade)
	if grade >= 1 && grade <= 9 {
		g = gradeNames[grade]
	}
	return fmt.Sprintf("%s年级(%d)班", g, number)
}

// ParseGrade reads 3, 3年级, 三 or 三年级.
func ParseGrade(s string) (int, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "年级")
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 9 {
		return n, true
	}
	for i, g := range gradeNames {
		if i > 0 && s == g {
			return i, true
		}
	}
	return 0, false
}

// ParseClassNumber reads 2, 2班, (2)班 or （2）班.
func ParseClassNumber(s string) (int, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "班")
	s = strings.Trim(s, "()（） ")
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 99
}

var classRef = regexp.MustCompile(`^([1-9一二三四五六七八九])年级[(（]?(\d{1,2})[)）]?班$`)

// ParseClassRef reads a class named as 3年级2班 or 三年级(2)班.
func ParseClassRef(s string) (grade, number int, ok bool) {
	m := classRef.FindStringSubmatch(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if m == nil {
		return 0, 0, false
	}
	grade, ok1 := ParseGrade(m[1])
	number, ok2 := ParseClassNumber(m[2])
	return grade, number, ok1 && ok2
}

// Relations a guardian may have, as the join form offers them.
var Relations = []string{"父亲", "母亲", "爷爷", "奶奶", "外公", "外婆", "其他监护人"}

var relationAliases = map[string]string{
	"爸爸": "父亲", "妈妈": "母亲", "祖父": "爷爷", "祖母": "奶奶", "外祖父": "外公", "外祖母": "外婆",
	"姥爷": "外公", "姥姥": "外婆", "其他": "其他监护人", "监护人": "其他监护人",
}

// ParseRelation accepts a relation or a common alias (妈妈 → 母亲).
func ParseRelation(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if a, ok := relationAliases[s]; ok {
		return a, true
	}
	for _, r := range Relations {
		if s == r {
			return r, true
		}
	}
	return "", false
}

// CallName is how a class group shows a parent: the student's name and the
// way a child calls them, such as 张小明妈妈.
func CallName(studentName, relation string) string {
	switch relation {
	case "父亲":
		return studentName + "爸爸"
	case "母亲":
		return studentName + "妈妈"
	case "其他监护人":
		return studentName + "家长"
	}
	return studentName + relation
}

var studentNo = regexp.MustCompile(`^[A-Za-z0-9-]{1,32}$`)
