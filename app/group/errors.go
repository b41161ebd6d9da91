package group

import "jiaxiao/app/apperr"

// Errors of the group domain.
var (
	// ErrMismatch is the one answer to any roster mismatch, so nobody can
	// learn which of 学号 and name was wrong.
	ErrMismatch = apperr.Invalid("", "学号或学生姓名与本班花名册不符，请核对后重试（学生须在本班在读）")
	// ErrLockedOut answers join requests after too many mismatches.
	ErrLockedOut = apperr.New(apperr.ErrTooMany, "核对失败次数过多，请一小时后再试，或联系班主任")
	// ErrNotModerator refuses moderation to ordinary members.
	ErrNotModerator = apperr.New(apperr.ErrForbidden, "只有群主和群管理员可以进行此操作")
	// ErrNotOwner refuses appointing moderators to anyone but the owner.
	ErrNotOwner = apperr.New(apperr.ErrForbidden, "只有群主可以设置群管理员")
	// ErrNotAdmin refuses group administration to non-admins.
	ErrNotAdmin = apperr.New(apperr.ErrForbidden, "只有学校管理员可以修改群")
	// ErrDecided means the request was already approved or rejected.
	ErrDecided = apperr.New(apperr.ErrConflict, "该申请已处理")
)
