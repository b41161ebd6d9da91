package school_test

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"jiaxiao/app/file/filetest"
	"jiaxiao/app/school"
)

// smallXLSX is a real workbook made by excelize: a header and two rows.
func smallXLSX(t testing.TB) []byte {
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range [][]any{{"年级", "班级", "学号"}, {3, 2, "20230201"}, {3, 3, "20230301"}} {
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

// xlsxAttacks are small workbooks that declare or hold a huge sheet.
func xlsxAttacks(t testing.TB) map[string][]byte {
	ok := smallXLSX(t)
	return map[string][]byte{
		// One cell at the sheet's last row and column: excelize's GetRows
		// gives a million rows of sixteen thousand columns.
		"declared dimension": filetest.RewriteSheet(t, ok, func(s string) string {
			s = strings.Replace(s, "<sheetData>", `<dimension ref="A1:XFD1048576"/><sheetData>`, 1)
			return strings.Replace(s, "</sheetData>", `<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>`, 1)
		}),
		"far cell": filetest.RewriteSheet(t, ok, func(s string) string {
			return strings.Replace(s, "</sheetData>", `<row r="4"><c r="XFD4"><v>1</v></c></row></sheetData>`, 1)
		}),
		"far row": filetest.RewriteSheet(t, ok, func(s string) string {
			return strings.Replace(s, "</sheetData>", `<row r="900000"><c r="A900000"><v>1</v></c></row></sheetData>`, 1)
		}),
		"rows without numbers": filetest.RewriteSheet(t, ok, func(s string) string {
			return strings.Replace(s, "</sheetData>", strings.Repeat(`<row><c><v>1</v></c></row>`, school.MaxTableRows+1)+"</sheetData>", 1)
		}),
		"cells without addresses": filetest.RewriteSheet(t, ok, func(s string) string {
			return strings.Replace(s, "</sheetData>", "<row>"+strings.Repeat(`<c><v>1</v></c>`, school.MaxTableColumns+1)+"</row></sheetData>", 1)
		}),
		"huge uncompressed": filetest.RewriteSheet(t, ok, func(s string) string {
			return strings.Replace(s, "<sheetData>", "<sheetData>"+strings.Repeat(" ", school.MaxXLSXUncompressed), 1)
		}),
	}
}

// TestXLSXBudgets: each hostile workbook is refused with a message, fast,
// with the heap near where it was; a real one still reads.
func TestXLSXBudgets(t *testing.T) {
	rows, err := school.ReadTable("名单.xlsx", smallXLSX(t), []string{"年级", "班级"}, []string{"学号"})
	if err != nil || len(rows) != 2 || rows[1].Fields["学号"] != "20230301" {
		t.Fatalf("real workbook: %+v %v", rows, err)
	}
	for name, data := range xlsxAttacks(t) {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := school.ReadTable("名单.xlsx", data, []string{"年级", "班级"}, nil)
		took := time.Since(start)
		runtime.ReadMemStats(&after)
		var ie *school.ImportError
		if !errors.As(err, &ie) || len(ie.Lines) != 1 || !strings.ContainsAny(ie.Lines[0].Reason, "行列MB") {
			t.Errorf("%s (%d KB): %v", name, len(data)>>10, err)
			continue
		}
		// TotalAlloc counts every allocation, so a refusal that built the
		// sheet would show even after a collection.
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s (%d KB): %q in %v, %d MB allocated", name, len(data)>>10, ie.Lines[0].Reason, took.Round(time.Millisecond), alloc>>20)
		if took > 3*time.Second || alloc > 64<<20 {
			t.Errorf("%s: %v and %d MB allocated to refuse", name, took, alloc>>20)
		}
	}
}

// TestCSVBudgets: a CSV of millions of tiny records, or of wide rows, is
// refused while it is read.
func TestCSVBudgets(t *testing.T) {
	for name, data := range map[string]string{
		"rows":    "年级,班级\n" + strings.Repeat(",\n", 2_000_000),
		"columns": "年级,班级\n" + strings.Repeat(",", school.MaxTableColumns) + "\n",
		"gbk":     strings.Repeat("\x81\x7f\n", 100_000),
	} {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		_, err := school.ReadTable("名单.csv", []byte(data), []string{"年级", "班级"}, nil)
		runtime.ReadMemStats(&m1)
		var ie *school.ImportError
		if !errors.As(err, &ie) || len(ie.Lines) == 0 || len(ie.Lines) > 60 {
			t.Fatalf("%s: %v", name, err)
		}
		if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 64<<20 {
			t.Errorf("%s: %d MB allocated to refuse", name, alloc>>20)
		}
	}
}

// FuzzReadXLSX: the workbook checks and excelize never panic on a mangled
// file, and what is read stays within the budgets.
func FuzzReadXLSX(f *testing.F) {
	f.Add(smallXLSX(f))
	for name, data := range xlsxAttacks(f) {
		// Fifty thousand rows, or 20 MB, to stream make slow seeds to mutate.
		if name != "rows without numbers" && name != "huge uncompressed" {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := school.ReadTable("f.xlsx", data, []string{"年级"}, []string{"班级", "学号"})
		if err != nil {
			var ie *school.ImportError
			if !errors.As(err, &ie) || len(ie.Lines) == 0 {
				t.Fatalf("error without lines: %v", err)
			}
			return
		}
		if len(rows) > school.MaxTableRows {
			t.Fatalf("%d rows", len(rows))
		}
	})
}
