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
	"jiaxiao/app/auth"
	"jiaxiao/app/notice"
	"jiaxiao/app/privacy"
	homeviews "jiaxiao/views/home"
	privacyviews "jiaxiao/views/privacy"
)

// This file is the privacy notice (/privacy, /admin/privacy), the
// consent asked after it changes (/privacy/consent), a family's access
// log (/me/access), and shown: how the pages that show other people's
// personal data record it.

// shown records that the current user was just shown sh, before the page
// or file goes out: data that cannot be logged is not shown.
func (s *Server) shown(c echo.Context, sh privacy.Shown) error {
	if s.privacy == nil {
		return nil
	}
	return s.privacy.Viewed(c.Request().Context(), userOf(c), sh)
}

// receiptsShown is what a notice's receipts showed: the people whose
// full numbers the viewer saw.
func receiptsShown(kind privacy.Kind, n notice.Notice, lines []notice.Line) privacy.Shown {
	sh := privacy.Shown{Kind: kind, Ref: "notice:" + strconv.FormatUint(n.ID, 10), Label: "通知“" + n.Title + "”"}
	for _, l := range lines {
		if l.FullPhone {
			sh.Users = append(sh.Users, l.UserID)
		}
	}
	return sh
}

// noticeView is a version of the notice as pages show it, with the
// retention periods the settings give now.
func (s *Server) noticeView(ctx context.Context, n privacy.Notice) (privacyviews.Notice, error) {
	periods, err := s.privacy.Retention(ctx)
	if err != nil {
		return privacyviews.Notice{}, err
	}
	v := privacyviews.Notice{Version: n.Version, Date: n.CreatedAt.In(s.loc).Format("2006年1月2日"), Policy: privacyviews.Paras(n.Policy),
		Children: privacyviews.Paras(n.Children), Officer: n.Officer, Contact: n.Contact, URL: privacyURL(n.Version)}
	for _, p := range periods {
		days := strconv.Itoa(p.Days) + " 天"
		if strings.HasPrefix(p.What, "注销") {
			days = "冷静期 " + days
			if p.Days == 0 {
				days = "无冷静期，立即删除"
			}
		}
		v.Retention = append(v.Retention, privacyviews.Period{What: p.What, Days: days})
	}
	return v, nil
}

func privacyURL(version int) string { return "/privacy?v=" + strconv.Itoa(version) }

// consentBox is the registration form's notice and box.
func (s *Server) consentBox(ctx context.Context, checked bool, msg string) (privacyviews.ConsentBox, error) {
	n, err := s.privacy.Current(ctx)
	if err != nil {
		return privacyviews.ConsentBox{}, err
	}
	v, err := s.noticeView(ctx, n)
	return privacyviews.ConsentBox{Notice: v, Checked: checked, Error: msg}, err
}

// privacyPage is the notice in force, or an older version (v), for anyone.
func (s *Server) privacyPage(c echo.Context) error {
	ctx := c.Request().Context()
	cur, err := s.privacy.Current(ctx)
	if err != nil {
		return err
	}
	n := cur
	if raw := c.QueryParam("v"); raw != "" {
		v, err := strconv.Atoi(raw)
		if err != nil || v < 1 || v > cur.Version {
			return apperr.New(apperr.ErrNotFound, "没有这一版隐私政策")
		}
		if n, err = s.privacy.Version(ctx, v); err != nil {
			return err
		}
	}
	v, err := s.noticeView(ctx, n)
	if err != nil {
		return err
	}
	p := page(c, "隐私政策")
	return render(c, http.StatusOK, privacyviews.NoticeView(p, privacyviews.NoticePage{Notice: v, Current: n.Version == cur.Version, Newest: "/privacy"}))
}

// consentPage asks the parent to agree to the notice in force (the gate
// sends them here after a change), or says when they did.
func (s *Server) consentPage(c echo.Context) error {
	return s.renderConsent(c, http.StatusOK, "")
}

func (s *Server) renderConsent(c echo.Context, status int, msg string) error {
	ctx, u := c.Request().Context(), userOf(c)
	n, err := s.privacy.Current(ctx)
	if err != nil {
		return err
	}
	nv, err := s.noticeView(ctx, n)
	if err != nil {
		return err
	}
	v := privacyviews.ConsentView{CSRF: csrfOf(c), Notice: nv, Next: safeNext(c.FormValue("next")), Error: msg}
	latest, err := s.privacy.Latest(ctx, u.ID)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
	case err != nil:
		return err
	case latest.Version == n.Version:
		v.Agreed = latest.AgreedAt.In(s.loc).Format("2006年1月2日 15:04")
	default:
		v.Previous = latest.Version
	}
	return render(c, status, privacyviews.ConsentPage(page(c, "隐私政策"), v))
}

var flashAgreed = sayFlash("privacy-agreed", "已同意新的隐私政策，谢谢。")

// agree records the parent's agreement to the version they read and goes
// on to where they were headed; a version replaced meanwhile is shown
// again (409) to be read first.
func (s *Server) agree(c echo.Context) error {
	version, _ := strconv.Atoi(c.FormValue("version"))
	err := s.privacy.AgreeCurrent(c.Request().Context(), userOf(c), version)
	if errors.Is(err, privacy.ErrStale) {
		return s.renderConsent(c, http.StatusConflict, apperr.UserMessage(err))
	}
	if err != nil {
		return err
	}
	s.setFlash(c, flashAgreed)
	return redirect(c, safeNext(c.FormValue("next")))
}

var flashRefused = sayFlash("privacy-refused", "您没有同意新的隐私政策，已退出登录。同意后才能继续使用；如有疑问，请联系学校的个人信息保护负责人。")

// refuse is 不同意并退出: the session ends; the account stays, and the
// next login asks again.
func (s *Server) refuse(c echo.Context) error {
	token, _ := c.Get(ctxToken).(string)
	if err := s.auth.Logout(c.Request().Context(), token); err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, "", -1)
	s.rotateCSRF(c)
	s.setFlash(c, flashRefused)
	return redirect(c, "/login")
}

// consentFree are the paths a parent who must agree may still reach: the
// notice and the choice itself, logging out, the live stream (which
// carries nothing to read), static files, and taking their data away or
// closing their account, which nobody has to agree to anything for.
func consentFree(path string) bool {
	switch path {
	case "/privacy", "/privacy/consent", "/privacy/refuse", "/logout", "/login", "/events", "/me/export", "/me/delete",
		"/favicon.ico", "/healthz", "/readyz":
		return true
	}
	return strings.HasPrefix(path, "/static/")
}

// consentGate sends a parent who has not agreed to the notice in force to
// the page that asks, before any other page; where they were headed is
// kept for after. It costs no statement once this instance knows the
// notice and the parent's agreement.
func (s *Server) consentGate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := userOf(c)
		if u == nil || u.Role != auth.RoleParent || s.privacy == nil || consentFree(c.Request().URL.Path) {
			return next(c)
		}
		need, err := s.privacy.NeedsConsent(c.Request().Context(), u)
		if err != nil {
			return err
		}
		if !need {
			return next(c)
		}
		return redirect(c, consentURL(c))
	}
}

// consentURL is the consent page, coming back afterwards to the page
// asked for (pages only: a form's post is not repeated).
func consentURL(c echo.Context) string {
	r := c.Request()
	if r.Method != http.MethodGet || isHTMX(c) || r.URL.RequestURI() == "/" {
		return "/privacy/consent"
	}
	return "/privacy/consent?next=" + url.QueryEscape(r.URL.RequestURI())
}

// adminPrivacyPage is the notice's edit form, filled with the version in
// force, and its history.
func (s *Server) adminPrivacyPage(c echo.Context) error {
	n, err := s.privacy.Current(c.Request().Context())
	if err != nil {
		return err
	}
	f := privacyviews.AdminForm{Policy: n.Policy, Children: n.Children, Officer: n.Officer, Contact: n.Contact, AsksAgain: true}
	return s.renderAdminPrivacy(c, http.StatusOK, f)
}

func (s *Server) renderAdminPrivacy(c echo.Context, status int, f privacyviews.AdminForm) error {
	ctx := c.Request().Context()
	hist, err := s.privacy.History(ctx, userOf(c))
	if err != nil {
		return err
	}
	v := privacyviews.AdminView{CSRF: csrfOf(c), Form: f}
	for i, h := range hist {
		author := h.Author
		if h.AuthorID == nil {
			author = "系统默认文本"
		}
		v.History = append(v.History, privacyviews.Version{Version: h.Version, URL: privacyURL(h.Version), Author: author,
			When: h.CreatedAt.In(s.loc).Format("2006-01-02 15:04"), AsksAgain: h.AsksAgain, Agreed: h.Agreed, Current: i == 0})
		if i == 0 {
			v.Current = h.Version
		}
	}
	if len(f.Errors) > 0 {
		v.Error = "有内容填写有误，未保存。请按提示修改后再保存。"
		if msg := f.Errors[""]; msg != "" {
			v.Error = msg
		}
	}
	return render(c, status, privacyviews.AdminPage(page(c, "隐私政策"), v))
}

var flashPrivacySaved = newFlash("privacy-saved", 1, func(n []int64) string {
	return "已保存为第 " + strconv.FormatInt(n[0], 10) + " 版，家长从现在起看到的是新版本。"
})

// savePrivacy stores the form as the next version; a refused form comes
// back (422) with everything typed and the messages beside the fields.
func (s *Server) savePrivacy(c echo.Context) error {
	f := privacyviews.AdminForm{Policy: c.FormValue("policy"), Children: c.FormValue("children"), Officer: c.FormValue("officer"),
		Contact: c.FormValue("contact"), AsksAgain: c.FormValue("asks_again") == "1", Errors: map[string]string{}}
	n, err := s.privacy.Publish(c.Request().Context(), userOf(c), privacy.NoticeInput{Policy: f.Policy, Children: f.Children,
		Officer: f.Officer, Contact: f.Contact, AsksAgain: f.AsksAgain})
	if ve, ok := apperr.AsValidation(err); ok {
		for k, m := range ve.Fields {
			f.Errors[k] = m
		}
		return s.renderAdminPrivacy(c, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	s.setFlash(c, flashPrivacySaved, int64(n.Version))
	return redirect(c, "/admin/privacy")
}

// accessPerPage is a page of the access log.
const accessPerPage = 30

// meAccess is 谁查看了我的信息: who at the school was shown the user's or
// their children's data, and when, newest first.
func (s *Server) meAccess(c echo.Context) error {
	u, err := mustUser(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	q := privacy.AccessQuery{Page: pageParam(c.QueryParam("page")), PerPage: accessPerPage}
	kids := map[uint64]string{}
	if u.Role == auth.RoleParent {
		children, err := s.school.Children(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, k := range children {
			q.Students = append(q.Students, k.StudentID)
			kids[k.StudentID] = k.Name
		}
	}
	lines, more, err := s.privacy.Access(ctx, u, q)
	if err != nil {
		return err
	}
	v := privacyviews.AccessView{Page: q.Page}
	for _, l := range lines {
		about := "您本人的信息"
		if l.StudentID != 0 {
			about = "孩子 " + kids[l.StudentID] + " 的信息"
			if kids[l.StudentID] == "" {
				about = "孩子的信息"
			}
		}
		if l.Label != "" {
			about = l.Label + " · " + about
		}
		v.Lines = append(v.Lines, privacyviews.AccessLine{Who: l.Actor, Role: l.ActorRole.Label(), What: l.Kind.Words(), About: about,
			When: l.At.In(s.loc).Format("2006-01-02 15:04"), Count: l.Count})
	}
	if q.Page > 1 {
		v.Prev = "/me/access?page=" + strconv.Itoa(q.Page-1)
	}
	if more {
		v.Next = "/me/access?page=" + strconv.Itoa(q.Page+1)
	}
	return render(c, http.StatusOK, privacyviews.AccessPage(page(c, "谁查看了我的信息"), v))
}

// meConsent is 我的's privacy section: what the user agreed to, and when.
func (s *Server) meConsent(ctx context.Context, u *auth.User) (homeviews.MeConsent, error) {
	cur, err := s.privacy.Current(ctx)
	if err != nil {
		return homeviews.MeConsent{}, err
	}
	v := homeviews.MeConsent{Current: cur.Version, CurrentURL: "/privacy", Staff: u.Role.Staff()}
	latest, err := s.privacy.Latest(ctx, u.ID)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
	case err != nil:
		return v, err
	default:
		v.Version, v.When, v.URL = latest.Version, latest.AgreedAt.In(s.loc).Format("2006年1月2日 15:04"), privacyURL(latest.Version)
	}
	if u.Role == auth.RoleParent && v.Version != cur.Version {
		v.Ask = "/privacy/consent?next=%2Fme"
	}
	return v, nil
}
