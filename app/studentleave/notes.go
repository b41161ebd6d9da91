package studentleave

import (
	"context"
	"fmt"
)

// NoteOf names the leave requests a file is the doctor's note of, and
// their students (nil when it is none's), for the access log of whoever
// opens it.
func (s *Service) NoteOf(ctx context.Context, fileID uint64) (leaves, students []uint64, err error) {
	var ls []Leave
	if err := s.db.WithContext(ctx).Select("id, student_id").Where("file_id = ?", fileID).Order("id").Limit(listLimit).Find(&ls).Error; err != nil {
		return nil, nil, fmt.Errorf("studentleave: note of file %d: %w", fileID, err)
	}
	for _, l := range ls {
		leaves, students = append(leaves, l.ID), append(students, l.StudentID)
	}
	return leaves, students, nil
}
