package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/app/setting"
	adminviews "jiaxiao/views/admin"
)

var flashSettingsSaved = sayFlash("settingsSaved", "学校设置已保存，新规则立即生效。")

// settingsView is the settings page, grouped, with values typed into a
// refused form (values) and their messages (errs).
func (s *Server) settingsView(c echo.Context, values map[string]string, errs map[string]string) (adminviews.SettingsView, error) {
	cur, err := s.settings.Get(c.Request().Context())
	if err != nil {
		return adminviews.SettingsView{}, err
	}
	v := adminviews.SettingsView{CSRF: csrfOf(c), Errors: len(errs)}
	byGroup := map[string]*adminviews.SettingGroup{}
	for _, g := range setting.Groups {
		v.Groups = append(v.Groups, adminviews.SettingGroup{Key: g.Key, Title: g.Title, Help: g.Help})
	}
	for i := range v.Groups {
		byGroup[v.Groups[i].Key] = &v.Groups[i]
	}
	for _, f := range cur.Form() {
		sf := adminviews.SettingField{Name: f.Name, Label: f.Label, Value: f.Value, Unit: f.Unit, Help: f.Help, Default: f.Default,
			Unset: f.Unset, Error: errs[f.Name], Type: "text"}
		switch f.Kind {
		case "int":
			sf.InputMode = "numeric"
		case "float":
			sf.InputMode = "decimal"
		case "time":
			sf.Type = "time"
		}
		if typed, ok := values[f.Name]; ok {
			sf.Value = typed
		}
		if f.Name == "geofence_m" {
			v.Geofence = f.Value
		}
		if f.Name == "school_lat" || f.Name == "school_lng" {
			v.Point = append(v.Point, sf)
			continue
		}
		if g := byGroup[f.Group]; g != nil {
			g.Fields = append(g.Fields, sf)
		}
	}
	return v, nil
}

func (s *Server) settingsPage(c echo.Context) error {
	v, err := s.settingsView(c, nil, nil)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, adminviews.SettingsPage(page(c, "学校设置"), v))
}

// saveSettings stores the fields the form sent (an emptied box: the
// default, or not set); a bad value answers 422 with the page as typed
// and each message beside its box.
func (s *Server) saveSettings(c echo.Context) error {
	req := c.Request()
	if err := req.ParseForm(); err != nil {
		return apperr.Invalid("", "表单无法读取，请重新填写")
	}
	cur, err := s.settings.Get(req.Context())
	if err != nil {
		return err
	}
	form := map[string]string{}
	errs := map[string]string{}
	for _, f := range cur.Form() {
		vals, ok := req.PostForm[f.Name]
		if !ok || len(vals) == 0 {
			continue
		}
		v := strings.TrimSpace(vals[0])
		// The rule is the setting package's; here only what the box shows
		// again is cut to it.
		if len([]rune(v)) > setting.MaxValue {
			form[f.Name] = string([]rune(v)[:setting.MaxValue])
			errs[f.Name] = f.Label + "太长了"
			continue
		}
		form[f.Name] = v
	}
	if len(errs) == 0 {
		_, err = s.settings.Update(req.Context(), userOf(c), form)
		if err == nil {
			s.setFlash(c, flashSettingsSaved)
			return redirect(c, "/admin/settings")
		}
		ve, ok := apperr.AsValidation(err)
		if !ok {
			return err
		}
		errs = ve.Fields
	}
	v, err := s.settingsView(c, form, errs)
	if err != nil {
		return err
	}
	return render(c, http.StatusUnprocessableEntity, adminviews.SettingsPage(page(c, "学校设置"), v))
}
