package school

import (
	"bytes"
	"encoding/csv"
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

// maxRows bounds an upload so a wrong file cannot exhaust memory.
const maxRows = 50000

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
	if len(records) > maxRows+1 {
		return nil, &ImportError{Lines: []LineError{{0, fmt.Sprintf("文件超过 %d 行，请分批导入", maxRows)}}}
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
	var out [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
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
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		if !validGBK(line) {
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
	f, err := excelize.OpenReader(bytes.NewReader(data))
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
