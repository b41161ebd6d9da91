package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/calendar"
	"jiaxiao/app/file"
	"jiaxiao/app/privacy"
	"jiaxiao/app/studentleave"
	"jiaxiao/storage"
	"jiaxiao/views/component"
	homeviews "jiaxiao/views/home"
	slviews "jiaxiao/views/studentleave"
)

var (
	flashLeaveAsked     = sayFlash("sl-asked", "请假申请已提交，班主任审批后会通知您。")
	flashLeaveApproved  = sayFlash("sl-approved", "已批准该请假，家长会收到通知。")
	flashLeaveRejected  = sayFlash("sl-rejected", "已驳回该请假，家长会看到驳回理由。")
	flashLeaveCancelled = sayFlash("sl-cancelled", "请假已撤销。")
	flashLeaveReturned  = sayFlash("sl-returned", "已销假，孩子记为在校。")
)

func (s *Server) newLeavePage(c echo.Context) error {
	return s.renderLeaveForm(c, http.StatusOK, slviews.Form{Kind: studentleave.Personal, StartHalf: studentleave.AM, EndHalf: studentleave.PM})
}

func (s *Server) renderLeaveForm(c echo.Context, status int, f slviews.Form) error {
	u := userOf(c)
	if u.Role != auth.RoleParent {
		return studentleave.ErrNotGuardian
	}
	kids, err := s.school.Children(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	if len(kids) == 0 {
		return apperr.New(apperr.ErrForbidden, "您还没有已绑定的孩子，加入班级群并通过审核后即可请假")
	}
	v := slviews.NewView{CSRF: csrfOf(c), Symptoms: studentleave.Symptoms, Form: f}
	for _, k := range studentleave.Kinds {
		v.Kinds = append(v.Kinds, component.Option{Value: k, Label: k})
	}
	for _, k := range kids {
		v.Children = append(v.Children, slviews.Child{ID: strconv.FormatUint(k.StudentID, 10), Label: k.Name + "（" + k.Class() + "）"})
	}
	return render(c, status, slviews.NewPage(page(c, "学生请假"), v))
}

// leaveNote reads the optional doctor's note (field file): nil when none
// was chosen. Its size and, from its first bytes, its type are checked
// before the rest is read; chosen says a file came, so that a refused form
// can ask for it again.
func leaveNote(c echo.Context) (note *file.Prepared, chosen bool, err error) {
	fh, err := c.FormFile("file")
	if err != nil || fh.Filename == "" {
		return nil, false, nil
	}
	if fh.Size > studentleave.MaxNoteSize {
		return nil, true, studentleave.NoteTooLarge()
	}
	f, err := fh.Open()
	if err != nil {
		return nil, true, err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	f.Close()
	if ct := http.DetectContentType(head[:n]); ct != "application/pdf" && !strings.HasPrefix(ct, "image/") {
		return nil, true, studentleave.NoteWrongType()
	}
	p, err := readUpload(fh)
	if err != nil {
		return nil, true, err
	}
	return &p, true, nil
}

func (s *Server) askLeave(c echo.Context) error {
	// The note first: it parses the multipart form the fields come from.
	note, chosen, noteErr := leaveNote(c)
	f := slviews.Form{StudentID: c.FormValue("student_id"), Kind: c.FormValue("kind"), StartDate: c.FormValue("start_date"), StartHalf: c.FormValue("start_half"),
		EndDate: c.FormValue("end_date"), EndHalf: c.FormValue("end_half"), Reason: c.FormValue("reason")}
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	f.Symptoms = form["symptoms"]
	if len(f.Symptoms) > len(studentleave.Symptoms) {
		f.Symptoms = f.Symptoms[:len(studentleave.Symptoms)+1]
	}
	err = noteErr
	if err == nil {
		id, _ := strconv.ParseUint(f.StudentID, 10, 64)
		_, err = s.leaves.Request(c.Request().Context(), userOf(c), studentleave.RequestInput{StudentID: id, Kind: f.Kind, StartDate: f.StartDate,
			StartHalf: f.StartHalf, EndDate: f.EndDate, EndHalf: f.EndHalf, Reason: f.Reason, Symptoms: f.Symptoms, Note: note})
	}
	if err == nil {
		s.setFlash(c, flashLeaveAsked)
		return redirect(c, "/leave")
	}
	// Refused in place (a bad form 422, storage busy 503): what was typed
	// stays; a chosen file cannot, and the form says so.
	f.Errors = map[string]string{}
	status, msg := formError(err, f.Errors)
	if status != http.StatusUnprocessableEntity && status != http.StatusServiceUnavailable {
		return err
	}
	f.Errors[""] = msg
	f.NoteLost = chosen && f.Errors["file"] == ""
	return s.renderLeaveForm(c, status, f)
}

func (s *Server) leaveList(c echo.Context) error { return s.renderLeaveList(c, http.StatusOK, 0, "") }

// renderLeaveList shows the viewer's list; refused, if not 0, is the
// request whose rejection needs a reason, given by msg beside its field.
func (s *Server) renderLeaveList(c echo.Context, status int, refused uint64, msg string) error {
	ctx, u := c.Request().Context(), userOf(c)
	var items []studentleave.Item
	var err error
	head := u.Role.Staff()
	if head {
		items, err = s.leaves.ForHead(ctx, u)
		if errors.Is(err, studentleave.ErrNotHead) { // a teacher who heads no class: nothing to decide
			items, err = nil, nil
		}
	} else {
		items, err = s.leaves.Mine(ctx, u)
	}
	if err != nil {
		return err
	}
	notes, err := s.leaves.Notes(ctx, items)
	if err != nil {
		return err
	}
	v := slviews.ListView{CSRF: csrfOf(c), Head: head}
	if u.Role == auth.RoleParent {
		// The same rule as the form: only a parent with a child admitted.
		kids, err := s.school.Children(ctx, u.ID)
		if err != nil {
			return err
		}
		v.CanAsk, v.NoChild = len(kids) > 0, len(kids) == 0
	}
	if head {
		heads, err := s.leaves.HeadClasses(ctx, u)
		if err != nil {
			return err
		}
		if u.IsAdmin() {
			v.Links = append(v.Links, slviews.Link{URL: "/admin/student-leave", Label: "全校今日请假"})
		} else {
			for _, hc := range heads {
				v.Links = append(v.Links, slviews.Link{URL: "/classes/" + strconv.FormatUint(hc.ID, 10) + "/today", Label: hc.Name() + " 今日出勤"})
			}
		}
	}
	for _, it := range items {
		id := strconv.FormatUint(it.ID, 10)
		row := slviews.Item{ID: id, Anchor: "leave-" + id, Student: it.StudentName, Class: it.Class, What: fmt.Sprintf("%s %g 天", it.Kind, it.Days()),
			When: it.Start() + " 至 " + it.End(), Symptoms: strings.ReplaceAll(it.Symptoms, ",", "、"), Reason: it.Reason,
			Status: studentleave.StatusLabel(it.Status), StatusClass: it.Status, RejectReason: it.RejectReason, AskedBy: it.ParentName}
		if it.FileID != nil {
			if n, ok := notes[*it.FileID]; ok {
				row.Note = &slviews.Note{URL: "/files/" + strconv.FormatUint(n.ID, 10), Name: n.Name, Image: n.IsImage()}
			}
		}
		switch {
		case head && it.Status == studentleave.Pending:
			d := component.Decision{ApproveURL: "/leave/" + id + "/approve", RejectURL: "/leave/" + id + "/reject", CSRF: v.CSRF, Name: "-leave"}
			if it.ID == refused {
				d.Error = msg
			}
			row.Decision = &d
		case head && it.Status == studentleave.Approved:
			row.ReturnURL = "/leave/" + id + "/return"
		case !head && s.leaves.Cancellable(it.Leave):
			row.CancelURL = "/leave/" + id + "/cancel"
		}
		v.Items = append(v.Items, row)
	}
	if head {
		shown := privacy.Shown{Kind: privacy.KindLeave, Ref: "leave", Label: "学生请假列表"}
		for _, it := range items {
			shown.Students = append(shown.Students, it.StudentID)
		}
		if err := s.shown(c, shown); err != nil {
			return err
		}
	}
	return render(c, status, slviews.ListPage(page(c, "学生请假"), v))
}

// leaveAction runs one decision on /leave/:id and goes back to the list.
func (s *Server) leaveAction(do func(c echo.Context, id uint64) error, done *flash) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		err = do(c, id)
		if ve, ok := apperr.AsValidation(err); ok && ve.Fields["reason"] != "" {
			return s.renderLeaveList(c, http.StatusUnprocessableEntity, id, ve.Message())
		}
		if err != nil {
			return err
		}
		s.setFlash(c, done)
		return redirect(c, "/leave#leave-"+strconv.FormatUint(id, 10))
	}
}

func (s *Server) approveLeave(c echo.Context, id uint64) error {
	return s.leaves.Approve(c.Request().Context(), userOf(c), id)
}

func (s *Server) rejectLeave(c echo.Context, id uint64) error {
	return s.leaves.Reject(c.Request().Context(), userOf(c), id, c.FormValue("reason"))
}

func (s *Server) cancelLeave(c echo.Context, id uint64) error {
	return s.leaves.Cancel(c.Request().Context(), userOf(c), id)
}

func (s *Server) returnLeave(c echo.Context, id uint64) error {
	return s.leaves.Return(c.Request().Context(), userOf(c), id)
}

// leaveDay is the ?date= of a page, or today at school.
func (s *Server) leaveDay(c echo.Context) calendar.Day {
	if d := dateParam(c, "date"); d != "" {
		return calendar.Day(d)
	}
	return s.leaves.TodayDay()
}

func (s *Server) classToday(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	d := s.leaveDay(c)
	t, err := s.leaves.Today(c.Request().Context(), userOf(c), id, d)
	if err != nil {
		return err
	}
	v := slviews.TodayView{Class: t.Class.Name(), Day: string(d), Away: strconv.Itoa(t.Away)}
	for _, p := range t.Students {
		row := slviews.Presence{No: p.StudentNo, Name: p.Name, Status: p.Status, StatusClass: "present"}
		if p.Leave != nil {
			row.StatusClass = "away"
			row.Detail = p.Halves
			if len(p.Symptoms) > 0 {
				row.Detail += " · " + strings.Join(p.Symptoms, "、")
			}
		}
		v.Students = append(v.Students, row)
	}
	shown := privacy.Shown{Kind: privacy.KindClassToday, Ref: "class:" + strconv.FormatUint(id, 10) + ":" + string(d), Label: t.Class.Name() + " " + string(d) + " 出勤"}
	for _, p := range t.Students {
		shown.Students = append(shown.Students, p.StudentID)
	}
	if err := s.shown(c, shown); err != nil {
		return err
	}
	return render(c, http.StatusOK, slviews.TodayPage(page(c, "今日出勤"), v))
}

func (s *Server) schoolLeaveDay(c echo.Context) error {
	d := s.leaveDay(c)
	day, err := s.leaves.Day(c.Request().Context(), userOf(c), d)
	if err != nil {
		return err
	}
	v := slviews.DayView{Day: string(d), Total: fmt.Sprintf("事假 %d 人，病假 %d 人", day.Personal, day.Sick), CSVURL: "/admin/student-leave.csv?date=" + string(d)}
	for _, cc := range day.Classes {
		v.Classes = append(v.Classes, slviews.Count{Label: cc.Class, Personal: strconv.Itoa(cc.Personal), Sick: strconv.Itoa(cc.Sick)})
	}
	for _, sc := range day.Symptoms {
		v.Symptoms = append(v.Symptoms, slviews.Count{Label: sc.Symptom, Sick: strconv.Itoa(sc.Count)})
	}
	for _, r := range day.Rows {
		v.Rows = append(v.Rows, slviews.DayRow{Class: r.Class, No: r.StudentNo, Name: r.StudentName, Kind: r.Kind, When: r.Start() + " 至 " + r.End(),
			Symptoms: strings.ReplaceAll(r.Symptoms, ",", "、"), Status: studentleave.StatusLabel(r.Status)})
	}
	if err := s.shown(c, dayShown(privacy.KindLeaveDay, d, day)); err != nil {
		return err
	}
	return render(c, http.StatusOK, slviews.DayPage(page(c, "全校学生请假"), v))
}

func (s *Server) schoolLeaveCSV(c echo.Context) error {
	d := s.leaveDay(c)
	day, err := s.leaves.Day(c.Request().Context(), userOf(c), d)
	if err != nil {
		return err
	}
	if err := s.shown(c, dayShown(privacy.KindLeaveDayCSV, d, day)); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", storage.Disposition("学生请假-"+string(d)+".csv"))
	c.Response().WriteHeader(http.StatusOK)
	return day.WriteCSV(c.Response())
}

// dayShown is what the school's day of student leave showed: the
// children named in its list.
func dayShown(kind privacy.Kind, d calendar.Day, day studentleave.DayView) privacy.Shown {
	shown := privacy.Shown{Kind: kind, Ref: "leave_day:" + string(d), Label: "全校学生请假 " + string(d)}
	for _, r := range day.Rows {
		shown.Students = append(shown.Students, r.StudentID)
	}
	return shown
}

// noteShown records a member of staff opening a doctor's note (a
// child's health record) in the access log its family reads.
func (s *Server) noteShown(c echo.Context, fileID uint64) error {
	if u := userOf(c); u == nil || !u.Role.Staff() {
		return nil
	}
	leaves, students, err := s.leaves.NoteOf(c.Request().Context(), fileID)
	if err != nil || len(leaves) == 0 {
		return err
	}
	return s.shown(c, privacy.Shown{Kind: privacy.KindLeaveNote, Ref: "leave:" + strconv.FormatUint(leaves[0], 10),
		Label: "请假的医生证明", Students: students})
}

// leaveMeLink is 我的's way to student leave: for parents, head teachers
// and admins; nil for a teacher who heads no class.
func (s *Server) leaveMeLink(ctx context.Context, u *auth.User) (*homeviews.MeLink, error) {
	if u.Role == auth.RoleParent {
		return &homeviews.MeLink{URL: "/leave", Label: "学生请假", Note: "为孩子请假、查看进度"}, nil
	}
	heads, err := s.leaves.HeadClasses(ctx, u)
	if err != nil || len(heads) == 0 {
		return nil, err
	}
	return &homeviews.MeLink{URL: "/leave", Label: "学生请假", Note: "审批本班请假、今日出勤"}, nil
}
