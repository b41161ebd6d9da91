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

// RemovedError answers a former member who opens the group after a
// moderator removed them: they are told so, with the reason they were
// given, instead of a page that does not exist. It is a refusal
// (ErrForbidden) and, for callers that only ask whether the group is
// visible, still a group they cannot see (ErrNotFound). Strangers, who
// were never removed, keep getting ErrNotFound alone.
type RemovedError struct {
	Reason string
	Banned bool
}

func (e *RemovedError) Error() string { return "您已被移出本群" }

// Title is the heading of the page that answers with e.
func (e *RemovedError) Title() string { return "您已被移出本群" }

// Unwrap makes e a forbidden action with its words for the user, and a
// group the actor cannot see.
func (e *RemovedError) Unwrap() []error {
	return []error{apperr.New(apperr.ErrForbidden, e.message()), apperr.ErrNotFound}
}

func (e *RemovedError) message() string {
	msg := "群主或群管理员已将您移出，您不能再查看本群的消息和成员。"
	if e.Reason != "" {
		msg += "移出理由：" + e.Reason + "。"
	}
	if e.Banned {
		msg += "您已被禁止再次申请加入本群，如有疑问请联系班主任。"
	} else {
		msg += "如需重新加入，请向班主任索取邀请码再次申请。"
	}
	return msg
}
