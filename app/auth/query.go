package auth

import (
	"context"
	"fmt"
	"jiaxiao/app/db"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Current are the statuses of an account that belongs in the school's
// groups and receives its notices: activated, or imported and not yet
// activated (so that nothing staff should see is missing when they first
// log in). Departed and disabled accounts are out.
var Current = []Status{StatusActive, StatusPending}

// CurrentIDs is a subquery of current accounts' ids, for a statement of
// another package to filter by ("user_id IN ?").
func CurrentIDs(q *gorm.DB) *gorm.DB {
	return db.Fresh(q).Model(&User{}).Select("id").Where("status IN ?", Current)
}

// CurrentStaff is a subquery of current teachers' and admins' ids.
func CurrentStaff(q *gorm.DB) *gorm.DB {
	return CurrentIDs(q).Where("role IN ?", []Role{RoleAdmin, RoleTeacher})
}

// IDsWithRole is a subquery of the ids of accounts with one of roles.
func IDsWithRole(q *gorm.DB, roles ...Role) *gorm.DB {
	return db.Fresh(q).Model(&User{}).Select("id").Where("role IN ?", roles)
}

// CountByRole counts, through q, the accounts whose ids the subquery ids
// (one column) yields, by role; an id yielded twice counts once.
func CountByRole(ctx context.Context, q *gorm.DB, ids *gorm.DB) (map[Role]int, error) {
	var rows []struct {
		Role Role
		N    int
	}
	err := db.FreshIn(ctx, q).Model(&User{}).Select("role, COUNT(*) AS n").Where("id IN (?)", ids).Group("role").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("auth: count by role: %w", err)
	}
	out := make(map[Role]int, len(rows))
	for _, r := range rows {
		out[r.Role] = r.N
	}
	return out, nil
}

// UserIn reads one account through q (the caller's transaction).
func UserIn(ctx context.Context, q *gorm.DB, id uint64) (User, error) { return userByID(ctx, q, id) }

// Contact is what other parts of the school see of an account.
type Contact struct {
	ID     uint64
	Name   string
	Phone  string
	Role   Role
	Status Status
}

// Contacts reads the accounts with the given ids through q (the caller's
// transaction, where it has one). An id with no account is left out.
func Contacts(ctx context.Context, q *gorm.DB, ids []uint64) (map[uint64]Contact, error) {
	out := make(map[uint64]Contact, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Contact
	if err := q.WithContext(ctx).Model(&User{}).Select("id, name, phone, role, status").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("auth: contacts: %w", err)
	}
	for _, r := range rows {
		if r.Status.Gone() {
			r.Phone = "" // a closed or erased account's number is shown to nobody
		}
		out[r.ID] = r
	}
	return out, nil
}

// Names is Contacts' names alone.
func Names(ctx context.Context, q *gorm.DB, ids []uint64) (map[uint64]string, error) {
	cs, err := Contacts(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uint64]string, len(cs))
	for id, c := range cs {
		out[id] = c.Name
	}
	return out, nil
}

// JoinContact joins to each row of q the account whose id is in column on
// (qualified, as "receipts.user_id"), for a caller that pages or sorts by
// it in one statement. Select ContactColumns to read it: they come back as
// contact_name, contact_phone and contact_role.
func JoinContact(q *gorm.DB, on string) *gorm.DB {
	return q.Joins("JOIN users AS contact ON contact.id = " + on)
}

// StaffFirst orders JoinContact's rows staff before parents.
const StaffFirst = "CASE contact.role WHEN 'parent' THEN 1 ELSE 0 END"

// ContactColumns are the columns JoinContact adds. A closed or erased
// account's phone comes back empty: it is shown to nobody and nothing is
// sent to it.
const ContactColumns = "contact.name AS contact_name, " +
	"CASE WHEN contact.status IN ('" + string(StatusClosed) + "', '" + string(StatusErased) + "') THEN '' ELSE contact.phone END AS contact_phone, " +
	"contact.role AS contact_role"

// CurrentAmong is CurrentIDs limited to ids (nil: everyone).
func CurrentAmong(q *gorm.DB, ids []uint64) *gorm.DB {
	c := CurrentIDs(q)
	if ids != nil {
		c = c.Where("id IN ?", ids)
	}
	return c
}

// CurrentStaffRoles reads the roles of the current teachers and admins
// among ids (nil: all of them).
func CurrentStaffRoles(ctx context.Context, q *gorm.DB, ids []uint64) (map[uint64]Role, error) {
	var rows []Contact
	c := CurrentAmong(q, ids).WithContext(ctx).Select("id, role").Where("role IN ?", []Role{RoleAdmin, RoleTeacher})
	if err := c.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("auth: staff: %w", err)
	}
	out := make(map[uint64]Role, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Role
	}
	return out, nil
}

// Staff reads, through q, the teachers and admins who have not left the
// school, by name.
func Staff(ctx context.Context, q *gorm.DB) ([]User, error) {
	var out []User
	err := db.FreshIn(ctx, q).Where("role IN ? AND status <> ?", []Role{RoleAdmin, RoleTeacher}, StatusDeparted).Order("name, id").Find(&out).Error
	return out, err
}

// StaffEver reads every teacher and admin account, departed or not.
func StaffEver(ctx context.Context, q *gorm.DB) ([]User, error) {
	var out []User
	err := db.FreshIn(ctx, q).Where("role IN ?", []Role{RoleAdmin, RoleTeacher}).Find(&out).Error
	return out, err
}

// CurrentStaffUsers reads the current teachers and admins among ids (nil:
// all), by department and name.
func CurrentStaffUsers(ctx context.Context, q *gorm.DB, ids []uint64) ([]User, error) {
	var out []User
	err := db.FreshIn(ctx, q).Where("id IN (?)", CurrentAmong(q, ids).Where("role IN ?", []Role{RoleAdmin, RoleTeacher})).
		Order("department, name, id").Find(&out).Error
	return out, err
}

// Approvers reads the active account id, or every active admin when id
// is nil: who decides a request.
func Approvers(ctx context.Context, q *gorm.DB, id *uint64) ([]User, error) {
	var out []User
	c := db.FreshIn(ctx, q).Where("status = ?", StatusActive)
	if id != nil {
		c = c.Where("id = ?", *id)
	} else {
		c = c.Where("role = ?", RoleAdmin)
	}
	return out, c.Find(&out).Error
}

// LockUser holds the account's row in tx until tx ends (MySQL; SQLite runs
// one writing transaction at a time anyway), so that a per-person quota
// counted after it holds against requests running at the same time.
func LockUser(ctx context.Context, tx *gorm.DB, id uint64) error {
	if db.Dialect(tx) != db.MySQL {
		return nil
	}
	var got uint64
	return tx.WithContext(ctx).Model(&User{}).Clauses(clause.Locking{Strength: "UPDATE"}).Select("id").Where("id = ?", id).Scan(&got).Error
}
