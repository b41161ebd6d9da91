package group

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/event"
	"jiaxiao/app/modlog"
	"jiaxiao/app/notify"
)

// Removal keeps a removed member out of a group: membership sync skips
// them, and a ban also refuses their join requests.
type Removal struct {
	GroupID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	UserID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	Reason    string
	Banned    bool
	RemovedBy uint64
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Removal) TableName() string { return "group_removals" }

// Mute silences one member of a group until a time.
type Mute struct {
	GroupID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	UserID    uint64 `gorm:"primaryKey;autoIncrement:false"`
	Until     time.Time
	MutedBy   uint64
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Mute) TableName() string { return "group_mutes" }

// MuteDurations are the mute lengths moderators choose from, in minutes.
var MuteDurations = []int{5, 60, 1440, 10080, 43200}

// MuteLabel names a mute length in Chinese.
func MuteLabel(minutes int) string {
	switch minutes {
	case 5:
		return "5 分钟"
	case 60:
		return "1 小时"
	case 1440:
		return "1 天"
	case 10080:
		return "7 天"
	case 43200:
		return "30 天"
	}
	return fmt.Sprintf("%d 分钟", minutes)
}

// Errors of moderation and posting.
var (
	ErrBanned        = apperr.New(apperr.ErrForbidden, "您已被移出该群并禁止再次申请，如有疑问请联系班主任")
	ErrStaffOnly     = apperr.New(apperr.ErrForbidden, "本群目前只允许教职工发言")
	ErrAllMuted      = apperr.New(apperr.ErrForbidden, "本群已开启全员禁言，只有群主和群管理员可以发言")
	ErrNotRemovable  = apperr.Invalid("", "教师和学校管理员由学校统一安排，不能移出班级群")
	ErrPeerModerator = apperr.New(apperr.ErrForbidden, "只有群主可以处理其他群管理员")
	// ErrParentOverStaff: a parent appointed moderator acts on parents only.
	ErrParentOverStaff = apperr.New(apperr.ErrForbidden, "家长管理员只能管理家长成员，不能禁言或移出老师")
	errSelf            = apperr.Invalid("", "不能对自己进行此操作")
	errOwner           = apperr.Invalid("", "不能移出群主")
)

func (s *Service) moderatorOver(ctx context.Context, tx *gorm.DB, actor *auth.User, groupID, userID uint64) (Access, Member, auth.User, error) {
	a, err := s.access(ctx, tx, actor, groupID)
	if err != nil {
		return a, Member{}, auth.User{}, err
	}
	if !a.CanModerate() {
		return a, Member{}, auth.User{}, ErrNotModerator
	}
	var m Member
	if err := tx.Where("group_id = ? AND user_id = ?", groupID, userID).Take(&m).Error; err != nil {
		return a, m, auth.User{}, db.Translate(err)
	}
	u, err := auth.UserIn(ctx, tx, userID)
	if err != nil {
		return a, m, u, err
	}
	if err := a.over(actor.ID, userID, m.Role, u.Role); err != nil {
		return a, m, u, err
	}
	return a, m, u, nil
}

func checkReason(reason string) error {
	if n := len([]rune(reason)); n < 2 || n > 200 {
		return apperr.Invalid("reason", "请填写理由（2–200 字）")
	}
	return nil
}

// Remove takes a member out of the group (驱逐出群) with a reason they are
// told in their notification centre; ban also refuses their join requests.
// Their open pages lose the group at once. Staff cannot be removed from
// class groups: teaching assignments decide those.
func (s *Service) Remove(ctx context.Context, actor *auth.User, groupID, userID uint64, reason string, ban bool) error {
	if err := checkReason(reason); err != nil {
		return err
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		a, m, u, err := s.moderatorOver(ctx, tx, actor, groupID, userID)
		if err != nil {
			return err
		}
		if err := a.removable(m.Role, u.Role); err != nil {
			return err
		}
		r := Removal{GroupID: groupID, UserID: userID, Reason: reason, Banned: ban, RemovedBy: actor.ID, CreatedAt: now}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&r).Error; err != nil {
			return err
		}
		if err := tx.Where("group_id = ? AND user_id = ?", groupID, userID).Delete(&Member{}).Error; err != nil {
			return err
		}
		if err := s.groupsChanged(ctx, tx, now); err != nil {
			return err
		}
		if err := countsChanged(ctx, tx, now, groupID, everyMember); err != nil {
			return err
		}
		if err := tx.Where("group_id = ? AND user_id = ?", groupID, userID).Delete(&Mute{}).Error; err != nil {
			return err
		}
		if err := modlog.Record(ctx, tx, modlog.Entry{GroupID: groupID, ActorID: actor.ID, SubjectID: &userID, Action: modlog.Remove, Reason: reason, CreatedAt: now}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "group.remove", Subject: groupSubject(groupID),
			Detail: fmt.Sprintf("user:%d ban=%t reason=%s", userID, ban, reason), CreatedAt: now}); err != nil {
			return err
		}
		body := "理由：" + reason
		if ban {
			body += "。您已被禁止再次申请加入该群。"
		}
		if err := notify.Add(ctx, tx, now, notify.Notification{UserID: userID, Kind: "removed", Title: "您已被移出“" + a.Group.Name + "”", Body: body}); err != nil {
			return err
		}
		return event.Publish(ctx, tx, now, event.Event{UserID: userID, GroupID: groupID, Kind: event.Removed})
	})
}

// MuteMember silences a member for one of MuteDurations.
func (s *Service) MuteMember(ctx context.Context, actor *auth.User, groupID, userID uint64, minutes int) error {
	if !slices.Contains(MuteDurations, minutes) {
		return apperr.Invalid("minutes", "请选择禁言时长：5 分钟、1 小时、1 天、7 天或 30 天")
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		a, _, _, err := s.moderatorOver(ctx, tx, actor, groupID, userID)
		if err != nil {
			return err
		}
		m := Mute{GroupID: groupID, UserID: userID, Until: now.Add(time.Duration(minutes) * time.Minute), MutedBy: actor.ID, CreatedAt: now}
		if err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&m).Error; err != nil {
			return err
		}
		if err := modlog.Record(ctx, tx, modlog.Entry{GroupID: groupID, ActorID: actor.ID, SubjectID: &userID, Action: modlog.Mute, Reason: MuteLabel(minutes), CreatedAt: now}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "group.mute", Subject: groupSubject(groupID),
			Detail: fmt.Sprintf("user:%d minutes=%d", userID, minutes), CreatedAt: now}); err != nil {
			return err
		}
		return notify.Add(ctx, tx, now, notify.Notification{UserID: userID, Kind: "muted", Title: "您在“" + a.Group.Name + "”被禁言 " + MuteLabel(minutes),
			Link: groupPath(groupID)})
	})
}

// UnmuteMember lifts a member's mute.
func (s *Service) UnmuteMember(ctx context.Context, actor *auth.User, groupID, userID uint64) error {
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if _, _, _, err := s.moderatorOver(ctx, tx, actor, groupID, userID); err != nil {
			return err
		}
		if err := tx.Where("group_id = ? AND user_id = ?", groupID, userID).Delete(&Mute{}).Error; err != nil {
			return err
		}
		if err := modlog.Record(ctx, tx, modlog.Entry{GroupID: groupID, ActorID: actor.ID, SubjectID: &userID, Action: modlog.Unmute, CreatedAt: now}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "group.unmute", Subject: groupSubject(groupID), Detail: fmt.Sprintf("user:%d", userID), CreatedAt: now})
	})
}

// SetMuteAll turns the group's mute-all on or off.
func (s *Service) SetMuteAll(ctx context.Context, actor *auth.User, groupID uint64, on bool) error {
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := s.access(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if !a.CanModerate() {
			return ErrNotModerator
		}
		if err := tx.Model(&Group{}).Where("id = ?", groupID).Updates(map[string]any{"muted_all": on, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := s.groupsChanged(ctx, tx, now); err != nil {
			return err
		}
		action, kind := modlog.UnmuteAll, "group.unmute_all"
		if on {
			action, kind = modlog.MuteAll, "group.mute_all"
		}
		if err := modlog.Record(ctx, tx, modlog.Entry{GroupID: groupID, ActorID: actor.ID, Action: action, CreatedAt: now}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: kind, Subject: groupSubject(groupID), CreatedAt: now})
	})
}

// SetPostingOpen lets parents post in the school group (on) or makes it an
// announcement group again; only admins may.
func (s *Service) SetPostingOpen(ctx context.Context, actor *auth.User, groupID uint64, on bool) error {
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := s.access(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if err := a.CanSetPosting(); err != nil {
			return err
		}
		if err := tx.Model(&Group{}).Where("id = ?", groupID).Updates(map[string]any{"posting_open": on, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := s.groupsChanged(ctx, tx, now); err != nil {
			return err
		}
		action, kind := modlog.ClosePosting, "group.close_posting"
		if on {
			action, kind = modlog.OpenPosting, "group.open_posting"
		}
		if err := modlog.Record(ctx, tx, modlog.Entry{GroupID: groupID, ActorID: actor.ID, Action: action, CreatedAt: now}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: kind, Subject: groupSubject(groupID), CreatedAt: now})
	})
}

// MutedError says until when the member is muted.
type MutedError struct{ Until time.Time }

func (e *MutedError) Error() string { return "您已被禁言" }

// Unwrap makes a mute a forbidden action.
func (e *MutedError) Unwrap() error { return apperr.ErrForbidden }

// MayPost checks the actor's right to post in the group right now: the
// group kind's rule, mute-all, and a personal mute.
func (s *Service) MayPost(ctx context.Context, tx *gorm.DB, actor *auth.User, groupID uint64) (Access, error) {
	a, err := s.access(ctx, tx, actor, groupID)
	if err != nil {
		return a, err
	}
	return a, a.PostErr()
}

// PostErr says why the actor of a may not post in the group as read (nil:
// they may): the group kind's rule, mute-all, and a personal mute.
func (a Access) PostErr() error {
	switch {
	case a.Group.Kind == KindSchool && !a.Staff && !a.Group.PostingOpen:
		return ErrStaffOnly
	case a.Group.MutedAll && !a.CanModerate():
		return ErrAllMuted
	case a.MutedUntil != nil:
		return &MutedError{Until: *a.MutedUntil}
	}
	return nil
}

// MuteLine is a current mute as the moderation page lists it.
type MuteLine struct {
	UserID uint64
	Name   string
	Until  time.Time
}

// Mutes lists the group's current mutes for its moderators.
func (s *Service) Mutes(ctx context.Context, actor *auth.User, groupID uint64) ([]MuteLine, error) {
	a, err := s.Access(ctx, actor, groupID)
	if err != nil {
		return nil, err
	}
	if !a.CanModerate() {
		return nil, ErrNotModerator
	}
	var out []MuteLine
	err = s.db.WithContext(ctx).Model(&Mute{}).Select("user_id, until").Where("group_id = ? AND until > ?", groupID, s.now()).
		Order("until").Scan(&out).Error
	if err != nil {
		return nil, err
	}
	ids := make([]uint64, len(out))
	for i, m := range out {
		ids[i] = m.UserID
	}
	names, err := auth.Names(ctx, s.db, ids)
	for i := range out {
		out[i].Name = names[out[i].UserID]
	}
	return out, err
}

// ModerationLog returns the group's moderation log for its moderators and admins.
func (s *Service) ModerationLog(ctx context.Context, actor *auth.User, groupID uint64, limit int) ([]modlog.Line, error) {
	a, err := s.Access(ctx, actor, groupID)
	if err != nil {
		return nil, err
	}
	if !a.CanModerate() {
		return nil, ErrNotModerator
	}
	return modlog.List(ctx, s.db, groupID, limit, func(ctx context.Context, ids []uint64) (map[uint64]string, error) {
		return auth.Names(ctx, s.db, ids)
	})
}

func groupPath(id uint64) string { return fmt.Sprintf("/groups/%d", id) }
