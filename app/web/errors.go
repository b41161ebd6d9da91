package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"jiaxiao/app/apperr"
	"jiaxiao/views/errorpage"
)

// handleError is the one place errors become responses: sentinels map to
// statuses, the user sees a Chinese page (or an htmx fragment), and 5xx are
// logged with the request id.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		// The answer has begun (a download cut off midway): too late for an
		// error page, not too late to say so. A client that went away is
		// not news.
		if !errors.Is(err, context.Canceled) {
			s.log.Error("request failed after the answer began", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		return
	}
	status, title, msg := classify(err)
	// An error may name its page better than its status does (您已被移出本群).
	var titled interface {
		error
		Title() string
	}
	if errors.As(err, &titled) {
		title = titled.Title()
	}
	if status == http.StatusUnauthorized && !isHTMX(c) && c.Request().Method == http.MethodGet {
		_ = c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request().URL.RequestURI()))
		return
	}
	if status >= 500 {
		s.log.Error("request failed", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
			"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", "30")
	}
	v := errorpage.View{Status: status, Title: title, Message: msg}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	if isHTMX(c) {
		_ = render(c, status, errorpage.Fragment(v))
		return
	}
	_ = render(c, status, errorpage.Page(page(c, title), v))
}

func classify(err error) (int, string, string) {
	user := apperr.UserMessage(err)
	pick := func(def string) string {
		if user != "" {
			return user
		}
		return def
	}
	var he *echo.HTTPError
	switch {
	case errors.Is(err, apperr.ErrUnauthenticated):
		return http.StatusUnauthorized, "请先登录", pick("请先登录后再继续。")
	case errors.Is(err, apperr.ErrForbidden):
		return http.StatusForbidden, "没有权限", pick("您没有权限进行此操作。")
	case errors.Is(err, apperr.ErrNotFound):
		return http.StatusNotFound, "页面不存在", pick("您要找的内容不存在或已被删除。")
	case errors.Is(err, apperr.ErrConflict):
		return http.StatusConflict, "操作冲突", pick("数据已被修改或已存在，请刷新后重试。")
	case errors.Is(err, apperr.ErrTooMany):
		return http.StatusTooManyRequests, "操作太频繁", pick("操作太频繁，请稍后再试。")
	case errors.Is(err, apperr.ErrUnavailable):
		return http.StatusServiceUnavailable, "服务暂不可用", pick("存储服务暂时不可用，请稍后再试。")
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			return he.Code, "页面不存在", "您要找的页面不存在。"
		case http.StatusMethodNotAllowed:
			return he.Code, "不支持的操作", "不支持此请求方式。"
		case http.StatusRequestEntityTooLarge:
			return he.Code, "文件太大", "上传内容超过大小限制。"
		case http.StatusForbidden:
			return he.Code, "没有权限", "您没有权限进行此操作。"
		}
		if he.Code < 500 {
			return he.Code, "请求有误", "请求无法处理，请检查后重试。"
		}
	}
	if v, ok := apperr.AsValidation(err); ok {
		return http.StatusUnprocessableEntity, "输入有误", v.Message()
	}
	return http.StatusInternalServerError, "服务器出错了", "服务器出错了，请稍后再试。如果问题持续，请联系学校办公室。"
}
