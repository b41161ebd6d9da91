package homework

import (
	"io"
	"jiaxiao/app/school"
	"time"
)

// CSVHeader is the first line of the submissions export.
var CSVHeader = []string{"学号", "学生", "班级", "状态", "提交时间", "评价", "评语"}

// WriteCSV writes the sheet as CSV, times in loc, with a BOM so that
// Excel reads it as UTF-8.
func WriteCSV(w io.Writer, sh Sheet, loc *time.Location) error {
	return school.WriteCSV(w, CSVHeader, sh.Lines, func(l Work) []string {
		row := []string{l.Student.StudentNo, l.Student.Name, l.Class, l.Status(), "", "", ""}
		if s := l.Submission; s != nil {
			row[4], row[5], row[6] = s.SubmittedAt.In(loc).Format(DueLayout), s.Grade, s.Comment
		}
		return row
	})
}
