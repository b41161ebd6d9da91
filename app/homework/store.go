package homework

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"jiaxiao/app/db"
	"jiaxiao/app/school"
)

// familiesOf are the current guardians of the enrolled students of the
// classes, once each.
func familiesOf(ctx context.Context, q *gorm.DB, classIDs []uint64) ([]uint64, error) {
	seen := map[uint64]bool{}
	var out []uint64
	for _, cid := range classIDs {
		kids, err := school.ChildrenOf(ctx, q, school.ChildFilter{ClassID: cid})
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			if !seen[k.ParentID] {
				seen[k.ParentID] = true
				out = append(out, k.ParentID)
			}
		}
	}
	return out, nil
}

// assignment reads one assignment and its classes.
func (s *Service) assignment(ctx context.Context, q *gorm.DB, id uint64) (Assignment, []uint64, error) {
	var a Assignment
	if err := q.WithContext(ctx).Where("id = ?", id).Take(&a).Error; err != nil {
		return a, nil, db.Translate(err)
	}
	var classes []uint64
	if err := db.FreshIn(ctx, q).Model(&assignmentClass{}).Where("assignment_id = ?", id).Order("class_id").Pluck("class_id", &classes).Error; err != nil {
		return a, nil, fmt.Errorf("homework: classes: %w", err)
	}
	return a, classes, nil
}

// filesOf reads the file ids of assignments or submissions in order.
func filesOfAssignment(ctx context.Context, q *gorm.DB, id uint64) ([]uint64, error) {
	var ids []uint64
	err := db.FreshIn(ctx, q).Model(&assignmentFile{}).Where("assignment_id = ?", id).Order("position").Pluck("file_id", &ids).Error
	return ids, err
}

func filesOfSubmissions(ctx context.Context, q *gorm.DB, ids []uint64) (map[uint64][]uint64, error) {
	out := map[uint64][]uint64{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []submissionFile
	if err := db.FreshIn(ctx, q).Where("submission_id IN ?", ids).Order("submission_id, position").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("homework: submission files: %w", err)
	}
	for _, r := range rows {
		out[r.SubmissionID] = append(out[r.SubmissionID], r.FileID)
	}
	return out, nil
}
