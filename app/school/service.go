package school

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
)

// Syncer brings group membership in step with the roster inside tx; users
// limits the work to those accounts, nil means everyone.
type Syncer interface {
	Sync(ctx context.Context, tx *gorm.DB, users []uint64) error
}

// Accounts creates and updates staff accounts inside an import.
type Accounts interface {
	UpsertStaff(ctx context.Context, tx *gorm.DB, in auth.StaffInput) (auth.StaffResult, error)
	SetStatus(ctx context.Context, tx *gorm.DB, userID uint64, st auth.Status) error
	SetRole(ctx context.Context, tx *gorm.DB, userID uint64, role auth.Role) error
}

// Service is the roster's API.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	groups   Syncer
	accounts Accounts
	log      *slog.Logger
}

// Options configure NewService.
type Options struct {
	DB       *gorm.DB
	Now      func() time.Time
	Groups   Syncer
	Accounts Accounts
	Log      *slog.Logger
}

// NewService returns the roster service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, groups: o.Groups, accounts: o.Accounts, log: o.Log}
}

// ErrNotAdmin refuses roster changes by anyone but an admin.
var ErrNotAdmin = apperr.New(apperr.ErrForbidden, "只有学校管理员可以管理花名册")

// mayManage: admins, and the command line (auth.System); nobody else.
func mayManage(actor *auth.User) error {
	switch {
	case actor == nil:
		return apperr.ErrUnauthenticated
	case actor.Role != auth.RoleAdmin:
		return ErrNotAdmin
	}
	return nil
}

func actorID(actor *auth.User) *uint64 { return auth.ActorOf(actor) }

// ImportOptions control a student import.
type ImportOptions struct {
	// DryRun checks and counts everything, then changes nothing.
	DryRun bool
	// ConfirmLeavers marks enrolled students missing from the file as
	// transferred. Without it they are listed and left as they are.
	ConfirmLeavers bool
}

// Leaver is an enrolled student the file does not list.
type Leaver struct {
	StudentNo string
	Name      string
	Class     string
}

// ImportResult counts what a student import did (or would do).
type ImportResult struct {
	ClassesCreated    int
	StudentsCreated   int
	StudentsUpdated   int
	StudentsUnchanged int
	ContactsAdded     int
	ContactsRemoved   int
	Leaving           []Leaver
	LeftMarked        int
	DryRun            bool
}

// Changed reports whether the import changed anything.
func (r ImportResult) Changed() bool {
	return r.ClassesCreated+r.StudentsCreated+r.StudentsUpdated+r.ContactsAdded+r.ContactsRemoved+r.LeftMarked > 0
}

var errDryRun = errors.New("dry run")

// Import reads a student roster and applies it in one transaction.
func (s *Service) Import(ctx context.Context, actor *auth.User, filename string, data []byte, o ImportOptions) (ImportResult, error) {
	if err := mayManage(actor); err != nil {
		return ImportResult{}, err
	}
	roster, err := parseStudents(filename, data)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{DryRun: o.DryRun}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := s.applyStudents(ctx, tx, roster, o, &res); err != nil {
			return err
		}
		if o.DryRun {
			return errDryRun
		}
		if err := s.groups.Sync(ctx, tx, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: actorID(actor), Action: "roster.import", Subject: filename, CreatedAt: s.now(),
			Detail: fmt.Sprintf("students created=%d updated=%d unchanged=%d contacts +%d -%d left=%d", res.StudentsCreated, res.StudentsUpdated, res.StudentsUnchanged, res.ContactsAdded, res.ContactsRemoved, res.LeftMarked)})
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return ImportResult{}, fmt.Errorf("school: import: %w", err)
	}
	return res, nil
}

func (s *Service) applyStudents(ctx context.Context, tx *gorm.DB, roster parsedRoster, o ImportOptions, res *ImportResult) error {
	now := s.now()
	tx = tx.WithContext(ctx)
	classes, err := s.ensureClasses(ctx, tx, studentClasses(roster), &res.ClassesCreated)
	if err != nil {
		return err
	}
	nos := make([]string, len(roster.students))
	for i, st := range roster.students {
		nos[i] = st.no
	}
	existing := map[string]Student{}
	for _, chunk := range db.Chunks(nos, 500) {
		var found []Student
		if err := tx.Where("student_no IN ?", chunk).Find(&found).Error; err != nil {
			return err
		}
		for _, f := range found {
			existing[f.StudentNo] = f
		}
	}
	var created []*Student
	ids := make(map[string]uint64, len(roster.students))
	for _, st := range roster.students {
		classID := classes[classKey{st.grade, st.number}]
		cur, ok := existing[st.no]
		switch {
		case !ok:
			created = append(created, &Student{StudentNo: st.no, Name: st.name, ClassID: classID, Status: Enrolled, CreatedAt: now, UpdatedAt: now})
		case cur.Name != st.name || cur.ClassID != classID || cur.Status != Enrolled:
			if err := tx.Model(&Student{}).Where("id = ?", cur.ID).
				Updates(map[string]any{"name": st.name, "class_id": classID, "status": Enrolled, "updated_at": now}).Error; err != nil {
				return err
			}
			res.StudentsUpdated++
			ids[st.no] = cur.ID
		default:
			res.StudentsUnchanged++
			ids[st.no] = cur.ID
		}
	}
	if len(created) > 0 {
		if err := tx.CreateInBatches(created, db.Batch(tx, 500)).Error; err != nil {
			return db.Translate(err)
		}
		for _, c := range created {
			ids[c.StudentNo] = c.ID
		}
		res.StudentsCreated = len(created)
	}
	if roster.hasContacts {
		if err := s.applyContacts(ctx, tx, roster, ids, res); err != nil {
			return err
		}
	}
	return s.leavers(ctx, tx, ids, o, res)
}

func (s *Service) applyContacts(ctx context.Context, tx *gorm.DB, roster parsedRoster, ids map[string]uint64, res *ImportResult) error {
	now := s.now()
	studentIDs := make([]uint64, 0, len(ids))
	for _, id := range ids {
		studentIDs = append(studentIDs, id)
	}
	current := map[uint64]map[string]Contact{}
	for _, chunk := range db.Chunks(studentIDs, 500) {
		var found []Contact
		if err := tx.Where("student_id IN ?", chunk).Find(&found).Error; err != nil {
			return err
		}
		for _, c := range found {
			if current[c.StudentID] == nil {
				current[c.StudentID] = map[string]Contact{}
			}
			current[c.StudentID][c.Phone] = c
		}
	}
	var add []*Contact
	var remove []uint64
	for _, st := range roster.students {
		id := ids[st.no]
		want := map[string]bool{}
		for _, c := range st.contacts {
			want[c.phone] = true
			cur, ok := current[id][c.phone]
			switch {
			case !ok:
				add = append(add, &Contact{StudentID: id, Name: c.name, Phone: c.phone, Relation: c.relation, CreatedAt: now})
			case cur.Name != c.name || cur.Relation != c.relation:
				if err := tx.Model(&Contact{}).Where("id = ?", cur.ID).Updates(map[string]any{"name": c.name, "relation": c.relation}).Error; err != nil {
					return err
				}
				res.ContactsAdded++
				res.ContactsRemoved++
			}
		}
		for phone, cur := range current[id] {
			if !want[phone] {
				remove = append(remove, cur.ID)
			}
		}
	}
	if len(add) > 0 {
		if err := tx.CreateInBatches(add, db.Batch(tx, 500)).Error; err != nil {
			return err
		}
		res.ContactsAdded += len(add)
	}
	for _, chunk := range db.Chunks(remove, 500) {
		if err := tx.Where("id IN ?", chunk).Delete(&Contact{}).Error; err != nil {
			return err
		}
	}
	res.ContactsRemoved += len(remove)
	return nil
}

// leavers lists enrolled students the file does not name, and marks them
// transferred when the admin confirmed.
func (s *Service) leavers(ctx context.Context, tx *gorm.DB, inFile map[string]uint64, o ImportOptions, res *ImportResult) error {
	type row struct {
		ID        uint64
		StudentNo string
		Name      string
		Grade     int
		Number    int
	}
	var enrolled []row
	err := tx.WithContext(ctx).Table("students").Select("students.id, students.student_no, students.name, classes.grade, classes.number").
		Joins("JOIN classes ON classes.id = students.class_id").Where("students.status = ?", Enrolled).
		Order("classes.grade, classes.number, students.student_no").Scan(&enrolled).Error
	if err != nil {
		return err
	}
	var leaving []uint64
	for _, r := range enrolled {
		if _, ok := inFile[r.StudentNo]; !ok {
			res.Leaving = append(res.Leaving, Leaver{StudentNo: r.StudentNo, Name: r.Name, Class: ClassName(r.Grade, r.Number)})
			leaving = append(leaving, r.ID)
		}
	}
	if !o.ConfirmLeavers || len(leaving) == 0 {
		return nil
	}
	for _, chunk := range db.Chunks(leaving, 500) {
		if err := tx.Model(&Student{}).Where("id IN ?", chunk).Updates(map[string]any{"status": Transferred, "updated_at": s.now()}).Error; err != nil {
			return err
		}
	}
	res.LeftMarked = len(leaving)
	return nil
}

func studentClasses(r parsedRoster) []classKey {
	var out []classKey
	for _, s := range r.students {
		out = append(out, classKey{s.grade, s.number})
	}
	return out
}

// ensureClasses returns the id of every class named, creating the missing ones.
func (s *Service) ensureClasses(ctx context.Context, tx *gorm.DB, keys []classKey, created *int) (map[classKey]uint64, error) {
	var all []Class
	if err := tx.WithContext(ctx).Find(&all).Error; err != nil {
		return nil, err
	}
	ids := map[classKey]uint64{}
	for _, c := range all {
		ids[classKey{c.Grade, c.Number}] = c.ID
	}
	now := s.now()
	for _, k := range keys {
		if _, ok := ids[k]; ok {
			continue
		}
		c := Class{Grade: k.grade, Number: k.number, CreatedAt: now, UpdatedAt: now}
		if err := tx.WithContext(ctx).Create(&c).Error; err != nil {
			return nil, db.Translate(err)
		}
		ids[k] = c.ID
		*created++
	}
	return ids, nil
}

// StaffImportResult counts what a staff import did.
type StaffImportResult struct {
	Created, Updated, Unchanged int
	// Codes are the one-time activation codes of the new accounts.
	Codes  []ActivationCode
	DryRun bool
	// roles are the accounts whose role the file changed, for the log.
	roles []roleChange
}

type roleChange struct {
	userID   uint64
	from, to auth.Role
}

// ActivationCode is a new account's code, to hand to its owner.
type ActivationCode struct {
	Name, Phone, Code string
}

// ImportStaff reads a staff roster: accounts upsert by phone, teaching
// assignments and head teachers follow the file, new accounts get
// activation codes.
func (s *Service) ImportStaff(ctx context.Context, actor *auth.User, filename string, data []byte, dryRun bool) (StaffImportResult, error) {
	if err := mayManage(actor); err != nil {
		return StaffImportResult{}, err
	}
	staff, err := parseStaff(filename, data)
	if err != nil {
		return StaffImportResult{}, err
	}
	res := StaffImportResult{DryRun: dryRun}
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := s.applyStaff(ctx, tx, staff, &res); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		if err := s.groups.Sync(ctx, tx, nil); err != nil {
			return err
		}
		for _, c := range res.roles {
			if err := audit.Record(ctx, tx, audit.Entry{ActorID: actorID(actor), Action: "user.role", Subject: fmt.Sprintf("user:%d", c.userID), CreatedAt: s.now(),
				Detail: fmt.Sprintf("from=%s to=%s by=roster", c.from, c.to)}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: actorID(actor), Action: "roster.import_staff", Subject: filename, CreatedAt: s.now(),
			Detail: fmt.Sprintf("created=%d updated=%d unchanged=%d", res.Created, res.Updated, res.Unchanged)})
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return StaffImportResult{}, fmt.Errorf("school: import staff: %w", err)
	}
	if dryRun {
		for i := range res.Codes {
			res.Codes[i].Code = ""
		}
	}
	return res, nil
}

func (s *Service) applyStaff(ctx context.Context, tx *gorm.DB, staff []*rosterStaff, res *StaffImportResult) error {
	now := s.now()
	tx = tx.WithContext(ctx)
	var keys []classKey
	for _, st := range staff {
		keys = append(keys, st.teaches...)
		if st.heads != nil {
			keys = append(keys, *st.heads)
		}
	}
	var createdClasses int
	classes, err := s.ensureClasses(ctx, tx, keys, &createdClasses)
	if err != nil {
		return err
	}
	var current []Class
	if err := tx.Find(&current).Error; err != nil {
		return err
	}
	headNow := map[uint64]uint64{} // class id → head teacher id, before the import
	for _, c := range current {
		if c.HeadTeacherID != nil {
			headNow[c.ID] = *c.HeadTeacherID
		}
	}
	headOf := map[uint64]uint64{} // class id → head teacher id, from the file
	for _, st := range staff {
		r, err := s.accounts.UpsertStaff(ctx, tx, st.in)
		if err != nil {
			return err
		}
		switch {
		case r.Created:
			res.Created++
			res.Codes = append(res.Codes, ActivationCode{Name: r.User.Name, Phone: r.User.Phone, Code: r.Code})
		case r.Changed:
			res.Updated++
			if r.PrevRole != r.User.Role {
				res.roles = append(res.roles, roleChange{r.User.ID, r.PrevRole, r.User.Role})
			}
		}
		uid := r.User.ID
		want := map[uint64]bool{}
		for _, k := range st.teaches {
			want[classes[k]] = true
		}
		headChanged := false
		if st.heads != nil {
			id := classes[*st.heads]
			want[id] = true // a head teacher teaches the class they head
			headOf[id] = uid
			headChanged = headNow[id] != uid
		}
		assignChanged, err := s.setAssignments(ctx, tx, uid, want, now)
		if err != nil {
			return err
		}
		// Classes this person headed but no longer heads lose their head.
		q := tx.Model(&Class{}).Where("head_teacher_id = ?", uid)
		if st.heads != nil {
			q = q.Where("id <> ?", classes[*st.heads])
		}
		unset := q.Updates(map[string]any{"head_teacher_id": nil, "updated_at": now})
		if unset.Error != nil {
			return unset.Error
		}
		if st.in.Department != "" {
			if err := s.ensureDepartment(ctx, tx, st.in.Department, now); err != nil {
				return err
			}
		}
		if !r.Created && !r.Changed {
			if assignChanged || headChanged || unset.RowsAffected > 0 {
				res.Updated++
			} else {
				res.Unchanged++
			}
		}
	}
	for classID, head := range headOf {
		upd := tx.Model(&Class{}).Where("id = ? AND (head_teacher_id IS NULL OR head_teacher_id <> ?)", classID, head).
			Updates(map[string]any{"head_teacher_id": head, "updated_at": now})
		if upd.Error != nil {
			return upd.Error
		}
	}
	sort.Slice(res.Codes, func(i, j int) bool { return res.Codes[i].Phone < res.Codes[j].Phone })
	return nil
}

// setAssignments makes the teacher's class assignments exactly want and
// reports whether anything changed.
func (s *Service) setAssignments(ctx context.Context, tx *gorm.DB, userID uint64, want map[uint64]bool, now time.Time) (bool, error) {
	var cur []ClassTeacher
	if err := tx.WithContext(ctx).Where("user_id = ?", userID).Find(&cur).Error; err != nil {
		return false, err
	}
	have := map[uint64]bool{}
	changed := false
	for _, c := range cur {
		have[c.ClassID] = true
		if !want[c.ClassID] {
			if err := tx.Where("class_id = ? AND user_id = ?", c.ClassID, userID).Delete(&ClassTeacher{}).Error; err != nil {
				return false, err
			}
			changed = true
		}
	}
	for id := range want {
		if !have[id] {
			if err := tx.Create(&ClassTeacher{ClassID: id, UserID: userID, CreatedAt: now}).Error; err != nil {
				return false, err
			}
			changed = true
		}
	}
	return changed, nil
}

func (s *Service) ensureDepartment(ctx context.Context, tx *gorm.DB, name string, now time.Time) error {
	var n int64
	if err := tx.WithContext(ctx).Model(&Department{}).Where("name = ?", name).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	return tx.Create(&Department{Name: name, CreatedAt: now}).Error
}

// CanDepart says whether actor may mark u as having left the school: an
// admin may, for a current member of staff other than themselves.
func CanDepart(actor *auth.User, u auth.User) error {
	if err := departable(actor, u); err != nil {
		return err
	}
	if u.Status == auth.StatusDeparted {
		return apperr.Invalid("", "该教职工已离职")
	}
	return nil
}

// departable is CanDepart for Depart itself, which may run again on
// someone already departed (a form sent twice): it changes nothing new
// and tidies anything left.
func departable(actor *auth.User, u auth.User) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	switch {
	case !u.Role.Staff():
		return apperr.Invalid("", "只有教职工可以标记为离职")
	case actor.ID == u.ID:
		return apperr.Invalid("", "不能将自己标记为离职")
	}
	return nil
}

// StaffRoles are the roles an admin may give a staff member.
var StaffRoles = []auth.Role{auth.RoleTeacher, auth.RoleAdmin}

// CanSetRole says whether actor may change u's role: a current staff
// member other than the actor themself (so a school never loses its last
// admin by a slip).
func CanSetRole(actor *auth.User, u auth.User) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	switch {
	case !u.Role.Staff():
		return apperr.Invalid("role", "家长账号不能改为教职工，请通过教职工名单导入")
	case u.Status == auth.StatusDeparted || u.Status == auth.StatusDisabled:
		return apperr.Invalid("role", "该教职工已离职，不能修改身份")
	case actor.ID == u.ID:
		return apperr.Invalid("role", "不能修改自己的身份，请让另一位管理员修改")
	}
	return nil
}

// SetRole makes a staff member a teacher or an admin: their group roles
// follow at once (admins own the school groups) and the log says who
// changed what.
func (s *Service) SetRole(ctx context.Context, actor *auth.User, userID uint64, role auth.Role) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	if !slices.Contains(StaffRoles, role) {
		return apperr.Invalid("role", "请选择教师或管理员")
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		u, err := auth.UserIn(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := CanSetRole(actor, u); err != nil {
			return err
		}
		if u.Role == role {
			return nil // a form sent twice
		}
		if err := s.accounts.SetRole(ctx, tx, userID, role); err != nil {
			return err
		}
		if err := s.groups.Sync(ctx, tx, []uint64{userID}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: actorID(actor), Action: "user.role", Subject: fmt.Sprintf("user:%d", userID),
			Detail: fmt.Sprintf("from=%s to=%s", u.Role, role), CreatedAt: now})
	})
}

// Depart marks a staff member as departed (离职): they cannot log in, their
// sessions end, and they leave every group, class and department headship
// at once.
func (s *Service) Depart(ctx context.Context, actor *auth.User, userID uint64) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		u, err := auth.UserIn(ctx, tx, userID)
		if err != nil {
			return err
		}
		if err := departable(actor, u); err != nil {
			return err
		}
		if err := s.accounts.SetStatus(ctx, tx, userID, auth.StatusDeparted); err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", userID).Delete(&ClassTeacher{}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Class{}).Where("head_teacher_id = ?", userID).Updates(map[string]any{"head_teacher_id": nil, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Department{}).Where("head_id = ?", userID).Update("head_id", nil).Error; err != nil {
			return err
		}
		if err := s.groups.Sync(ctx, tx, []uint64{userID}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: actorID(actor), Action: "user.depart", Subject: fmt.Sprintf("user:%d", userID), CreatedAt: now})
	})
}

// SetStudentStatus records a transfer or graduation (or re-enrolment); the
// student's guardians leave the class group unless another child keeps them.
func (s *Service) SetStudentStatus(ctx context.Context, actor *auth.User, studentID uint64, st StudentStatus) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	if st != Enrolled && st != Transferred && st != Graduated {
		return apperr.Invalid("status", "请选择在读、转出或毕业")
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		res := tx.Model(&Student{}).Where("id = ?", studentID).Updates(map[string]any{"status": st, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.ErrNotFound
		}
		var parents []uint64
		if err := tx.Model(&Guardianship{}).Where("student_id = ? AND revoked_at IS NULL", studentID).Pluck("parent_id", &parents).Error; err != nil {
			return err
		}
		if err := s.groups.Sync(ctx, tx, parents); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: actorID(actor), Action: "student.status", Subject: fmt.Sprintf("student:%d", studentID), Detail: string(st), CreatedAt: now})
	})
}

// Classes lists every class in grade and number order.
func (s *Service) Classes(ctx context.Context) ([]Class, error) { return ClassesIn(ctx, s.db) }

// ClassesIn is Classes read through q.
func ClassesIn(ctx context.Context, q *gorm.DB) ([]Class, error) {
	var out []Class
	return out, q.WithContext(ctx).Order("grade, number").Find(&out).Error
}

// ClassSummary is one class with its head teacher and head counts.
type ClassSummary struct {
	Class
	HeadName string
	Students int
	Teachers int
}

// Summaries lists every class with its head teacher, enrolled students and teachers.
func (s *Service) Summaries(ctx context.Context, actor *auth.User) ([]ClassSummary, error) {
	if err := mayManage(actor); err != nil {
		return nil, err
	}
	var out []ClassSummary
	err := s.db.WithContext(ctx).Table("classes").
		Select("classes.*, " +
			"(SELECT COUNT(*) FROM students WHERE students.class_id = classes.id AND students.status = 'enrolled') AS students, " +
			"(SELECT COUNT(*) FROM class_teachers WHERE class_teachers.class_id = classes.id) AS teachers").
		Order("classes.grade, classes.number").Scan(&out).Error
	if err != nil {
		return nil, err
	}
	var heads []uint64
	for _, c := range out {
		if c.HeadTeacherID != nil {
			heads = append(heads, *c.HeadTeacherID)
		}
	}
	names, err := auth.Names(ctx, s.db, heads)
	for i, c := range out {
		if c.HeadTeacherID != nil {
			out[i].HeadName = names[*c.HeadTeacherID]
		}
	}
	return out, err
}

// DepartmentView is a department with its head and its staff.
type DepartmentView struct {
	Department
	HeadName string
	Staff    []auth.User
}

// Departments lists departments by name with their staff (not departed).
func (s *Service) Departments(ctx context.Context, actor *auth.User) ([]DepartmentView, error) {
	if err := mayManage(actor); err != nil {
		return nil, err
	}
	var depts []Department
	if err := s.db.WithContext(ctx).Order("name").Find(&depts).Error; err != nil {
		return nil, err
	}
	staff, err := auth.Staff(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]DepartmentView, len(depts))
	for i, d := range depts {
		out[i].Department = d
		for _, u := range staff {
			if u.Department == d.Name {
				out[i].Staff = append(out[i].Staff, u)
			}
			if d.HeadID != nil && u.ID == *d.HeadID {
				out[i].HeadName = u.Name
			}
		}
	}
	return out, nil
}

// SetDepartmentHead names the head (教研组长/年级组长) of a department, who
// approves its staff's short leave; userID 0 clears it. The head must be a
// current staff member.
func (s *Service) SetDepartmentHead(ctx context.Context, actor *auth.User, deptID, userID uint64) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var d Department
		if err := tx.Where("id = ?", deptID).Take(&d).Error; err != nil {
			return db.Translate(err)
		}
		var head any
		if userID != 0 {
			u, err := auth.UserIn(ctx, tx, userID)
			if err != nil {
				return apperr.Invalid("head", "请选择本校在职教职工")
			}
			if !u.Role.Staff() || u.Status == auth.StatusDeparted || u.Status == auth.StatusDisabled {
				return apperr.Invalid("head", "请选择本校在职教职工")
			}
			head = userID
		}
		if err := tx.Model(&Department{}).Where("id = ?", deptID).Update("head_id", head).Error; err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: actorID(actor), Action: "department.head", Subject: fmt.Sprintf("department:%d", deptID),
			Detail: fmt.Sprintf("user:%d", userID), CreatedAt: now})
	})
}

// StudentLine is a student with how many guardians are approved.
type StudentLine struct {
	Student
	Guardians int
}

// ClassStudents returns a class and all its students, enrolled first.
func (s *Service) ClassStudents(ctx context.Context, actor *auth.User, classID uint64) (Class, []StudentLine, error) {
	if err := mayManage(actor); err != nil {
		return Class{}, nil, err
	}
	var c Class
	if err := s.db.WithContext(ctx).Where("id = ?", classID).Take(&c).Error; err != nil {
		return c, nil, db.Translate(err)
	}
	var out []StudentLine
	err := s.db.WithContext(ctx).Table("students").
		Select("students.*, (SELECT COUNT(*) FROM guardianships g WHERE g.student_id = students.id AND g.revoked_at IS NULL) AS guardians").
		Where("class_id = ?", classID).Order("CASE status WHEN 'enrolled' THEN 0 ELSE 1 END, student_no").Scan(&out).Error
	return c, out, err
}

// StudentClass is the class id of a student.
func (s *Service) StudentClass(ctx context.Context, studentID uint64) (uint64, error) {
	var st Student
	err := s.db.WithContext(ctx).Select("class_id").Where("id = ?", studentID).Take(&st).Error
	return st.ClassID, db.Translate(err)
}
