package school

import (
	"strings"

	"jiaxiao/app/auth"
)

// Column names of the student roster (CONTRACT §4).
const (
	colGrade       = "年级"
	colClass       = "班级"
	colStudentNo   = "学号"
	colName        = "姓名"
	colParentName  = "家长姓名"
	colParentPhone = "家长手机"
	colRelation    = "关系"
)

type rosterContact struct {
	line                  int
	name, phone, relation string
}

// rosterStudent is one student of a validated roster with every guardian
// row that names them.
type rosterStudent struct {
	line          int
	grade, number int
	no, name      string
	contacts      []rosterContact
}

// parsedRoster is a roster that passed validation.
type parsedRoster struct {
	students    []*rosterStudent
	hasContacts bool
}

// parseStudents validates every row and returns either the whole roster or
// an ImportError naming every bad line.
func parseStudents(name string, data []byte) (parsedRoster, error) {
	rows, err := ReadTable(name, data, []string{colGrade, colClass, colStudentNo, colName}, []string{colParentName, colParentPhone, colRelation})
	if err != nil {
		return parsedRoster{}, err
	}
	ie := &ImportError{}
	var out parsedRoster
	byNo := map[string]*rosterStudent{}
	seenContact := map[string]int{}
	for _, r := range rows {
		f := r.Fields
		bad := len(ie.Lines)
		grade, ok := ParseGrade(f[colGrade])
		if !ok {
			ie.add(r.Line, "年级“%s”无效，应为 1–9 或 一年级–九年级", f[colGrade])
		}
		number, ok := ParseClassNumber(f[colClass])
		if !ok {
			ie.add(r.Line, "班级“%s”无效，应为 2、2班 或 (2)班", f[colClass])
		}
		no := f[colStudentNo]
		if !studentNo.MatchString(no) {
			ie.add(r.Line, "学号“%s”无效，应为 1–32 位字母或数字", no)
		}
		sname, ok := auth.NormalizeName(f[colName])
		if !ok {
			ie.add(r.Line, "学生姓名“%s”无效，请填写真实全名", f[colName])
		}
		var c *rosterContact
		if f[colParentName] != "" || f[colParentPhone] != "" || f[colRelation] != "" {
			out.hasContacts = true
			pname, okName := auth.NormalizeName(f[colParentName])
			phone, okPhone := auth.NormalizePhone(f[colParentPhone])
			rel, okRel := ParseRelation(f[colRelation])
			if !okName {
				ie.add(r.Line, "家长姓名“%s”无效，请填写真实全名", f[colParentName])
			}
			if !okPhone {
				ie.add(r.Line, "家长手机“%s”不是有效的手机号码", f[colParentPhone])
			}
			if !okRel {
				ie.add(r.Line, "关系“%s”无效，应为 父亲、母亲、爷爷、奶奶、外公、外婆 或 其他监护人", f[colRelation])
			}
			c = &rosterContact{line: r.Line, name: pname, phone: phone, relation: rel}
		}
		if len(ie.Lines) > bad {
			continue
		}
		s, seen := byNo[no]
		switch {
		case !seen:
			s = &rosterStudent{line: r.Line, grade: grade, number: number, no: no, name: sname}
			byNo[no] = s
			out.students = append(out.students, s)
		case s.name != sname || s.grade != grade || s.number != number:
			ie.add(r.Line, "学号 %s 重复：第 %d 行是 %s %s，此行是 %s %s", no, s.line, ClassName(s.grade, s.number), s.name, ClassName(grade, number), sname)
			continue
		case c == nil:
			ie.add(r.Line, "学号 %s 重复（与第 %d 行相同）", no, s.line)
			continue
		}
		if c != nil {
			key := no + "/" + c.phone
			if first, dup := seenContact[key]; dup {
				ie.add(r.Line, "家长手机 %s 在学号 %s 下重复（与第 %d 行相同）", c.phone, no, first)
				continue
			}
			seenContact[key] = r.Line
			s.contacts = append(s.contacts, *c)
		}
	}
	if err := ie.err(); err != nil {
		return parsedRoster{}, err
	}
	if len(out.students) == 0 {
		return parsedRoster{}, &ImportError{Lines: []LineError{{0, "文件里没有学生"}}}
	}
	return out, nil
}

// Column names of the staff roster (CONTRACT §4).
const (
	colStaffName  = "姓名"
	colStaffPhone = "手机"
	colStaffRole  = "角色"
	colDept       = "部门"
	colTeaches    = "任教班级"
	colHeads      = "班主任"
)

type classKey struct{ grade, number int }

type rosterStaff struct {
	line    int
	in      auth.StaffInput
	teaches []classKey
	heads   *classKey
}

func parseStaff(name string, data []byte) ([]*rosterStaff, error) {
	rows, err := ReadTable(name, data, []string{colStaffName, colStaffPhone, colStaffRole}, []string{colDept, colTeaches, colHeads})
	if err != nil {
		return nil, err
	}
	ie := &ImportError{}
	var out []*rosterStaff
	byPhone := map[string]int{}
	headOf := map[classKey]int{}
	for _, r := range rows {
		f := r.Fields
		bad := len(ie.Lines)
		sname, ok := auth.NormalizeName(f[colStaffName])
		if !ok {
			ie.add(r.Line, "姓名“%s”无效，请填写真实全名", f[colStaffName])
		}
		phone, ok := auth.NormalizePhone(f[colStaffPhone])
		if !ok {
			ie.add(r.Line, "手机“%s”不是有效的手机号码", f[colStaffPhone])
		}
		var role auth.Role
		switch f[colStaffRole] {
		case "教师", "老师":
			role = auth.RoleTeacher
		case "管理员":
			role = auth.RoleAdmin
		default:
			ie.add(r.Line, "角色“%s”无效，应为 教师 或 管理员", f[colStaffRole])
		}
		dept := f[colDept]
		if len([]rune(dept)) > 32 {
			ie.add(r.Line, "部门名称过长（最多 32 字）")
		}
		s := &rosterStaff{line: r.Line, in: auth.StaffInput{Phone: phone, Name: sname, Role: role, Department: dept}}
		for _, ref := range splitList(f[colTeaches]) {
			g, n, ok := ParseClassRef(ref)
			if !ok {
				ie.add(r.Line, "任教班级“%s”无效，应写成 3年级2班", ref)
				continue
			}
			s.teaches = append(s.teaches, classKey{g, n})
		}
		if h := f[colHeads]; h != "" {
			g, n, ok := ParseClassRef(h)
			if !ok {
				ie.add(r.Line, "班主任班级“%s”无效，应写成 3年级2班", h)
			} else {
				k := classKey{g, n}
				if first, dup := headOf[k]; dup {
					ie.add(r.Line, "%s 已由第 %d 行的老师担任班主任", ClassName(g, n), first)
				} else {
					headOf[k] = r.Line
					s.heads = &k
				}
			}
		}
		if first, dup := byPhone[phone]; dup && phone != "" {
			ie.add(r.Line, "手机 %s 重复（与第 %d 行相同）", phone, first)
		}
		byPhone[phone] = r.Line
		if len(ie.Lines) == bad {
			out = append(out, s)
		}
	}
	if err := ie.err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, &ImportError{Lines: []LineError{{0, "文件里没有教职工"}}}
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(";；、,，", r) }) {
		if t := strings.TrimSpace(part); t != "" {
			out = append(out, t)
		}
	}
	return out
}
