package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/erasure"
	adminviews "jiaxiao/views/admin"
	homeviews "jiaxiao/views/home"
)

// eraseSay says when a closed account's data goes.
func eraseSay(days int64) string {
	if days == 0 {
		return "资料随即删除。"
	}
	return "资料将在 " + strconv.FormatInt(days, 10) + " 天后删除。"
}

var (
	flashClosed = newFlash("accountClosed", 1, func(n []int64) string {
		return "您的账号已注销：所有设备已退出登录，并已退出所有群；" + eraseSay(n[0])
	})
	flashErased = newFlash("userErased", 1, func(n []int64) string {
		return "已注销该家长账号：对方已不能登录，并已退出所有群；" + eraseSay(n[0])
	})
)

// closeInfo is what 我的 and /me/delete say about closing u's account.
func (s *Server) closeInfo(c echo.Context, u *auth.User) (homeviews.CloseInfo, error) {
	rules, err := s.settings.Get(c.Request().Context())
	if err != nil {
		return homeviews.CloseInfo{}, err
	}
	days := rules.EraseAfterDays
	return homeviews.CloseInfo{Parent: u.Role == auth.RoleParent, Days: days,
		EraseDate: s.erasure.EraseAtIfClosedNow(days).In(s.loc).Format("1月2日")}, nil
}

// closeView is /me/delete for u, with the password's message, if any.
func (s *Server) closeView(c echo.Context, u *auth.User, msg string) (homeviews.ClosePageView, error) {
	info, err := s.closeInfo(c, u)
	return homeviews.ClosePageView{CloseInfo: info, Name: u.Name, Phone: u.Phone, Error: msg}, err
}

// closePage is /me/delete: what closing the account does, and the box
// for the password that confirms it (staff are told to ask the admin).
func (s *Server) closePage(c echo.Context) error {
	u, err := mustUser(c)
	if err != nil {
		return err
	}
	v, err := s.closeView(c, u, "")
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, homeviews.ClosePage(page(c, "注销账号"), v))
}

// closeAccount closes the parent's own account: logged out here (and
// everywhere), 303 to /login with a flash. A wrong or missing password
// answers 422 with the page and the message beside the box; too many
// wrong ones 429, staff 403, in place.
func (s *Server) closeAccount(c echo.Context) error {
	u, err := mustUser(c)
	if err != nil {
		return err
	}
	res, err := s.erasure.Close(c.Request().Context(), u, c.FormValue("password"), c.RealIP())
	if err != nil {
		status, _, msg := classify(err)
		if status >= 500 {
			return err
		}
		v, verr := s.closeView(c, u, msg)
		if verr != nil {
			return verr
		}
		return render(c, status, homeviews.ClosePage(page(c, "注销账号"), v))
	}
	s.setCookie(c, sessionCookie, "", -1)
	s.rotateCSRF(c)
	s.setFlash(c, flashClosed, int64(res.Days))
	return redirect(c, "/login")
}

// maxKeptReason bounds the reason a refused form shows back.
const maxKeptReason = 2 * erasure.MaxReason

// eraseUser closes a parent's account for an admin, with a reason that
// goes into the audit log: back to the users list with a flash, or,
// refused (no reason, a staff account), the list again (422) with the
// message and the typed reason on the account's card.
func (s *Server) eraseUser(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	filter := userFilter(c.FormValue("filter"))
	res, err := s.erasure.AdminErase(c.Request().Context(), userOf(c), id, reason)
	if err == nil {
		s.setFlash(c, flashErased, int64(res.Days))
		return redirect(c, usersURL(filter))
	}
	ve, ok := apperr.AsValidation(err)
	if !ok {
		return err
	}
	v, err := s.usersView(c, filter, map[uint64]string{id: ve.Message()})
	if err != nil {
		return err
	}
	if r := []rune(reason); len(r) > maxKeptReason {
		reason = string(r[:maxKeptReason])
	}
	for i := range v.Users {
		if v.Users[i].ID == strconv.FormatUint(id, 10) {
			v.Users[i].EraseReason = reason
		}
	}
	return render(c, http.StatusUnprocessableEntity, adminviews.UsersPage(page(c, "用户"), v))
}
