package attendance

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"jiaxiao/app/file/filetest"
	"jiaxiao/app/school"
)

var fuzzNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

const terminalCSV = "手机,姓名,打卡时间\n13800000002,李芳,2026-11-02 08:05:13\n138 0000 0003,陈志强,2026/11/2 17:35:00\n"

// terminalXLSX is a terminal export saved as a workbook.
func terminalXLSX(t testing.TB) []byte {
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range [][]any{{"手机", "姓名", "打卡时间"}, {"13800000002", "李芳", "2026-11-02 08:05:13"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hugeDimension is the small workbook of issue 10 that declares a sheet of
// a million rows by sixteen thousand columns.
func hugeDimension(t testing.TB) []byte {
	return filetest.RewriteSheet(t, terminalXLSX(t), func(x string) string {
		return strings.Replace(x, "</sheetData>", `<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>`, 1)
	})
}

func TestReadPunches(t *testing.T) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(terminalCSV)
	for name, data := range map[string][]byte{"t.csv": []byte(terminalCSV), "gbk.csv": []byte(gbk), "t.xlsx": terminalXLSX(t)} {
		rows, ie, err := readPunches(name, data, time.UTC, fuzzNow)
		if err != nil || len(ie.Lines) != 0 || len(rows) == 0 || rows[0].Phone != "13800000002" || rows[0].At.Day() != 2 {
			t.Fatalf("%s: %+v %v %v", name, rows, ie, err)
		}
	}
	// Dates out of any sane range are bad lines, not thousands of months
	// looked up one by one.
	_, ie, err := readPunches("t.csv", []byte("手机,姓名,打卡时间\n13800000002,李芳,0001-01-01 00:00:00\n13800000002,李芳,9999-12-31 08:00:00\n"), time.UTC, fuzzNow)
	if err != nil || len(ie.Lines) != 2 || !strings.Contains(ie.Lines[0].Reason, "不在今天前后") {
		t.Fatalf("far dates: %v %v", ie, err)
	}
	start := time.Now()
	_, _, err = readPunches("t.xlsx", hugeDimension(t), time.UTC, fuzzNow)
	var imp *school.ImportError
	if !errors.As(err, &imp) || !strings.Contains(imp.Lines[0].Reason, "1048576") || time.Since(start) > time.Second {
		t.Fatalf("huge dimension: %v in %v", err, time.Since(start))
	}
}

// FuzzReadPunches: the terminal import's parsing (CSV in UTF-8 or GBK,
// .xlsx) never panics, fails only with lines to show, and returns only
// punches within range.
func FuzzReadPunches(f *testing.F) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(terminalCSV)
	f.Add([]byte(terminalCSV), false)
	f.Add([]byte(gbk), false)
	f.Add([]byte("手机,姓名,打卡时间\n\"1380,\"\"x\",\r李芳,2026-13-40 25:61:61\n"), false)
	f.Add(terminalXLSX(f), true)
	f.Add(hugeDimension(f), true)
	f.Fuzz(func(t *testing.T, data []byte, xlsx bool) {
		name := "t.csv"
		if xlsx {
			name = "t.xlsx"
		}
		rows, ie, err := readPunches(name, data, time.UTC, fuzzNow)
		if err != nil {
			var imp *school.ImportError
			if !errors.As(err, &imp) || len(imp.Lines) == 0 {
				t.Fatalf("error without lines: %v", err)
			}
			return
		}
		if ie == nil {
			t.Fatal("no error list")
		}
		for _, r := range rows {
			if r.Line < 2 || r.At.Before(fuzzNow.Add(-MaxPunchAge)) || r.At.After(fuzzNow.Add(MaxPunchAge)) {
				t.Fatalf("row %+v", r)
			}
		}
	})
}
