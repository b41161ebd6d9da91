package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/attendance"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/group"
	"jiaxiao/app/school"
	adminviews "jiaxiao/views/admin"
	"jiaxiao/views/component"
)

// auditPerPage is one page of the audit log.
const auditPerPage = 30

// auditLookups read the names the log's entries need, one statement per
// kind of thing named on a page.
func (s *Server) auditLookups() map[audit.Kind]audit.Lookup {
	return map[audit.Kind]audit.Lookup{
		audit.KindUser: func(ctx context.Context, ids []uint64) (map[uint64]string, error) { return auth.Names(ctx, s.db, ids) },
		audit.KindGroup: func(ctx context.Context, ids []uint64) (map[uint64]string, error) {
			gs, err := group.ByIDs(ctx, s.db, ids)
			out := make(map[uint64]string, len(gs))
			for _, g := range gs {
				out[g.ID] = g.Name
			}
			return out, err
		},
		audit.KindStudent: func(ctx context.Context, ids []uint64) (map[uint64]string, error) {
			return school.StudentNames(ctx, s.db, ids)
		},
		audit.KindDepartment: func(ctx context.Context, ids []uint64) (map[uint64]string, error) {
			return school.DepartmentNames(ctx, s.db, ids)
		},
		audit.KindApproval: func(ctx context.Context, ids []uint64) (map[uint64]string, error) {
			return attendance.ApprovalNames(ctx, s.db, ids)
		},
	}
}

// auditPage is the audit log in words, newest first, filtered by kind
// (kind) and person (person, an id from a name's link, or phone), a page
// at a time (before: the id the page starts below).
func (s *Server) auditPage(c echo.Context) error {
	ctx := c.Request().Context()
	q := audit.Query{Limit: auditPerPage}
	if _, ok := audit.CategoryOf(c.QueryParam("kind")); ok {
		q.Category = c.QueryParam("kind")
	}
	q.Before = auditQueryID(c, "before")
	q.Person = auditQueryID(c, "person")
	v := adminviews.AuditView{Categories: []component.Option{{Value: "", Label: "全部类别", Selected: q.Category == ""}}}
	for _, cat := range audit.Categories {
		v.Categories = append(v.Categories, component.Option{Value: cat.Key, Label: cat.Label, Selected: cat.Key == q.Category})
	}
	if phone := strings.TrimSpace(c.QueryParam("phone")); phone != "" {
		v.Phone = phone
		if len(phone) > 20 {
			v.Phone = phone[:20]
		}
		u, err := s.auth.UserByPhone(ctx, v.Phone)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			v.PhoneError = "没有使用这个手机号的用户"
		case err != nil:
			return err
		default:
			q.Person, v.Person = u.ID, u.Name
		}
	}
	if v.PhoneError != "" {
		return render(c, http.StatusOK, adminviews.AuditPage(page(c, "审计日志"), v))
	}
	pg, err := audit.Read(ctx, s.db, userOf(c), q, s.auditLookups())
	if err != nil {
		return err
	}
	now := s.now()
	link := func(person uint64, before uint64) string {
		vals := url.Values{}
		if q.Category != "" {
			vals.Set("kind", q.Category)
		}
		if person != 0 {
			vals.Set("person", strconv.FormatUint(person, 10))
		}
		if before != 0 {
			vals.Set("before", strconv.FormatUint(before, 10))
		}
		if len(vals) == 0 {
			return "/admin/audit"
		}
		return "/admin/audit?" + vals.Encode()
	}
	for _, e := range pg.Entries {
		var parts []adminviews.AuditPart
		for _, p := range audit.Sentence(e, pg.Names, now, s.loc) {
			part := adminviews.AuditPart{Text: p.Text}
			if p.Person != 0 && p.Person != q.Person {
				part.URL = link(p.Person, 0)
			}
			parts = append(parts, part)
		}
		v.Entries = append(v.Entries, adminviews.AuditEntry{Parts: parts, IP: e.IP})
	}
	if q.Person != 0 {
		if v.Person == "" {
			v.Person = pg.Names[audit.KindUser][q.Person]
		}
		if v.Person == "" { // named in no entry of this page
			names, err := auth.Names(ctx, s.db, []uint64{q.Person})
			if err != nil {
				return err
			}
			v.Person = names[q.Person]
		}
		if v.Person == "" {
			v.Person = "（已注销的用户）"
		}
		v.ClearURL = link(0, 0)
	}
	if pg.Next != 0 {
		v.NextURL = link(q.Person, pg.Next)
	}
	if q.Before != 0 {
		v.FirstURL = link(q.Person, 0)
	}
	return render(c, http.StatusOK, adminviews.AuditPage(page(c, "审计日志"), v))
}

// auditQueryID reads an id from the query string: 0 when it is missing or not
// an id a table can hold.
func auditQueryID(c echo.Context, name string) uint64 {
	n, err := strconv.ParseInt(c.QueryParam(name), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return uint64(n)
}
