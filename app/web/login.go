package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/privacy"
	authviews "jiaxiao/views/auth"
)

func (s *Server) loginPage(c echo.Context) error {
	if userOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	p := page(c, "登录")
	p.Narrow = true
	return render(c, http.StatusOK, authviews.LoginPage(p, authviews.LoginForm{Next: c.QueryParam("next")}))
}

// login answers 303 on success, and on failure re-renders the form with the
// phone kept: 401 for wrong credentials, 429 when throttled, 403 for an
// account that may not log in.
func (s *Server) login(c echo.Context) error {
	form := authviews.LoginForm{Phone: c.FormValue("phone"), Next: c.FormValue("next")}
	token, _ := c.Get(ctxToken).(string)
	u, newToken, err := s.auth.Login(c.Request().Context(), auth.LoginInput{
		Phone: form.Phone, Password: c.FormValue("password"), IP: c.RealIP(),
		UserAgent: c.Request().UserAgent(), OldToken: token,
	})
	if err != nil {
		status, _, msg := classify(err)
		if status >= 500 {
			return err
		}
		form.Error = msg
		p := page(c, "登录")
		p.Narrow = true
		return render(c, status, authviews.LoginPage(p, form))
	}
	s.setCookie(c, sessionCookie, newToken, int(auth.SessionLifetime.Seconds()))
	s.rotateCSRF(c)
	// A parent who has not agreed to the notice in force is asked first.
	if s.privacy != nil {
		need, err := s.privacy.NeedsConsent(c.Request().Context(), &u)
		if err != nil {
			return err
		}
		if need {
			to := "/privacy/consent"
			if next := safeNext(form.Next); next != "/" {
				to += "?next=" + url.QueryEscape(next)
			}
			return redirect(c, to)
		}
	}
	return redirect(c, safeNext(form.Next))
}

func (s *Server) logout(c echo.Context) error {
	token, _ := c.Get(ctxToken).(string)
	if err := s.auth.Logout(c.Request().Context(), token); err != nil {
		return err
	}
	s.setCookie(c, sessionCookie, "", -1)
	s.rotateCSRF(c)
	return redirect(c, "/login")
}

func (s *Server) registerPage(c echo.Context) error {
	if userOf(c) != nil {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	p := page(c, "家长注册")
	p.Narrow = true
	f := authviews.RegisterForm{Phone: c.QueryParam("phone"), Name: c.QueryParam("name")}
	if c.QueryParam("sent") == "1" && f.Phone != "" {
		f.Notice = "验证码已发送到 " + f.Phone + "，10 分钟内有效。"
	}
	var err error
	if f.Consent, err = s.consentBox(c.Request().Context(), c.QueryParam("consent") == "1", ""); err != nil {
		return err
	}
	return render(c, http.StatusOK, authviews.RegisterPage(p, f))
}

func registerForm(c echo.Context) authviews.RegisterForm {
	f := authviews.RegisterForm{Phone: c.FormValue("phone"), Name: c.FormValue("name"), Code: c.FormValue("code"), Errors: map[string]string{}}
	f.Consent.Checked = c.FormValue("consent") == "1"
	return f
}

// registerFailed re-renders the registration form with its input and the
// reason, or hands server faults to the error handler.
func (s *Server) registerFailed(c echo.Context, form authviews.RegisterForm, err error) error {
	status := http.StatusUnprocessableEntity
	if v, ok := apperr.AsValidation(err); ok {
		form.Errors = v.Fields
	} else {
		var msg string
		status, _, msg = classify(err)
		if status >= 500 && !errors.Is(err, apperr.ErrUnavailable) {
			return err
		}
		form.Errors[""] = msg
	}
	box, err := s.consentBox(c.Request().Context(), form.Consent.Checked, form.Errors["consent"])
	if err != nil {
		return err
	}
	form.Consent = box
	p := page(c, "家长注册")
	p.Narrow = true
	return render(c, status, authviews.RegisterPage(p, form))
}

// registerCode sends the SMS code and goes back to the form (303), which
// keeps the phone and name and says the code was sent.
func (s *Server) registerCode(c echo.Context) error {
	form := registerForm(c)
	if err := s.auth.SendRegisterCode(c.Request().Context(), form.Phone, c.RealIP()); err != nil {
		return s.registerFailed(c, form, err)
	}
	q := url.Values{"phone": {strings.TrimSpace(form.Phone)}, "name": {form.Name}, "sent": {"1"}}
	if form.Consent.Checked {
		q.Set("consent", "1")
	}
	return redirect(c, "/register?"+q.Encode())
}

// register creates the parent's account; without the box ticked (consent
// to the privacy notice) it is refused (422) with everything typed kept,
// the message beside the box. The version agreed to is the one the form
// showed.
func (s *Server) register(c echo.Context) error {
	form := registerForm(c)
	ctx := c.Request().Context()
	in := auth.RegisterInput{Phone: form.Phone, Name: form.Name, Password: c.FormValue("password"), Code: form.Code,
		IP: c.RealIP(), UserAgent: c.Request().UserAgent()}
	if form.Consent.Checked {
		cur, err := s.privacy.Current(ctx)
		if err != nil {
			return err
		}
		version := privacy.ShownVersion(cur, c.FormValue("consent_version"))
		in.Consent = func(ctx context.Context, tx *gorm.DB, userID uint64) error {
			return s.privacy.Agree(ctx, tx, userID, version)
		}
	}
	u, token, err := s.auth.Register(ctx, in)
	if err != nil {
		return s.registerFailed(c, form, err)
	}
	s.privacy.ForgetUser(u.ID)
	s.setCookie(c, sessionCookie, token, int(auth.SessionLifetime.Seconds()))
	s.rotateCSRF(c)
	return redirect(c, "/")
}

func (s *Server) activatePage(c echo.Context) error {
	p := page(c, "激活账号")
	p.Narrow = true
	return render(c, http.StatusOK, authviews.ActivatePage(p, authviews.ActivateForm{Phone: c.QueryParam("phone"), Errors: map[string]string{}}))
}

// activate sets the password of a roster-imported account and logs it in;
// a wrong code re-renders the form with the phone and code kept (422).
func (s *Server) activate(c echo.Context) error {
	form := authviews.ActivateForm{Phone: c.FormValue("phone"), Code: c.FormValue("code"), Errors: map[string]string{}}
	_, token, err := s.auth.Activate(c.Request().Context(), auth.ActivateInput{
		Phone: form.Phone, Code: form.Code, Password: c.FormValue("password"), IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
	})
	if err != nil {
		status, msg := formError(err, form.Errors)
		if status >= 500 {
			return err
		}
		if msg != "" {
			form.Errors[""] = msg
		}
		p := page(c, "激活账号")
		p.Narrow = true
		return render(c, status, authviews.ActivatePage(p, form))
	}
	s.setCookie(c, sessionCookie, token, int(auth.SessionLifetime.Seconds()))
	s.rotateCSRF(c)
	return redirect(c, "/")
}
