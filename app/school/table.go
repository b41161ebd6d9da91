package school

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Row is one data row of an uploaded table with its 1-based line number as
// the user sees it in Excel (the header is line 1).
type Row struct {
	Line   int
	Fields map[string]string
}

// LineError is one bad row: its line and the reason, in Chinese.
type LineError struct {
	Line   int
	Reason string
}

// ImportError lists every bad row of an import; nothing was imported.
type ImportError struct {
	Lines []LineError
}

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "导入失败，共 %d 处错误，未导入任何数据：", len(e.Lines))
	for _, l := range e.Lines {
		if l.Line > 0 {
			fmt.Fprintf(&b, "\n第 %d 行：%s", l.Line, l.Reason)
		} else {
			fmt.Fprintf(&b, "\n%s", l.Reason)
		}
	}
	return b.String()
}

func (e *ImportError) add(line int, format string, args ...any) {
	e.Lines = append(e.Lines, LineError{Line: line, Reason: fmt.Sprintf(format, args...)})
}

func (e *ImportError) err() error {
	if len(e.Lines) == 0 {
		return nil
	}
	return e
}

// Import budgets: a table past one of them is refused with a message
// before it is read whole, so that a wrong or hostile file cannot exhaust
// memory (an .xlsx of a few kilobytes can declare a sheet of a million
// rows by sixteen thousand columns).
const (
	// MaxTableRows is the most data rows (after the header) an import takes.
	MaxTableRows = 50000
	// MaxTableColumns is the most columns a row may have.
	MaxTableColumns = 50
	// MaxTableCells is the most cells (and, in an .xlsx, shared strings) a
	// table may hold.
	MaxTableCells = 500_000
	// MaxXLSXUncompressed is the most an .xlsx may hold once unzipped, all
	// its parts together, as its zip directory declares them (Go's zip
	// reader refuses a part longer than declared).
	MaxXLSXUncompressed = 20 << 20
	// maxXLSXParts bounds the zip directory itself.
	maxXLSXParts = 1000
	// maxLineErrors is how many bad lines an encoding error lists.
	maxLineErrors = 50
)

func tooBig(format string, args ...any) error {
	return &ImportError{Lines: []LineError{{0, fmt.Sprintf(format, args...)}}}
}

// ReadTable reads a .csv (UTF-8, with or without BOM, or GBK as Excel saves
// it in China) or .xlsx file into rows keyed by header. required names the
// columns that must be present; optional ones are kept when present.
func ReadTable(name string, data []byte, required, optional []string) ([]Row, error) {
	var records [][]string
	var err error
	if strings.HasSuffix(strings.ToLower(name), ".xlsx") {
		records, err = readXLSX(data)
	} else {
		records, err = readCSV(data)
	}
	if err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, &ImportError{Lines: []LineError{{0, "文件是空的，第 1 行应为表头"}}}
	}
	if len(records) > MaxTableRows+1 {
		return nil, tooBig("文件超过 %d 行，请分批导入", MaxTableRows)
	}
	col := map[string]int{}
	for i, h := range records[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := col[h]; dup && h != "" {
			return nil, &ImportError{Lines: []LineError{{1, fmt.Sprintf("表头“%s”出现了两次", h)}}}
		}
		col[h] = i
	}
	ie := &ImportError{}
	for _, r := range required {
		if _, ok := col[r]; !ok {
			ie.add(1, "缺少表头“%s”（需要：%s）", r, strings.Join(required, "、"))
		}
	}
	if err := ie.err(); err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(records)-1)
	for i, rec := range records[1:] {
		if blank(rec) {
			continue
		}
		r := Row{Line: i + 2, Fields: map[string]string{}}
		for _, name := range append(append([]string{}, required...), optional...) {
			if j, ok := col[name]; ok && j < len(rec) {
				r.Fields[name] = strings.TrimSpace(rec[j])
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// readCSV decodes UTF-8 or, when the bytes are not valid UTF-8, GBK. A GBK
// file with bytes that are not GBK is refused with every such line named.
func readCSV(data []byte) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		decoded, err := decodeGBK(data)
		if err != nil {
			return nil, err
		}
		data = decoded
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	var out [][]string
	cells := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err == nil {
			cells += len(rec)
			line, _ := r.FieldPos(0)
			switch {
			case len(out) > MaxTableRows:
				return nil, tooBig("文件超过 %d 行，请分批导入", MaxTableRows)
			case len(rec) > MaxTableColumns:
				return nil, tooBig("第 %d 行有 %d 列，最多 %d 列，请删除多余的列", line, len(rec), MaxTableColumns)
			case cells > MaxTableCells:
				return nil, tooBig("文件超过 %d 个单元格，请分批导入", MaxTableCells)
			}
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, &ImportError{Lines: []LineError{{line, "CSV 格式错误：" + err.Error()}}}
		}
		out = append(out, rec)
	}
}

// decodeGBK decodes line by line so that every undecodable line is named.
// GB18030 is a superset of GBK and decodes what Excel writes.
func decodeGBK(data []byte) ([]byte, error) {
	ie := &ImportError{}
	var out bytes.Buffer
	out.Grow(len(data) + len(data)/2)
	for i := 0; len(data) > 0; i++ {
		n := bytes.IndexByte(data, '\n') + 1
		if n == 0 {
			n = len(data)
		}
		line := data[:n]
		data = data[n:]
		if !validGBK(line) {
			if len(ie.Lines) == maxLineErrors {
				ie.add(0, "还有更多无法识别的行，未一一列出")
				break
			}
			ie.add(i+1, "文件不是有效的 UTF-8 或 GBK 编码（此行含有无法识别的字节），请另存为“CSV UTF-8”后重试")
			continue
		}
		dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(line)
		if err != nil {
			ie.add(i+1, "无法按 GBK 解码：%v", err)
			continue
		}
		out.Write(dec)
	}
	if err := ie.err(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// validGBK checks the GBK byte structure: ASCII, or a lead byte 0x81–0xFE
// followed by a trail byte 0x40–0xFE other than 0x7F. (The GB18030 decoder
// itself would quietly turn bad bytes into U+FFFD.)
func validGBK(b []byte) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c < 0x80:
		case c >= 0x81 && c <= 0xFE && i+1 < len(b) && b[i+1] >= 0x40 && b[i+1] <= 0xFE && b[i+1] != 0x7F:
			i++
		default:
			return false
		}
	}
	return true
}

func readXLSX(data []byte) ([][]string, error) {
	if err := checkXLSX(data); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxXLSXUncompressed, UnzipXMLSizeLimit: MaxXLSXUncompressed})
	if err != nil {
		return nil, &ImportError{Lines: []LineError{{0, "无法读取 .xlsx 文件：" + err.Error()}}}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &ImportError{Lines: []LineError{{0, ".xlsx 文件没有工作表"}}}
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, &ImportError{Lines: []LineError{{0, "无法读取工作表：" + err.Error()}}}
	}
	return rows, nil
}

// checkXLSX refuses a workbook past the import budgets from its zip
// directory and a streaming pass over its sheets and shared strings, before
// excelize builds anything: the declared uncompressed size, each sheet's
// <dimension ref>, and every row's and cell's reference and count.
func checkXLSX(data []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &ImportError{Lines: []LineError{{0, "无法读取 .xlsx 文件：不是有效的 Excel 文件"}}}
	}
	if len(zr.File) > maxXLSXParts {
		return tooBig(".xlsx 文件结构异常（超过 %d 个部件）", maxXLSXParts)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > MaxXLSXUncompressed {
			return tooBig(".xlsx 文件解压后超过 %d MB，请删除多余的工作表和行后重试", MaxXLSXUncompressed>>20)
		}
	}
	for _, f := range zr.File {
		name := strings.ToLower(f.Name)
		switch {
		case strings.HasPrefix(name, "xl/worksheets/") && strings.HasSuffix(name, ".xml"):
			if err := scanXLSXPart(f, checkSheetElement); err != nil {
				return err
			}
		case name == "xl/sharedstrings.xml":
			strs := 0
			err := scanXLSXPart(f, func(e xml.StartElement) error {
				if e.Name.Local == "si" {
					if strs++; strs > MaxTableCells {
						return tooBig(".xlsx 文件超过 %d 个文本单元格，请分批导入", MaxTableCells)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// scanXLSXPart streams one part's XML, handing each start element to fn.
func scanXLSXPart(f *zip.File, fn func(xml.StartElement) error) error {
	rc, err := f.Open()
	if err != nil {
		return &ImportError{Lines: []LineError{{0, "无法读取 .xlsx 文件：" + f.Name + " 已损坏"}}}
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, MaxXLSXUncompressed))
	sheet := &sheetCount{}
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &ImportError{Lines: []LineError{{0, "无法读取 .xlsx 文件：" + f.Name + " 已损坏"}}}
		}
		if e, ok := tok.(xml.StartElement); ok {
			if err := fn(e); err != nil {
				return err
			}
			if err := sheet.add(e); err != nil {
				return err
			}
		}
	}
}

// sheetCount counts one sheet's rows and cells as they stream by.
type sheetCount struct{ rows, cells, rowCells int }

func (s *sheetCount) add(e xml.StartElement) error {
	switch e.Name.Local {
	case "row":
		s.rowCells = 0
		if s.rows++; s.rows > MaxTableRows+1 {
			return tooBig("工作表超过 %d 行，请分批导入", MaxTableRows)
		}
	case "c":
		if s.rowCells++; s.rowCells > MaxTableColumns {
			return tooBig("工作表第 %d 行超过 %d 列，请删除多余的列后重试", s.rows, MaxTableColumns)
		}
		if s.cells++; s.cells > MaxTableCells {
			return tooBig("工作表超过 %d 个单元格，请分批导入", MaxTableCells)
		}
	}
	return nil
}

// checkSheetElement checks the references a sheet declares: its dimension,
// each row's number and each cell's address, which excelize turns into
// that many rows and columns however few cells there are.
func checkSheetElement(e xml.StartElement) error {
	var ref string
	switch e.Name.Local {
	case "dimension", "row", "c":
		for _, a := range e.Attr {
			if a.Name.Local == "ref" || a.Name.Local == "r" {
				ref = a.Value
			}
		}
	default:
		return nil
	}
	if ref == "" {
		return nil
	}
	if i := strings.LastIndexByte(ref, ':'); i >= 0 {
		ref = ref[i+1:]
	}
	col, row := splitCellRef(ref)
	if row > MaxTableRows+1 {
		return tooBig("工作表声明了 %d 行，最多 %d 行：请删除多余的行（或分批导入）后重试", row, MaxTableRows)
	}
	if col > MaxTableColumns {
		return tooBig("工作表声明了 %d 列，最多 %d 列：请删除多余的列后重试", col, MaxTableColumns)
	}
	return nil
}

// splitCellRef reads "XFD1048576" (or "1048576" for a row) as column and
// row numbers, saturating rather than overflowing.
func splitCellRef(ref string) (col, row int) {
	i := 0
	for ; i < len(ref); i++ {
		if ref[i] == '$' {
			continue
		}
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = min(col*26+int(c-'a'+1), 1<<30)
	}
	for ; i < len(ref); i++ {
		if ref[i] == '$' {
			continue
		}
		if ref[i] < '0' || ref[i] > '9' {
			break
		}
		row = min(row*10+int(ref[i]-'0'), 1<<30)
	}
	return col, row
}

// WriteCSV writes a table as CSV for Excel: UTF-8 with a BOM (without it
// Excel reads the Chinese as GBK), the header, then one record per row.
// It is ReadTable's other half; every CSV the school downloads goes
// through it.
func WriteCSV[T any](w io.Writer, header []string, rows []T, record func(T) []string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(record(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
