package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	homeviews "jiaxiao/views/home"
)

func (s *Server) home(c echo.Context) error {
	u, err := mustUser(c)
	if err != nil {
		return err
	}
	v := homeviews.View{Name: u.Name, RoleLabel: u.Role.Label(), Phone: u.Phone, Staff: u.Role.Staff()}
	mine, err := s.groups.Mine(c.Request().Context(), u)
	if err != nil {
		return err
	}
	v.Groups = cards(mine)
	return render(c, http.StatusOK, homeviews.Page(page(c, "首页"), v))
}
