package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
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
	_, newToken, err := s.auth.Login(c.Request().Context(), auth.LoginInput{
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
	return render(c, http.StatusOK, authviews.RegisterPage(p, f))
}

func registerForm(c echo.Context) authviews.RegisterForm {
	return authviews.RegisterForm{Phone: c.FormValue("phone"), Name: c.FormValue("name"), Code: c.FormValue("code"), Errors: map[string]string{}}
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
	return redirect(c, "/register?"+q.Encode())
}

func (s *Server) register(c echo.Context) error {
	form := registerForm(c)
	_, token, err := s.auth.Register(c.Request().Context(), auth.RegisterInput{
		Phone: form.Phone, Name: form.Name, Password: c.FormValue("password"), Code: form.Code,
		IP: c.RealIP(), UserAgent: c.Request().UserAgent(),
	})
	if err != nil {
		return s.registerFailed(c, form, err)
	}
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
