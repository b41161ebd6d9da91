package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/privacy"
	"jiaxiao/app/school"
	adminviews "jiaxiao/views/admin"
	"jiaxiao/views/component"
)

var (
	flashHeadSet      = sayFlash("headSet", "已更新部门组长。")
	flashStudentMoved = sayFlash("studentStatus", "已更新学籍，班级群成员已随之调整。")
)

// departmentsView lists the departments; refused is a refused choice of
// head, shown beside its department.
func (s *Server) departmentsView(c echo.Context, refused map[uint64]string) (adminviews.DepartmentsView, error) {
	depts, err := s.school.Departments(c.Request().Context(), userOf(c))
	if err != nil {
		return adminviews.DepartmentsView{}, err
	}
	v := adminviews.DepartmentsView{CSRF: csrfOf(c)}
	for _, d := range depts {
		id := strconv.FormatUint(d.ID, 10)
		row := adminviews.DepartmentRow{ID: id, Name: d.Name, Head: d.HeadName, Staff: len(d.Staff), Error: refused[d.ID],
			SetURL:  "/admin/departments/" + id + "/head",
			Options: []component.Option{{Value: "0", Label: "（未设置）", Selected: d.HeadID == nil}}}
		for _, u := range d.Staff {
			row.Options = append(row.Options, component.Option{Value: strconv.FormatUint(u.ID, 10), Label: u.Name,
				Selected: d.HeadID != nil && *d.HeadID == u.ID})
		}
		v.Departments = append(v.Departments, row)
	}
	return v, nil
}

func (s *Server) departmentsPage(c echo.Context) error {
	v, err := s.departmentsView(c, nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, adminviews.DepartmentsPage(page(c, "部门"), v))
}

func (s *Server) setDepartmentHead(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	head := optionalID(c.FormValue("head"))
	err = s.school.SetDepartmentHead(c.Request().Context(), userOf(c), id, head)
	if err == nil {
		s.setFlash(c, flashHeadSet)
		return redirect(c, "/admin/departments")
	}
	ve, ok := apperr.AsValidation(err)
	if !ok {
		return err
	}
	v, err := s.departmentsView(c, map[uint64]string{id: ve.Message()})
	if err != nil {
		return err
	}
	return render(c, http.StatusUnprocessableEntity, adminviews.DepartmentsPage(page(c, "部门"), v))
}

var studentStatusLabels = []struct {
	status school.StudentStatus
	label  string
}{{school.Enrolled, "在读"}, {school.Transferred, "转出"}, {school.Graduated, "毕业"}}

// classView is a class's students; refused is a refused change of
// status, shown beside its student.
func (s *Server) classView(c echo.Context, id uint64, refused map[uint64]string) (adminviews.ClassView, string, error) {
	class, students, err := s.school.ClassStudents(c.Request().Context(), userOf(c), id)
	if err != nil {
		return adminviews.ClassView{}, "", err
	}
	shown := privacy.Shown{Kind: privacy.KindClass, Ref: "class:" + strconv.FormatUint(id, 10), Label: class.Name()}
	for _, st := range students {
		shown.Students = append(shown.Students, st.ID)
	}
	if err := s.shown(c, shown); err != nil {
		return adminviews.ClassView{}, "", err
	}
	v := adminviews.ClassView{CSRF: csrfOf(c), Name: class.Name()}
	enrolled := 0
	for _, st := range students {
		sid := strconv.FormatUint(st.ID, 10)
		row := adminviews.StudentRow{ID: sid, No: st.StudentNo, Name: st.Name, Guardians: st.Guardians, Error: refused[st.ID],
			StatusURL: "/admin/students/" + sid + "/status"}
		for _, o := range studentStatusLabels {
			row.Options = append(row.Options, component.Option{Value: string(o.status), Label: o.label, Selected: st.Status == o.status})
			if st.Status == o.status {
				row.Status = o.label
			}
		}
		if st.Status == school.Enrolled {
			enrolled++
		}
		v.Students = append(v.Students, row)
	}
	v.Counts = "在读 " + strconv.Itoa(enrolled) + " 人，共 " + strconv.Itoa(len(students)) + " 人"
	return v, class.Name(), nil
}

func (s *Server) classPage(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, name, err := s.classView(c, id, nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, adminviews.ClassPage(page(c, name), v))
}

func (s *Server) setStudentStatus(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	changeErr := s.school.SetStudentStatus(ctx, userOf(c), id, school.StudentStatus(c.FormValue("status")))
	ve, refused := apperr.AsValidation(changeErr)
	if changeErr != nil && !refused {
		return changeErr
	}
	classID, err := s.school.StudentClass(ctx, id)
	if err != nil {
		return err
	}
	if !refused {
		s.setFlash(c, flashStudentMoved)
		return redirect(c, "/admin/classes/"+strconv.FormatUint(classID, 10))
	}
	v, name, err := s.classView(c, classID, map[uint64]string{id: ve.Message()})
	if err != nil {
		return err
	}
	return render(c, http.StatusUnprocessableEntity, adminviews.ClassPage(page(c, name), v))
}
