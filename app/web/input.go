package web

import (
	"math"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
)

// Every number the web layer takes from a URL or a form goes through
// these, so that what reaches a service is in range for both databases
// (SQLite's integers are signed 64-bit) and for the arithmetic done on it.

// parseID reads a row id: 1 to 2^63-1, or false.
func parseID(s string) (uint64, bool) {
	id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 63)
	if err != nil || id == 0 {
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
func floatValue(s string) *float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}
