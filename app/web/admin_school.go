package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/school"
	adminviews "jiaxiao/views/admin"
	"jiaxiao/views/component"
)

func (s *Server) departmentsPage(c echo.Context) error {
	depts, err := s.school.Departments(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	v := adminviews.DepartmentsView{CSRF: csrfOf(c)}
	for _, d := range depts {
		row := adminviews.DepartmentRow{Name: d.Name, Head: d.HeadName, Staff: len(d.Staff),
			SetURL:  "/admin/departments/" + strconv.FormatUint(d.ID, 10) + "/head",
			Options: []component.Option{{Value: "0", Label: "（未设置）", Selected: d.HeadID == nil}}}
		for _, u := range d.Staff {
			row.Options = append(row.Options, component.Option{Value: strconv.FormatUint(u.ID, 10), Label: u.Name,
				Selected: d.HeadID != nil && *d.HeadID == u.ID})
		}
		v.Departments = append(v.Departments, row)
	}
	return render(c, http.StatusOK, adminviews.DepartmentsPage(page(c, "部门"), v))
}

func (s *Server) setDepartmentHead(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	head := optionalID(c.FormValue("head"))
	if err := s.school.SetDepartmentHead(c.Request().Context(), userOf(c), id, head); err != nil {
		return err
	}
	return redirect(c, "/admin/departments")
}

var studentStatusLabels = []struct {
	status school.StudentStatus
	label  string
}{{school.Enrolled, "在读"}, {school.Transferred, "转出"}, {school.Graduated, "毕业"}}

func (s *Server) classPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	class, students, err := s.school.ClassStudents(c.Request().Context(), userOf(c), id)
	if err != nil {
		return err
	}
	v := adminviews.ClassView{CSRF: csrfOf(c), Name: class.Name()}
	for _, st := range students {
		row := adminviews.StudentRow{No: st.StudentNo, Name: st.Name, Guardians: st.Guardians,
			StatusURL: "/admin/students/" + strconv.FormatUint(st.ID, 10) + "/status"}
		for _, o := range studentStatusLabels {
			row.Options = append(row.Options, component.Option{Value: string(o.status), Label: o.label, Selected: st.Status == o.status})
			if st.Status == o.status {
				row.Status = o.label
			}
		}
		v.Students = append(v.Students, row)
	}
	return render(c, http.StatusOK, adminviews.ClassPage(page(c, class.Name()), v))
}

func (s *Server) setStudentStatus(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := s.school.SetStudentStatus(ctx, userOf(c), id, school.StudentStatus(c.FormValue("status"))); err != nil {
		return err
	}
	classID, err := s.school.StudentClass(ctx, id)
	if err != nil {
		return err
	}
	return redirect(c, "/admin/classes/"+strconv.FormatUint(classID, 10))
}
