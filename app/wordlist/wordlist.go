// Package wordlist keeps the banned-content word lists — the school-wide
// list (group 0, edited by admins) and each group's list (edited by its
// moderators) — and hands out the compiled filter for a group, rebuilt
// when either list changes.
package wordlist

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/audit"
	"jiaxiao/app/auth"
	"jiaxiao/app/db"
	"jiaxiao/app/filter"
	"jiaxiao/app/group"
	"jiaxiao/app/modlog"
	"jiaxiao/app/setting"
)

//go:embed defaults.txt
var defaults string

// Word is one rule of a list.
type Word struct {
	ID        uint64
	GroupID   uint64 // 0: the school-wide list
	Pattern   string
	Category  filter.Category
	Action    filter.Action
	CreatedBy *uint64
	CreatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Word) TableName() string { return "word_rules" }

// Groups tells who may edit a group's list.
type Groups interface {
	Access(ctx context.Context, actor *auth.User, groupID uint64) (group.Access, error)
}

type compiled struct {
	count, max int64
	f          *filter.Filter
}

// Service manages the lists and the compiled filters.
type Service struct {
	db     *gorm.DB
	now    func() time.Time
	groups Groups

	mu    sync.Mutex
	cache map[uint64]compiled
}

// NewService returns the word-list service.
func NewService(g *gorm.DB, groups Groups, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: g, groups: groups, now: func() time.Time { return now().UTC() }, cache: map[uint64]compiled{}}
}

// Defaults parses the shipped default list.
func Defaults() []filter.Rule {
	var out []filter.Rule
	sc := bufio.NewScanner(strings.NewReader(defaults))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 {
			continue
		}
		cat := filter.Category(f[0])
		if f[0] == "allow" {
			cat = filter.Offtopic
		}
		out = append(out, filter.Rule{Pattern: f[2], Category: cat, Action: filter.Action(f[1])})
	}
	return out
}

const seededFlag = "wordlist_seeded"

// SeedDefaults loads the default list into the school-wide list once, the
// first time a school starts; after that the admins' edits stand.
func (s *Service) SeedDefaults(ctx context.Context) error {
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		done, err := setting.Flag(ctx, tx, seededFlag)
		if err != nil || done {
			return err
		}
		now := s.now()
		for _, r := range Defaults() {
			w := Word{Pattern: r.Pattern, Category: r.Category, Action: r.Action, CreatedAt: now}
			if err := tx.Create(&w).Error; err != nil && !db.IsDuplicate(err) {
				return err
			}
		}
		return setting.SetFlag(ctx, tx, seededFlag, now)
	})
}

// Filter returns the compiled filter of a group (school list plus the
// group's own), compiling it again only when a list has changed.
func (s *Service) Filter(ctx context.Context, groupID uint64) (*filter.Filter, error) {
	var v struct {
		Count int64
		Max   int64
	}
	if err := s.db.WithContext(ctx).Model(&Word{}).Select("COUNT(*) AS count, COALESCE(MAX(id), 0) AS max").
		Where("group_id IN ?", []uint64{0, groupID}).Scan(&v).Error; err != nil {
		return nil, fmt.Errorf("wordlist: version: %w", err)
	}
	s.mu.Lock()
	c, ok := s.cache[groupID]
	s.mu.Unlock()
	if ok && c.count == v.Count && c.max == v.Max {
		return c.f, nil
	}
	var words []Word
	if err := s.db.WithContext(ctx).Where("group_id IN ?", []uint64{0, groupID}).Order("id").Find(&words).Error; err != nil {
		return nil, err
	}
	rules := make([]filter.Rule, 0, len(words))
	for _, w := range words {
		rules = append(rules, filter.Rule{Pattern: w.Pattern, Category: w.Category, Action: w.Action, Group: w.GroupID != 0})
	}
	f, _ := filter.Compile(rules) // stored rules were checked when added
	s.mu.Lock()
	s.cache[groupID] = compiled{count: v.Count, max: v.Max, f: f}
	s.mu.Unlock()
	return f, nil
}

// List returns a list's words, newest first (groupID 0: the school list).
func (s *Service) List(ctx context.Context, actor *auth.User, groupID uint64) ([]Word, error) {
	if err := s.mayEdit(ctx, actor, groupID); err != nil {
		return nil, err
	}
	var out []Word
	return out, s.db.WithContext(ctx).Where("group_id = ?", groupID).Order("id DESC").Find(&out).Error
}

var errNotEditor = apperr.New(apperr.ErrForbidden, "只有学校管理员可以编辑全校词库，群管理员可以编辑本群词库")

func (s *Service) mayEdit(ctx context.Context, actor *auth.User, groupID uint64) error {
	if actor == nil {
		return apperr.ErrUnauthenticated
	}
	if groupID == 0 {
		if actor.Role != auth.RoleAdmin {
			return errNotEditor
		}
		return nil
	}
	a, err := s.groups.Access(ctx, actor, groupID)
	if err != nil {
		return err
	}
	if !a.CanModerate() {
		return errNotEditor
	}
	return nil
}

// Add puts a rule on a list; an allow rule is added the same way.
func (s *Service) Add(ctx context.Context, actor *auth.User, groupID uint64, pattern string, category filter.Category, action filter.Action) error {
	if err := s.mayEdit(ctx, actor, groupID); err != nil {
		return err
	}
	pattern = strings.TrimSpace(pattern)
	v := &apperr.ValidationError{}
	if !category.Valid() {
		v.Add("category", "请选择类别")
	}
	if !action.Valid() {
		v.Add("action", "请选择处理方式")
	}
	if v.Err() == nil {
		if _, errs := filter.Compile([]filter.Rule{{Pattern: pattern, Category: category, Action: action}}); len(errs) > 0 {
			var pe *filter.PatternError
			if errors.As(errs[0], &pe) {
				v.Add("pattern", "词条"+pe.Reason)
			}
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		w := Word{GroupID: groupID, Pattern: pattern, Category: category, Action: action, CreatedBy: &actor.ID, CreatedAt: now}
		if err := tx.Create(&w).Error; err != nil {
			if db.IsDuplicate(err) {
				return apperr.Invalid("pattern", "词库里已有这个词条")
			}
			return err
		}
		return s.record(ctx, tx, actor, groupID, modlog.AddWord, fmt.Sprintf("%s（%s，%s）", pattern, category.Label(), action.Label()), now)
	})
}

// Delete removes a rule from a list.
func (s *Service) Delete(ctx context.Context, actor *auth.User, groupID, wordID uint64) error {
	if err := s.mayEdit(ctx, actor, groupID); err != nil {
		return err
	}
	now := s.now()
	return db.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var w Word
		if err := tx.Where("id = ? AND group_id = ?", wordID, groupID).Take(&w).Error; err != nil {
			return db.Translate(err)
		}
		if err := tx.Where("id = ?", wordID).Delete(&Word{}).Error; err != nil {
			return err
		}
		return s.record(ctx, tx, actor, groupID, modlog.DeleteWord, w.Pattern, now)
	})
}

func (s *Service) record(ctx context.Context, tx *gorm.DB, actor *auth.User, groupID uint64, action, detail string, now time.Time) error {
	if groupID == 0 {
		return audit.Record(ctx, tx, audit.Entry{ActorID: &actor.ID, Action: "words." + action, Detail: detail, CreatedAt: now})
	}
	return modlog.Record(ctx, tx, modlog.Entry{GroupID: groupID, ActorID: actor.ID, Action: action, Reason: detail, CreatedAt: now})
}
