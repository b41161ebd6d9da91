package homework

import (
	"context"
	"errors"
	"fmt"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/school"
)

// Classes are the classes actor may set homework to, by grade and number:
// those they teach, or every class for an admin.
func (s *Service) Classes(ctx context.Context, actor *auth.User) ([]school.Class, error) {
	if err := CanCreate(actor); err != nil {
		return nil, err
	}
	all, err := school.ClassesIn(ctx, s.db)
	if err != nil {
		return nil, err
	}
	t, err := school.TaughtBy(ctx, s.db, actor)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, c := range all {
		if t.Has(c.ID) {
			out = append(out, c)
		}
	}
	return out, nil
}

// FileAccess reports whether actor may download a file of homework: an
// assignment's to whoever may see it; a submission's to the teachers of
// the class, the family that handed it in (and the child's other
// guardians in the class group), and, once featured, to the classes.
func (s *Service) FileAccess(ctx context.Context, actor *auth.User, fileID uint64) (bool, error) {
	var ids []uint64
	if err := s.db.WithContext(ctx).Model(&assignmentFile{}).Where("file_id = ?", fileID).Pluck("assignment_id", &ids).Error; err != nil {
		return false, fmt.Errorf("homework: file access: %w", err)
	}
	for _, id := range ids {
		if _, err := s.Get(ctx, actor, id); err == nil {
			return true, nil
		} else if !errors.Is(err, apperr.ErrNotFound) {
			return false, err
		}
	}
	var subIDs []uint64
	if err := s.db.WithContext(ctx).Model(&submissionFile{}).Where("file_id = ?", fileID).Limit(ListLimit).Pluck("submission_id", &subIDs).Error; err != nil {
		return false, fmt.Errorf("homework: file access: %w", err)
	}
	if len(subIDs) == 0 {
		return false, nil
	}
	var subs []Submission
	if err := s.db.WithContext(ctx).Where("id IN ?", subIDs).Find(&subs).Error; err != nil {
		return false, fmt.Errorf("homework: file access: %w", err)
	}
	for _, sub := range subs {
		v, err := s.Get(ctx, actor, sub.AssignmentID)
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if sub.Featured {
			return true, nil
		}
		for _, c := range v.Children {
			if c.Child.StudentID == sub.StudentID {
				return true, nil
			}
		}
		if v.Teaches {
			sts, err := school.Students(ctx, s.db, []uint64{sub.StudentID})
			if err != nil {
				return false, err
			}
			t, err := school.TaughtBy(ctx, s.db, actor)
			if err != nil {
				return false, err
			}
			if st, ok := sts[sub.StudentID]; ok && t.Has(st.ClassID) {
				return true, nil
			}
		}
	}
	return false, nil
}
