package web

import (
	"errors"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"

	"jiaxiao/app/apperr"
)

// Every number the web layer takes from a URL or a form goes through
// these, so that what reaches a service is in range for both databases
// (SQLite's integers are signed 64-bit) and for the arithmetic done on it.

// parseID reads a row id: 1 to 2^63-1 in plain decimal, or false. Leading
// zeros are refused, so that each id has one spelling ("/groups/007" is
// not another address of group 7).
func parseID(s string) (uint64, bool) {
	s = strings.TrimSpace(s)
	id, err := strconv.ParseUint(s, 10, 63)
	if err != nil || id == 0 || s[0] == '0' {
		return 0, false
	}
	return id, true
}

// optionalID reads an id that may be absent or malformed: 0 then.
func optionalID(s string) uint64 {
	id, _ := parseID(s)
	return id
}

// idParam reads the path parameter name as an id; anything else is a 404.
func idParam(c echo.Context, name string) (uint64, error) {
	id, ok := parseID(c.Param(name))
	if !ok {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// maxPage bounds page numbers, so that an offset computed from one cannot
// overflow or make the database skip millions of rows.
const maxPage = 10_000

// pageParam reads a 1-based page number: 1 when absent or out of range.
func pageParam(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > maxPage {
		return 1
	}
	return n
}

// floatValue reads a finite decimal number (no NaN, no infinities), or nil.
// ParseFloat also reads Go's other spellings ("0x1p4", "1_000", "Inf"),
// which no form means, so only decimal digits, sign, point and exponent
// may reach it.
func floatValue(s string) *float64 {
	s = strings.TrimSpace(s)
	if strings.Trim(s, "0123456789+-.eE") != "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// errBadText refuses a form whose text holds what no keyboard types.
var errBadText = apperr.Invalid("", "输入中含有无法识别的字符（如空字符或乱码），请删除后重试。")

// cleanText checks and normalizes one text value from a form: it must be
// valid UTF-8 without control characters other than tab and line breaks;
// line breaks become \n (a lone \r would end a line in SSE, CSV and
// plain-text mails alike) and the text is put in Unicode NFC, so that
// what is stored, filtered and compared is one spelling.
func cleanText(s string) (string, bool) {
	if !utf8.ValidString(s) {
		return "", false
	}
	clean := true
	for _, r := range s {
		if (r < 0x20 && r != '\n' && r != '\r' && r != '\t') || (r >= 0x7f && r <= 0x9f) {
			clean = false
			break
		}
	}
	if !clean {
		return "", false
	}
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return norm.NFC.String(s), true
}

// cleanForm runs every text value of a form through cleanText before any
// handler sees it, refusing the request (422) when one is not text.
func cleanForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			return next(c)
		}
		if err := parseForm(r); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) || errors.Is(err, multipart.ErrMessageTooLarge) {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
			}
			return errBadText // what parsed so far would reach the handler uncleaned
		}
		forms := []url.Values{r.Form, r.PostForm}
		if r.MultipartForm != nil {
			forms = append(forms, r.MultipartForm.Value)
		}
		for _, values := range forms {
			for name, vs := range values {
				for i, v := range vs {
					clean, ok := cleanText(v)
					if !ok {
						return errBadText
					}
					if strings.Contains(name, "password") {
						continue // checked, but hashed exactly as typed, as it always was
					}
					vs[i] = clean
				}
			}
		}
		return next(c)
	}
}

// multipartMemory is what a multipart form may hold in memory (Echo's and
// net/http's default); larger files go to temporary files.
const multipartMemory = 32 << 20

// parseForm reads the whole form now, so that no value is parsed after
// cleanForm has run. It matches the media type as net/http does (in any
// case, with spaces around it), where Echo's FormParams would take
// "Multipart/Form-Data" for a form without fields and leave its parts for
// FormFile to parse, uncleaned; and it completes a read an earlier
// middleware began (a form is never parsed twice).
func parseForm(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); mt == "multipart/form-data" {
		return r.ParseMultipartForm(multipartMemory)
	}
	return r.ParseForm()
}
