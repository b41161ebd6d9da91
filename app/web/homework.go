package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/file"
	"jiaxiao/app/homework"
	"jiaxiao/app/privacy"
	"jiaxiao/storage"
	"jiaxiao/views/component"
	hwviews "jiaxiao/views/homework"
)

var (
	flashHomeworkSet      = sayFlash("homework-set", "作业已布置，已通知班级家长。")
	flashHomeworkHandedIn = sayFlash("homework-handed-in", "作业已提交，老师批改前可以重新提交。")
	flashHomeworkLate     = sayFlash("homework-late", "作业已提交（已过截止时间，记为迟交）。")
	flashHomeworkMarked   = sayFlash("homework-marked", "批改已保存，已通知家长。")
	flashHomeworkReturned = sayFlash("homework-returned", "已打回，已通知家长修改后重交。")
)

func homeworkURL(id uint64, parts ...string) string {
	return homework.Link(id) + strings.Join(parts, "")
}

func (s *Server) homeworkList(c echo.Context) error {
	ctx, u := c.Request().Context(), userOf(c)
	v := hwviews.ListView{CanSet: homework.CanCreate(u) == nil}
	if v.CanSet {
		set, err := s.homework.Set(ctx, u)
		if err != nil {
			return err
		}
		for _, a := range set {
			v.Set = append(v.Set, hwviews.SetRow{URL: homeworkURL(a.ID), Title: a.Title, Subject: a.Subject, Classes: strings.Join(a.Classes, "、"),
				Due: a.DueAt.In(s.loc).Format("01-02 15:04"), Progress: fmt.Sprintf("已交 %d/%d", a.Submitted, a.Total)})
		}
	} else {
		items, err := s.homework.ForFamily(ctx, u)
		if err != nil {
			return err
		}
		for _, it := range items {
			v.Family = append(v.Family, hwviews.FamilyRow{URL: homeworkURL(it.ID), Title: it.Title, Subject: it.Subject, Child: it.Child.Name,
				Due: it.DueAt.In(s.loc).Format("01-02 15:04"), Status: it.Status(), Pending: it.Pending()})
		}
	}
	return render(c, http.StatusOK, hwviews.ListPage(page(c, "家校本"), v))
}

func (s *Server) homeworkForm(c echo.Context, typed url.Values) (hwviews.Form, error) {
	classes, err := s.homework.Classes(c.Request().Context(), userOf(c))
	if err != nil {
		return hwviews.Form{}, err
	}
	f := hwviews.Form{CSRF: csrfOf(c), Errors: map[string]string{}, Title: typed.Get("title"), Subject: typed.Get("subject"),
		Body: typed.Get("body"), Due: typed.Get("due_at"), Requires: typed == nil || typed.Get("requires_submission") == "1"}
	for _, cl := range classes {
		id := strconv.FormatUint(cl.ID, 10)
		f.Classes = append(f.Classes, component.Option{Value: id, Label: cl.Name(), Selected: slices.Contains(typed["class_id"], id) || len(classes) == 1})
	}
	return f, nil
}

func (s *Server) homeworkNew(c echo.Context) error {
	f, err := s.homeworkForm(c, nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, hwviews.NewPage(page(c, "布置作业"), f))
}

// uploads reads the form's files, at most homework.MaxFiles of them.
func uploads(c echo.Context, field string) ([]file.Prepared, error) {
	form, err := c.MultipartForm()
	if err != nil || form == nil {
		return nil, nil
	}
	fhs := form.File["file"]
	if len(fhs) > homework.MaxFiles {
		return nil, apperr.Invalid(field, fmt.Sprintf("最多上传 %d 个文件", homework.MaxFiles))
	}
	var out []file.Prepared
	for _, fh := range fhs {
		p, err := readUpload(fh)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// homeworkCreate sets homework: 303 to it; a bad form 422 with everything
// typed kept.
func (s *Server) homeworkCreate(c echo.Context) error {
	if err := homework.CanCreate(userOf(c)); err != nil {
		return err
	}
	files, ferr := uploads(c, "file")
	if ferr == nil {
		ferr = c.Request().ParseForm()
	}
	values := c.Request().Form
	fail := func(cause error) error {
		f, err := s.homeworkForm(c, values)
		if err != nil {
			return err
		}
		status, msg := formError(cause, f.Errors)
		if status >= 500 && status != http.StatusServiceUnavailable {
			return cause
		}
		f.Errors[""] = msg
		return render(c, status, hwviews.NewPage(page(c, "布置作业"), f))
	}
	if ferr != nil {
		return fail(ferr)
	}
	in := homework.CreateInput{Title: values.Get("title"), Subject: values.Get("subject"), Body: values.Get("body"), Due: values.Get("due_at"),
		RequiresSubmission: values.Get("requires_submission") == "1", Files: files}
	if len(values["class_id"]) > homework.MaxClasses {
		return fail(apperr.Invalid("class_id", fmt.Sprintf("一项作业最多布置给 %d 个班级", homework.MaxClasses)))
	}
	for _, raw := range values["class_id"] {
		id, ok := parseID(raw)
		if !ok {
			return fail(apperr.Invalid("class_id", "只能布置给您任教的班级"))
		}
		in.ClassIDs = append(in.ClassIDs, id)
	}
	a, err := s.homework.Create(c.Request().Context(), userOf(c), in)
	if err != nil {
		return fail(err)
	}
	s.setFlash(c, flashHomeworkSet)
	return redirect(c, homeworkURL(a.ID))
}

// pageFiles reads the files of every part of a page in one statement and
// returns how each part shows its own: names, types and links.
func (s *Server) pageFiles(c echo.Context, parts ...[]uint64) (func(ids []uint64) []hwviews.File, error) {
	var all []uint64
	for _, p := range parts {
		all = append(all, p...)
	}
	fs, err := file.ByIDs(c.Request().Context(), s.db, all)
	if err != nil {
		return nil, err
	}
	byID := make(map[uint64]file.File, len(fs))
	for _, f := range fs {
		byID[f.ID] = f
	}
	return func(ids []uint64) []hwviews.File {
		var out []hwviews.File
		for _, id := range ids {
			if f, ok := byID[id]; ok {
				out = append(out, hwviews.File{Name: f.Name, URL: "/files/" + strconv.FormatUint(f.ID, 10), Image: f.IsImage()})
			}
		}
		return out
	}, nil
}

func (s *Server) homeworkView(c echo.Context, id uint64) (hwviews.ShowView, error) {
	v, err := s.homework.Get(c.Request().Context(), userOf(c), id)
	if err != nil {
		return hwviews.ShowView{}, err
	}
	out := hwviews.ShowView{CSRF: csrfOf(c), Title: v.Title, Subject: v.Subject, Body: v.Body, Due: v.DueAt.In(s.loc).Format(homework.DueLayout),
		Requires: v.RequiresSubmission, SubmitURL: homeworkURL(id, "/submissions"), Errors: map[string]string{}}
	var names []string
	for _, cl := range v.Classes {
		names = append(names, cl.Name())
	}
	out.Classes = strings.Join(names, "、")
	if v.Teaches {
		out.SheetURL = homeworkURL(id, "/submissions")
	}
	parts := [][]uint64{v.FileIDs}
	for _, ch := range v.Children {
		parts = append(parts, ch.FileIDs)
	}
	for _, w := range v.Featured {
		parts = append(parts, w.FileIDs)
	}
	shown, err := s.pageFiles(c, parts...)
	if err != nil {
		return out, err
	}
	out.Files = shown(v.FileIDs)
	for _, ch := range v.Children {
		b := hwviews.ChildBlock{StudentID: strconv.FormatUint(ch.Child.StudentID, 10), Name: ch.Child.Name, CanSubmit: true, Status: "待提交"}
		if !v.RequiresSubmission {
			b.Status = "无需提交"
		}
		if sub := ch.Submission; sub != nil {
			b.Status, b.Body, b.Grade, b.Comment = sub.Shown(), sub.Body, sub.Grade, sub.Comment
			b.When = sub.SubmittedAt.In(s.loc).Format("01-02 15:04")
			b.CanSubmit = sub.Status != homework.Reviewed
			b.Files = shown(ch.FileIDs)
		}
		out.Children = append(out.Children, b)
	}
	for _, w := range v.Featured {
		fw := hwviews.Work{Name: w.Student.Name, Class: w.Class, Body: w.Submission.Body, Grade: w.Submission.Grade, Comment: w.Submission.Comment}
		fw.Files = shown(w.FileIDs)
		out.Featured = append(out.Featured, fw)
	}
	return out, nil
}

func (s *Server) homeworkShow(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, err := s.homeworkView(c, id)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, hwviews.ShowPage(page(c, v.Title), v))
}

// homeworkSubmit hands in a child's work: 303 back to the assignment; a
// refused hand-in 422 on the same page with the text kept.
func (s *Server) homeworkSubmit(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	files, ferr := uploads(c, "file")
	if ferr == nil {
		ferr = c.Request().ParseForm()
	}
	values := c.Request().Form
	fail := func(cause error) error {
		v, err := s.homeworkView(c, id)
		if err != nil {
			return err
		}
		status, msg := formError(cause, v.Errors)
		if status >= 500 && status != http.StatusServiceUnavailable {
			return cause
		}
		if status == http.StatusForbidden || status == http.StatusNotFound {
			return cause
		}
		v.Errors[""], v.Typed, v.TypedStudent = msg, values.Get("body"), values.Get("student_id")
		return render(c, status, hwviews.ShowPage(page(c, v.Title), v))
	}
	if ferr != nil {
		return fail(ferr)
	}
	studentID, _ := parseID(values.Get("student_id"))
	sub, err := s.homework.Submit(c.Request().Context(), userOf(c), id, homework.SubmitInput{StudentID: studentID, Body: values.Get("body"), Files: files})
	if err != nil {
		return fail(err)
	}
	if sub.Late {
		s.setFlash(c, flashHomeworkLate)
	} else {
		s.setFlash(c, flashHomeworkHandedIn)
	}
	return redirect(c, homeworkURL(id))
}

func (s *Server) sheetView(c echo.Context, id uint64) (hwviews.SheetView, homework.Sheet, error) {
	sh, err := s.homework.Submissions(c.Request().Context(), userOf(c), id)
	if err != nil {
		return hwviews.SheetView{}, sh, err
	}
	v := hwviews.SheetView{CSRF: csrfOf(c), Title: sh.Title, BackURL: homeworkURL(id), CSVURL: homeworkURL(id, "/submissions.csv"), Grades: homework.Grades}
	counts := sh.Counts()
	var parts []string
	for _, st := range []string{homework.StatusDone, homework.StatusLate, homework.StatusReviewed, homework.StatusReturned, homework.StatusMissing} {
		parts = append(parts, fmt.Sprintf("%s %d", st, counts[st]))
	}
	v.Counts = strings.Join(parts, " · ")
	var handedIn [][]uint64
	for _, l := range sh.Lines {
		if l.Submission != nil {
			handedIn = append(handedIn, l.FileIDs)
		}
	}
	shown, err := s.pageFiles(c, handedIn...)
	if err != nil {
		return v, sh, err
	}
	for _, l := range sh.Lines {
		line := hwviews.Line{No: l.Student.StudentNo, Name: l.Student.Name, Class: l.Class, Status: l.Status()}
		if sub := l.Submission; sub != nil {
			line.When, line.Body, line.Grade, line.Comment, line.Featured = sub.SubmittedAt.In(s.loc).Format("01-02 15:04"), sub.Body, sub.Grade, sub.Comment, sub.Featured
			line.ReviewURL = homeworkURL(id, "/submissions/", strconv.FormatUint(sub.ID, 10), "/review")
			line.Files = shown(l.FileIDs)
		}
		v.Lines = append(v.Lines, line)
	}
	return v, sh, nil
}

// sheetShown is what a submissions sheet shows: a class's students.
func sheetShown(id uint64, sh homework.Sheet) privacy.Shown {
	shown := privacy.Shown{Kind: privacy.KindClass, Ref: "homework:" + strconv.FormatUint(id, 10), Label: "作业“" + sh.Title + "”的提交情况"}
	for _, l := range sh.Lines {
		shown.Students = append(shown.Students, l.Student.ID)
	}
	return shown
}

func (s *Server) homeworkSheet(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	v, sh, err := s.sheetView(c, id)
	if err != nil {
		return err
	}
	if err := s.shown(c, sheetShown(id, sh)); err != nil {
		return err
	}
	return render(c, http.StatusOK, hwviews.SheetPage(page(c, "提交情况"), v))
}

func (s *Server) homeworkCSV(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	sh, err := s.homework.Submissions(c.Request().Context(), userOf(c), id)
	if err != nil {
		return err
	}
	if err := s.shown(c, sheetShown(id, sh)); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set("Content-Disposition", storage.Disposition("作业提交-"+sh.Title+".csv"))
	c.Response().WriteHeader(http.StatusOK)
	return homework.WriteCSV(c.Response(), sh, s.loc)
}

// homeworkReview marks a submission: 303 back to the sheet; a refused mark
// 422 on the sheet with the message beside that student.
func (s *Server) homeworkReview(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	sid, err := idParam(c, "sid")
	if err != nil {
		return err
	}
	in := homework.ReviewInput{Grade: c.FormValue("grade"), Comment: c.FormValue("comment"), Redo: c.FormValue("redo") == "1", Featured: c.FormValue("featured") == "1"}
	sub, err := s.homework.Review(c.Request().Context(), userOf(c), id, sid, in)
	if err != nil {
		ve, ok := apperr.AsValidation(err)
		if !ok {
			return err
		}
		v, _, verr := s.sheetView(c, id)
		if verr != nil {
			return verr
		}
		reviewURL := homeworkURL(id, "/submissions/", strconv.FormatUint(sid, 10), "/review")
		for i := range v.Lines {
			if v.Lines[i].ReviewURL == reviewURL {
				v.Lines[i].Error, v.Lines[i].Grade, v.Lines[i].Comment = ve.Message(), in.Grade, in.Comment
			}
		}
		return render(c, http.StatusUnprocessableEntity, hwviews.SheetPage(page(c, "提交情况"), v))
	}
	if sub.Redo {
		s.setFlash(c, flashHomeworkReturned)
	} else {
		s.setFlash(c, flashHomeworkMarked)
	}
	return redirect(c, homeworkURL(id, "/submissions"))
}
