package group

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/school"
	"jiaxiao/app/setting"
)

// Settings gives the current school rules.
type Settings interface {
	Get(ctx context.Context) (setting.Settings, error)
}

// Service is the group domain's API.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	settings Settings
	log      *slog.Logger
	caches   caches
}

// Options configure NewService.
type Options struct {
	DB       *gorm.DB
	Now      func() time.Time
	Settings Settings
	Log      *slog.Logger
}

// NewService returns the group service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, settings: o.Settings, log: o.Log, caches: newCaches()}
}

// Summary is a group as lists show it.
type Summary struct {
	Group
	Members int
	Role    Role // the viewer's role, "" for an admin who is not a member
	Pending int  // pending join requests, counted for moderators only
	// Moderates says the viewer handles the group's join requests (a
	// class group they own or moderate, or any class group for an admin).
	Moderates bool
}

// Listing is one row of `jiaxiao group list`.
type Listing struct {
	Group
	Members int
}

// All lists every group with its member count (command line, admins).
func (s *Service) All(ctx context.Context) ([]Listing, error) {
	var out []Listing
	err := s.db.WithContext(ctx).Table("`groups`").
		Select("`groups`.*, (SELECT COUNT(*) FROM group_members WHERE group_members.group_id = `groups`.id) AS members").
		Order("CASE kind WHEN 'staff' THEN 0 WHEN 'school' THEN 1 ELSE 2 END, name, id").Scan(&out).Error
	return out, err
}

// Mine lists the groups the actor belongs to (every group for an admin).
func (s *Service) Mine(ctx context.Context, actor *auth.User) ([]Summary, error) {
	if actor == nil {
		return nil, apperr.ErrUnauthenticated
	}
	rows, err := s.caches.groupsOf(actor.ID, func() ([]mineRow, error) {
		var rows []mineRow
		q := s.db.WithContext(ctx).Table("`groups`").Select("`groups`.*, me.role AS role").
			Joins("LEFT JOIN group_members me ON me.group_id = `groups`.id AND me.user_id = ?", actor.ID)
		if actor.Role != auth.RoleAdmin {
			q = q.Where("me.user_id IS NOT NULL")
		}
		if err := q.Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("group: mine: %w", err)
		}
		return rows, nil
	})
	if err != nil {
		return nil, err
	}
	members, pending, err := s.caches.memberCounts(ctx, s.db)
	if err != nil {
		return nil, err
	}
	rows = append([]mineRow(nil), rows...) // sorted below; the memo's copy stays as read
	// Class groups first, then the school group, then the staff group.
	rank := map[Kind]int{KindClass: 0, KindSchool: 1}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		ra, rb := rank[a.Kind], rank[b.Kind]
		if _, ok := rank[a.Kind]; !ok {
			ra = 2
		}
		if _, ok := rank[b.Kind]; !ok {
			rb = 2
		}
		if ra != rb {
			return ra < rb
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	out := make([]Summary, len(rows))
	for i, r := range rows {
		a := Access{Group: r.Group, Role: r.Role, Admin: actor.Role == auth.RoleAdmin}
		out[i] = Summary{Group: r.Group, Members: members[r.ID], Role: r.Role}
		if a.CanModerate() {
			out[i].Pending = pending[r.ID]
			out[i].Moderates = r.Kind == KindClass
		}
	}
	return out, nil
}

// MemberView is a member as the members list shows them.
type MemberView struct {
	UserID   uint64
	Name     string
	UserRole auth.Role
	Role     Role
	// CallNames is how a class group knows a parent: 张小明妈妈.
	CallNames []string
	// Phone is masked unless the viewer may see it (PhonesFor); PhoneFull
	// says it is not.
	Phone     string
	PhoneFull bool
	JoinedAt  time.Time
	// MutedUntil is set while the member is muted (shown to moderators).
	MutedUntil *time.Time
}

// Members lists a group's members, staff first. Phone numbers are masked
// but the viewer's own, and those PhonesFor lets them see: every one for
// an admin, the parents' of the class groups they head or moderate as
// staff.
func (s *Service) Members(ctx context.Context, actor *auth.User, groupID uint64) (Access, []MemberView, error) {
	a, err := s.Access(ctx, actor, groupID)
	if err != nil {
		return Access{}, nil, err
	}
	var rows []struct {
		UserID       uint64
		ContactName  string
		ContactRole  auth.Role
		Role         Role
		ContactPhone string
		JoinedAt     time.Time
		Until        *time.Time
	}
	err = auth.JoinContact(s.db.WithContext(ctx).Model(&Member{}), "group_members.user_id").
		Select("group_members.user_id, group_members.role, group_members.joined_at, group_mutes.until, "+auth.ContactColumns).
		Joins("LEFT JOIN group_mutes ON group_mutes.group_id = group_members.group_id AND group_mutes.user_id = group_members.user_id AND group_mutes.until > ?", s.now()).
		Where("group_members.group_id = ?", groupID).
		Order("CASE group_members.role WHEN 'owner' THEN 0 WHEN 'moderator' THEN 1 ELSE 2 END, " + auth.StaffFirst + ", contact_name, group_members.user_id").
		Scan(&rows).Error
	if err != nil {
		return a, nil, fmt.Errorf("group: members: %w", err)
	}
	calls := map[uint64][]string{}
	if a.Group.Kind == KindClass {
		kids, err := school.ChildrenOf(ctx, s.db, school.ChildFilter{ClassID: *a.Group.ClassID})
		if err != nil {
			return a, nil, err
		}
		for _, k := range kids {
			calls[k.ParentID] = append(calls[k.ParentID], k.Call())
		}
	}
	phones, err := s.PhonesFor(ctx, actor)
	if err != nil {
		return a, nil, err
	}
	out := make([]MemberView, len(rows))
	for i, r := range rows {
		out[i] = MemberView{UserID: r.UserID, Name: r.ContactName, UserRole: r.ContactRole, Role: r.Role, CallNames: calls[r.UserID],
			Phone: phones.Show(r.UserID, r.ContactPhone), PhoneFull: phones.Full(r.UserID), JoinedAt: r.JoinedAt}
		if a.CanModerate() {
			out[i].MutedUntil = r.Until
		}
	}
	return a, out, nil
}

// PhoneViewer says whose full phone number a viewer may see: their own,
// everyone's for an admin, and the parents' of the class groups the
// viewer heads or moderates as staff (the head teacher and class
// teachers appointed moderators; Access.FullPhones). Everyone else's is
// masked, in pages, CSV and xlsx alike: other teachers', and every
// number to a parent, moderator or not.
type PhoneViewer struct {
	self  uint64
	all   bool
	class map[uint64]bool
}

// Full reports whether the viewer may see userID's full number.
func (v PhoneViewer) Full(userID uint64) bool {
	return v.all || userID == v.self || v.class[userID]
}

// Show returns phone as the viewer may see it.
func (v PhoneViewer) Show(userID uint64, phone string) string {
	if v.Full(userID) {
		return phone
	}
	return MaskPhone(phone)
}

// PhonesFor returns what actor may see of other people's phone numbers.
func (s *Service) PhonesFor(ctx context.Context, actor *auth.User) (PhoneViewer, error) {
	if actor == nil {
		return PhoneViewer{}, apperr.ErrUnauthenticated
	}
	v := PhoneViewer{self: actor.ID, all: actor.Role == auth.RoleAdmin}
	if v.all || !actor.Role.Staff() {
		return v, nil
	}
	var ids []uint64
	err := s.db.WithContext(ctx).Table("group_members").Distinct("group_members.user_id").
		Where("group_members.group_id IN (SELECT mine.group_id FROM group_members mine JOIN `groups` ON `groups`.id = mine.group_id "+
			"WHERE mine.user_id = ? AND mine.role IN ? AND `groups`.kind = ?)", actor.ID, []Role{RoleOwner, RoleModerator}, KindClass).
		Where("group_members.user_id IN (?)", auth.IDsWithRole(s.db, auth.RoleParent)).
		Pluck("group_members.user_id", &ids).Error
	if err != nil {
		return v, fmt.Errorf("group: phones: %w", err)
	}
	v.class = make(map[uint64]bool, len(ids))
	for _, id := range ids {
		v.class[id] = true
	}
	return v, nil
}

// MaskPhone shows the first three and last four digits: 138****8000.
// An empty number (a closed or erased account's) stays empty.
func MaskPhone(p string) string {
	if p == "" {
		return ""
	}
	if len(p) != 11 {
		return "****"
	}
	return p[:3] + "****" + p[7:]
}

// Invite returns the group's invite code for its head teacher and moderators.
func (s *Service) Invite(ctx context.Context, actor *auth.User, groupID uint64) (Access, error) {
	a, err := s.Access(ctx, actor, groupID)
	if err != nil {
		return a, err
	}
	if !a.CanModerate() {
		return a, ErrNotModerator
	}
	if a.Group.Kind != KindClass {
		return a, apperr.Invalid("", "只有班级群可以邀请家长加入，学校群成员由花名册自动同步")
	}
	return a, nil
}

// ResetInvite gives the class group a new invite code (the old one stops working).
func (s *Service) ResetInvite(ctx context.Context, actor *auth.User, groupID uint64) error {
	a, err := s.Invite(ctx, actor, groupID)
	if err != nil {
		return err
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Model(&Group{}).Where("id = ?", a.Group.ID).Updates(map[string]any{"invite_code": newInviteCode(), "updated_at": now}).Error; err != nil {
			return err
		}
		if err := s.groupsChanged(ctx, tx, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "group.reset_invite", Subject: groupSubject(a.Group.ID), CreatedAt: now})
	})
}

// Rename changes a group's name; only admins may.
func (s *Service) Rename(ctx context.Context, actor *auth.User, groupID uint64, name string) error {
	if actor == nil || actor.Role != auth.RoleAdmin {
		return ErrNotAdmin // before the name is checked: nothing to tell others
	}
	name = strings.TrimSpace(name)
	if n := len([]rune(name)); n < 2 || n > 30 {
		return apperr.Invalid("name", "群名称应为 2–30 个字")
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := s.access(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if err := a.CanRename(); err != nil {
			return err
		}
		if err := tx.Model(&Group{}).Where("id = ?", groupID).Updates(map[string]any{"name": name, "updated_at": now}).Error; err != nil {
			return err
		}
		if err := s.groupsChanged(ctx, tx, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "group.rename", Subject: groupSubject(groupID), Detail: name, CreatedAt: now})
	})
}

// SetModerator appoints (on) or removes a moderator; the owner and admins may.
func (s *Service) SetModerator(ctx context.Context, actor *auth.User, groupID, userID uint64, on bool) error {
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		a, err := s.access(ctx, tx, actor, groupID)
		if err != nil {
			return err
		}
		if !a.CanAppoint() {
			return ErrNotOwner
		}
		var m Member
		if err := tx.Where("group_id = ? AND user_id = ?", groupID, userID).Take(&m).Error; err != nil {
			return db.Translate(err)
		}
		if m.Role == RoleOwner {
			return apperr.Invalid("", "群主不能被设置为管理员")
		}
		role, action := RoleMember, "group.moderator_remove"
		if on {
			role, action = RoleModerator, "group.moderator_add"
		}
		if m.Role == role {
			return nil
		}
		if err := tx.Model(&Member{}).Where("group_id = ? AND user_id = ?", groupID, userID).Update("role", role).Error; err != nil {
			return err
		}
		if err := s.groupsChanged(ctx, tx, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: action, Subject: groupSubject(groupID), Detail: fmt.Sprintf("user:%d", userID), CreatedAt: now})
	})
}

func groupSubject(id uint64) string { return fmt.Sprintf("group:%d", id) }

// ByInvite returns the class group of an invite code and its class.
func (s *Service) ByInvite(ctx context.Context, code string) (Group, school.Class, error) {
	var g Group
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) > maxInviteCode { // typed or pasted: no code is that long
		return Group{}, school.Class{}, apperr.ErrNotFound
	}
	if err := s.db.WithContext(ctx).Where("invite_code = ? AND kind = ?", code, KindClass).Take(&g).Error; err != nil {
		return Group{}, school.Class{}, db.Translate(err)
	}
	c, err := school.ClassByID(ctx, s.db, *g.ClassID)
	return g, c, err
}

// Counts are the numbers a group's header shows.
type Counts struct {
	Members int
	// Pending is the number of waiting join requests, counted only for
	// those who may handle them (0 otherwise).
	Pending int
}

// Counts returns a's group's member count and, for its moderators, the
// number of pending join requests (from memory: see counts).
func (s *Service) Counts(ctx context.Context, a Access) (Counts, error) {
	members, pending, err := s.caches.memberCounts(ctx, s.db)
	if err != nil {
		return Counts{}, err
	}
	c := Counts{Members: members[a.Group.ID]}
	if a.CanModerate() {
		c.Pending = pending[a.Group.ID]
	}
	return c, nil
}

// Names is how a group shows a person: their real name and, for parents in
// a class group, how the class knows them (张小明妈妈), and for staff in a
// parents' group a tag that marks them as school staff.
type Names struct {
	Name string
	Call string
	// Tag is 班主任 for a class group's owner (its head teacher) and 老师
	// for the other teachers and admins in a class or school group; the
	// staff group, all staff, tags nobody.
	Tag string
}

// Staff tags.
const (
	TagHeadTeacher = "班主任"
	TagTeacher     = "老师"
)

// DisplayNames returns the names of users as group g shows them: each
// user's name and, in a class group, the children of this class they are a
// guardian of, by student number; a child who has left keeps the name under
// their parent's old messages.
func (s *Service) DisplayNames(ctx context.Context, g Group, userIDs []uint64) (map[uint64]Names, error) {
	out := map[uint64]Names{}
	if len(userIDs) == 0 {
		return out, nil
	}
	contacts, err := auth.Contacts(ctx, s.db, userIDs)
	if err != nil {
		return nil, fmt.Errorf("group: display names: %w", err)
	}
	var staff []uint64
	for id, c := range contacts {
		n := Names{Name: c.Name}
		if c.Role.Staff() && g.Kind != KindStaff {
			n.Tag = TagTeacher
			staff = append(staff, id)
		}
		out[id] = n
	}
	if len(staff) > 0 && g.Kind == KindClass {
		var owners []uint64
		err := s.db.WithContext(ctx).Model(&Member{}).Where("group_id = ? AND role = ? AND user_id IN ?", g.ID, RoleOwner, staff).
			Pluck("user_id", &owners).Error
		if err != nil {
			return nil, fmt.Errorf("group: display names: %w", err)
		}
		for _, id := range owners {
			n := out[id]
			n.Tag = TagHeadTeacher
			out[id] = n
		}
	}
	if g.Kind != KindClass || g.ClassID == nil {
		return out, nil
	}
	kids, err := school.ChildrenOf(ctx, s.db, school.ChildFilter{Parents: userIDs, ClassID: *g.ClassID, AnyStatus: true})
	if err != nil {
		return nil, fmt.Errorf("group: display names: %w", err)
	}
	for _, k := range kids {
		n, ok := out[k.ParentID]
		if !ok {
			continue
		}
		if n.Call != "" {
			n.Call += "、"
		}
		n.Call += k.Call()
		out[k.ParentID] = n
	}
	return out, nil
}

// ModeratorIDs are the owner and moderators of a group.
func (s *Service) ModeratorIDs(ctx context.Context, tx *gorm.DB, groupID uint64) ([]uint64, error) {
	var ids []uint64
	err := tx.WithContext(ctx).Model(&Member{}).Where("group_id = ? AND role IN ?", groupID, []Role{RoleOwner, RoleModerator}).Pluck("user_id", &ids).Error
	return ids, err
}
