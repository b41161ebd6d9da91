package privacy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/event"
	"jiaxiao/app/memo"
	"jiaxiao/app/setting"
)

// Settings reads the school's settings (the retention periods).
type Settings interface {
	Get(ctx context.Context) (setting.Settings, error)
}

// Options configure NewService.
type Options struct {
	DB       *gorm.DB
	Now      func() time.Time // nil: time.Now
	Location *time.Location   // the school's zone, for the day of a view
	Settings Settings         // nil: the retention periods are the defaults
	Log      *slog.Logger
}

// Service is the privacy domain's API.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	loc      *time.Location
	settings Settings
	log      *slog.Logger
	// state is the current notice and the version parents must have
	// agreed to; agreed is each user's newest agreed version (0: none).
	state  *memo.One[state]
	agreed *memo.Keyed[uint64, int]
}

type state struct {
	current  Notice
	required int
}

const (
	cacheAge   = time.Minute
	cacheUsers = 100_000
)

// NewService returns the privacy service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, loc: o.Location, settings: o.Settings, log: o.Log,
		state: memo.NewOne[state](cacheAge), agreed: memo.NewKeyed[uint64, int](cacheAge, cacheUsers)}
}

// Forget drops this instance's copy of the current notice (another
// instance saved a new version: it publishes a settings event).
func (s *Service) Forget() { s.state.Drop() }

// ForgetUser drops this instance's copy of what userID agreed to.
func (s *Service) ForgetUser(userID uint64) { s.agreed.Drop(userID) }

// Current returns the notice in force, from memory when it is there.
func (s *Service) Current(ctx context.Context) (Notice, error) {
	st, err := s.current(ctx)
	return st.current, err
}

func (s *Service) current(ctx context.Context) (state, error) {
	return s.state.Get(func() (state, error) { return s.read(ctx) })
}

// read reads the newest version and the newest that asks again, storing
// the built-in default as version 1 when there is none yet, so that the
// text a parent agrees to is kept word for word even if a later release
// changes the default.
func (s *Service) read(ctx context.Context) (state, error) {
	var st state
	for range 2 {
		err := s.db.WithContext(ctx).Order("version DESC").Limit(1).Take(&st.current).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			def := Notice{Version: 1, Policy: DefaultPolicy, Children: DefaultChildren, AsksAgain: true, CreatedAt: s.now()}
			if err := s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&def).Error; err != nil {
				return st, fmt.Errorf("privacy: store the default notice: %w", err)
			}
			continue
		}
		if err != nil {
			return st, fmt.Errorf("privacy: current notice: %w", err)
		}
		break
	}
	err := s.db.WithContext(ctx).Model(&Notice{}).Select("COALESCE(MAX(version), 1)").Where("asks_again = ?", true).Scan(&st.required).Error
	if err != nil {
		return st, fmt.Errorf("privacy: required version: %w", err)
	}
	return st, nil
}

// Version returns one version of the notice; anyone may read any.
func (s *Service) Version(ctx context.Context, version int) (Notice, error) {
	if _, err := s.current(ctx); err != nil { // version 1 exists from here on
		return Notice{}, err
	}
	var n Notice
	err := s.db.WithContext(ctx).Where("version = ?", version).Take(&n).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return n, apperr.New(apperr.ErrNotFound, "没有这一版隐私政策")
	}
	if err != nil {
		return n, fmt.Errorf("privacy: version %d: %w", version, err)
	}
	return n, nil
}

// NoticeInput is an admin's edit of the notice.
type NoticeInput struct {
	Policy, Children, Officer, Contact string
	AsksAgain                          bool
}

// Bounds of the notice's fields, in characters.
const (
	MaxText    = 20_000
	MaxOfficer = 32
	MaxContact = 64
)

// ErrNotAdmin refuses an edit of the notice by anyone but an admin.
var ErrNotAdmin = apperr.New(apperr.ErrForbidden, "只有学校管理员可以修改隐私政策")

// Publish saves in as the next version, with actor as its author.
func (s *Service) Publish(ctx context.Context, actor *auth.User, in NoticeInput) (Notice, error) {
	if !actor.IsAdmin() {
		return Notice{}, ErrNotAdmin
	}
	n := Notice{Policy: strings.TrimSpace(in.Policy), Children: strings.TrimSpace(in.Children), Officer: strings.TrimSpace(in.Officer),
		Contact: strings.TrimSpace(in.Contact), AsksAgain: in.AsksAgain, AuthorID: auth.ActorOf(actor)}
	v := &apperr.ValidationError{}
	text := func(field, label, val string, max int, required bool) {
		switch n := utf8.RuneCountInString(val); {
		case n == 0 && required:
			v.Add(field, "请填写"+label)
		case n > max:
			v.Add(field, fmt.Sprintf("%s不能超过 %d 字（现在 %d 字）", label, max, n))
		}
	}
	text("policy", "隐私政策", n.Policy, MaxText, true)
	text("children", "儿童个人信息保护规则", n.Children, MaxText, true)
	text("officer", "个人信息保护负责人", n.Officer, MaxOfficer, true)
	text("contact", "负责人的联系方式", n.Contact, MaxContact, true)
	if err := v.Err(); err != nil {
		return Notice{}, err
	}
	cur, err := s.read(ctx)
	if err != nil {
		return Notice{}, err
	}
	n.Version, n.CreatedAt = cur.current.Version+1, s.now()
	err = db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := tx.Create(&n).Error; err != nil {
			return db.Translate(err)
		}
		if err := audit.Record(ctx, tx, audit.Entry{ActorID: n.AuthorID, Action: "privacy.update", Subject: "privacy:" + strconv.Itoa(n.Version),
			Detail: "asks_again=" + strconv.FormatBool(n.AsksAgain), CreatedAt: n.CreatedAt}); err != nil {
			return err
		}
		// Other instances drop their copy when they read this event.
		return event.Publish(ctx, tx, n.CreatedAt, event.Event{Kind: event.Settings})
	})
	s.Forget()
	if errors.Is(err, apperr.ErrConflict) {
		return Notice{}, apperr.Invalid("", "另一位管理员刚刚保存了新版本，请刷新页面看过后再修改")
	}
	if err != nil {
		return Notice{}, fmt.Errorf("privacy: publish: %w", err)
	}
	return n, nil
}

// History is a line of the notice's history.
type History struct {
	Notice
	// Author is the author's name, "" for the built-in default.
	Author string
	// Agreed is how many users agreed to this version.
	Agreed int
}

// MaxHistory bounds the history shown.
const MaxHistory = 100

// History lists the versions newest first, with their authors and how
// many agreed to each, to admins.
func (s *Service) History(ctx context.Context, actor *auth.User) ([]History, error) {
	if !actor.IsAdmin() {
		return nil, ErrNotAdmin
	}
	if _, err := s.current(ctx); err != nil {
		return nil, err
	}
	var ns []Notice
	if err := s.db.WithContext(ctx).Order("version DESC").Limit(MaxHistory).Find(&ns).Error; err != nil {
		return nil, fmt.Errorf("privacy: history: %w", err)
	}
	var counts []struct{ Version, N int }
	err := s.db.WithContext(ctx).Model(&Consent{}).Select("version, COUNT(*) AS n").Group("version").Scan(&counts).Error
	if err != nil {
		return nil, fmt.Errorf("privacy: history: %w", err)
	}
	agreed := map[int]int{}
	for _, c := range counts {
		agreed[c.Version] = c.N
	}
	var authors []uint64
	for _, n := range ns {
		if n.AuthorID != nil {
			authors = append(authors, *n.AuthorID)
		}
	}
	names, err := auth.Names(ctx, s.db, authors)
	if err != nil {
		return nil, err
	}
	out := make([]History, len(ns))
	for i, n := range ns {
		out[i] = History{Notice: n, Agreed: agreed[n.Version]}
		if n.AuthorID != nil {
			out[i].Author = names[*n.AuthorID]
			if out[i].Author == "" {
				out[i].Author = "（已注销的用户）"
			}
		}
	}
	return out, nil
}

// Period is how long one kind of data is kept.
type Period struct {
	What string
	Days int
}

// Retention lists how long each kind of data is kept, as the school's
// settings say now (setting.Settings.Retention; the defaults without a
// settings service).
func (s *Service) Retention(ctx context.Context) ([]Period, error) {
	set := setting.Defaults()
	if s.settings != nil {
		var err error
		if set, err = s.settings.Get(ctx); err != nil {
			return nil, err
		}
	}
	kept := set.Retention()
	out := make([]Period, len(kept))
	for i, k := range kept {
		out[i] = Period{What: k.What, Days: k.Days}
	}
	return out, nil
}
