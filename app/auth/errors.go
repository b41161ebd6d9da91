package auth

import "jiaxiao/app/apperr"

// Errors of the auth domain; each unwraps to an apperr sentinel.
var (
	// ErrBadCredentials means the phone or the password is wrong.
	ErrBadCredentials = apperr.New(apperr.ErrUnauthenticated, "手机号或密码错误")
	// ErrThrottled means too many failed logins; try later.
	ErrThrottled = apperr.New(apperr.ErrTooMany, "登录失败次数过多，请15分钟后再试")
	// ErrInactive means the password was right but the account may not log in.
	ErrInactive = apperr.New(apperr.ErrForbidden, "账号已离职或停用，无法登录，请联系学校办公室")
	// ErrClosed means the password was right but the account was closed.
	ErrClosed = apperr.New(apperr.ErrUnauthenticated, "该账号已注销，无法登录。资料删除后，可用该手机号重新注册。")
	// ErrNotActivated means a roster-imported account has not been activated.
	ErrNotActivated = apperr.New(apperr.ErrForbidden, "账号尚未激活，请先用学校发放的激活码激活")
	// ErrCodeTooSoon means a code was sent to this phone moments ago or too often today.
	ErrCodeTooSoon = apperr.New(apperr.ErrTooMany, "验证码发送过于频繁，请稍后再试")
	// ErrNoSession means the session token is unknown or expired.
	ErrNoSession = apperr.New(apperr.ErrUnauthenticated, "未登录或登录已过期")
)
