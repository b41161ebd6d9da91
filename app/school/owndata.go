package school

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/db"
)

// GuardianshipLine is one of a parent's guardianships, current or ended,
// with the child as the roster records them, for the family's own copy of
// its data.
type GuardianshipLine struct {
	StudentID     uint64
	StudentName   string
	StudentNo     string
	StudentStatus StudentStatus
	Grade, Number int
	Relation      string
	ApprovedAt    time.Time
	RevokedAt     *time.Time
	RevokedReason string
}

// Class is the child's class as Chinese schools write it.
func (g GuardianshipLine) Class() string { return ClassName(g.Grade, g.Number) }

// GuardianshipsOf reads, through q, every guardianship of parentID, ended
// ones too, the newest first, at most limit.
func GuardianshipsOf(ctx context.Context, q *gorm.DB, parentID uint64, limit int) ([]GuardianshipLine, error) {
	var out []GuardianshipLine
	err := db.FreshIn(ctx, q).Table("guardianships").
		Select("students.id AS student_id, students.name AS student_name, students.student_no, students.status AS student_status, "+
			"classes.grade, classes.number, guardianships.relation, guardianships.approved_at, guardianships.revoked_at, guardianships.revoked_reason").
		Joins("JOIN students ON students.id = guardianships.student_id").
		Joins("JOIN classes ON classes.id = students.class_id").
		Where("guardianships.parent_id = ?", parentID).
		Order("guardianships.id DESC").Limit(limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("school: guardianships of %d: %w", parentID, err)
	}
	return out, nil
}
