package attendance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/xuri/excelize/v2"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/school"
)

// ImportResult counts a terminal import.
type ImportResult struct {
	Added, Known int
}

// MaxPunchAge is how far from today a terminal import may reach, either
// way: a punch further off is a wrong date (or a terminal's clock) rather
// than a forgotten export, and bounds the months an import looks up.
const MaxPunchAge = 400 * 24 * time.Hour

// terminalRow is one line of a terminal export, checked but not yet
// matched to an account.
type terminalRow struct {
	Line  int
	Phone string // normalized when it could be
	Raw   string // as written, for messages
	At    time.Time
}

// readPunches reads a terminal export (CSV in UTF-8 or GBK, or .xlsx,
// within school.ReadTable's budgets) and checks each line's time; it
// touches no database, so it is fuzzed on its own.
func readPunches(filename string, data []byte, loc *time.Location, now time.Time) ([]terminalRow, *school.ImportError, error) {
	rows, err := school.ReadTable(filename, data, []string{"手机", "姓名", "打卡时间"}, nil)
	if err != nil {
		return nil, nil, err
	}
	ie := &school.ImportError{}
	out := make([]terminalRow, 0, len(rows))
	for _, r := range rows {
		phone, _ := auth.NormalizePhone(r.Fields["手机"])
		at, err := time.ParseInLocation("2006-01-02 15:04:05", r.Fields["打卡时间"], loc)
		if err != nil {
			at, err = time.ParseInLocation("2006/1/2 15:04:05", r.Fields["打卡时间"], loc)
		}
		if err != nil {
			ie.Lines = append(ie.Lines, school.LineError{Line: r.Line, Reason: fmt.Sprintf("打卡时间“%s”无法识别，应为 2026-11-02 08:05:13", r.Fields["打卡时间"])})
			continue
		}
		if at.Before(now.Add(-MaxPunchAge)) || at.After(now.Add(MaxPunchAge)) {
			ie.Lines = append(ie.Lines, school.LineError{Line: r.Line, Reason: fmt.Sprintf("打卡时间“%s”不在今天前后 %d 天内", r.Fields["打卡时间"], int(MaxPunchAge.Hours()/24))})
			continue
		}
		out = append(out, terminalRow{Line: r.Line, Phone: phone, Raw: r.Fields["手机"], At: at})
	}
	return out, ie, nil
}

// ImportPunches merges a terminal export (手机,姓名,打卡时间): every row is
// checked first and one bad row imports nothing; punches already imported
// are skipped, so the same file twice adds nothing.
func (s *Service) ImportPunches(ctx context.Context, actor *auth.User, filename string, data []byte) (ImportResult, error) {
	if err := adminOnly(actor); err != nil {
		return ImportResult{}, err
	}
	now := s.now()
	rows, ie, err := readPunches(filename, data, s.loc, now)
	if err != nil {
		return ImportResult{}, err
	}
	staff, err := auth.StaffEver(ctx, s.db)
	if err != nil {
		return ImportResult{}, err
	}
	byPhone := map[string]auth.User{}
	for _, u := range staff {
		byPhone[u.Phone] = u
	}
	var punches []Punch
	lockedMonths := map[string]bool{}
	for _, r := range rows {
		u, ok := byPhone[r.Phone]
		if !ok {
			ie.Lines = append(ie.Lines, school.LineError{Line: r.Line, Reason: fmt.Sprintf("手机“%s”不是本校教职工", r.Raw)})
			continue
		}
		m := r.At.Format("2006-01")
		if _, seen := lockedMonths[m]; !seen {
			lockedMonths[m], _ = s.Locked(ctx, m)
		}
		if lockedMonths[m] {
			ie.Lines = append(ie.Lines, school.LineError{Line: r.Line, Reason: m + " 的考勤已确认锁定"})
			continue
		}
		punches = append(punches, Punch{UserID: u.ID, At: r.At.UTC(), Source: SourceTerminal, Note: "考勤机", CreatedAt: now})
	}
	if len(ie.Lines) > 0 {
		slices.SortStableFunc(ie.Lines, func(a, b school.LineError) int { return a.Line - b.Line })
		return ImportResult{}, ie
	}
	var res ImportResult
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		// Count rather than trust RowsAffected, which MySQL reports
		// differently for ignored duplicates.
		var before, after int64
		if err := tx.Model(&Punch{}).Where("source = ?", SourceTerminal).Count(&before).Error; err != nil {
			return err
		}
		for _, chunk := range db.Chunks(punches, db.Batch(tx, 500)) {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&chunk).Error; err != nil {
				return err
			}
		}
		if err := tx.Model(&Punch{}).Where("source = ?", SourceTerminal).Count(&after).Error; err != nil {
			return err
		}
		res.Added = int(after - before)
		res.Known = len(punches) - res.Added
		return audit.Record(ctx, tx, audit.Entry{ActorID: auth.ActorOf(actor), Action: "attendance.import", Subject: filename,
			Detail: fmt.Sprintf("added=%d known=%d", res.Added, res.Known), CreatedAt: now})
	})
	return res, err
}

// ExportHeader is the monthly export's header (CONTRACT §3).
var ExportHeader = []string{"姓名", "手机", "应出勤天数", "出勤天数", "迟到次数", "早退次数", "缺卡次数", "旷工天数", "外勤次数", "请假天数", "补卡次数"}

func num(f float64) string { return fmt.Sprintf("%g", f) }

func exportRow(t TeacherMonth) []string {
	s := t.Summary
	return []string{t.Name, t.Phone, fmt.Sprint(s.WorkDays), num(s.Attended), fmt.Sprint(s.Late), fmt.Sprint(s.Early),
		fmt.Sprint(s.Missing), num(s.Absent), fmt.Sprint(s.FieldCount), num(s.Leave), fmt.Sprint(s.Makeups)}
}

// WriteCSV writes a month as CSV (UTF-8 with a BOM, for Excel).
func WriteCSV(w io.Writer, rows []TeacherMonth) error {
	return school.WriteCSV(w, ExportHeader, rows, exportRow)
}

// WriteXLSX writes a month as an Excel workbook, numbers as numbers.
func WriteXLSX(w io.Writer, month string, rows []TeacherMonth) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := month
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	header := make([]any, len(ExportHeader))
	for i, h := range ExportHeader {
		header[i] = h
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return err
	}
	for i, t := range rows {
		s := t.Summary
		row := []any{t.Name, t.Phone, s.WorkDays, s.Attended, s.Late, s.Early, s.Missing, s.Absent, s.FieldCount, s.Leave, s.Makeups}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// RecordHistory stores past punches and already-decided requests as they
// are (the demo school's last two months), once: nothing is stored when
// requests with reason marker exist already.
func RecordHistory(ctx context.Context, g *gorm.DB, marker string, punches []Punch, approvals []Approval) error {
	return db.InTx(ctx, g, func(tx *gorm.DB) error {
		var done int64
		if err := tx.Model(&Approval{}).Where("reason = ?", marker).Count(&done).Error; err != nil || done > 0 {
			return err
		}
		if len(punches) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(punches, db.Batch(tx, 500)).Error; err != nil {
				return err
			}
		}
		if len(approvals) == 0 {
			return nil
		}
		return tx.CreateInBatches(approvals, db.Batch(tx, 500)).Error
	})
}
