package homework

import (
	"encoding/csv"
	"io"
	"time"
)

// CSVHeader is the first line of the submissions export.
var CSVHeader = []string{"学号", "学生", "班级", "状态", "提交时间", "评价", "评语"}

// WriteCSV writes the sheet as CSV, times in loc, with a BOM so that
// Excel reads it as UTF-8.
func WriteCSV(w io.Writer, sh Sheet, loc *time.Location) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, l := range sh.Lines {
		row := []string{l.Student.StudentNo, l.Student.Name, l.Class, l.Status(), "", "", ""}
		if s := l.Submission; s != nil {
			row[4], row[5], row[6] = s.SubmittedAt.In(loc).Format(DueLayout), s.Grade, s.Comment
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
