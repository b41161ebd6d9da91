// Package calendar says which days are school work days: Monday to Friday,
// overridden by the official holiday calendar with its make-up working days
// (法定节假日 / 调休, from github.com/6tail/lunar-go), overridden in turn by
// the school's own days. The rules are pure; the school's overrides are
// loaded from the database.
package calendar

import (
	"context"
	"fmt"
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"jiaxiao/app/event"
)

// Day is a date in the school's time zone, as "2006-01-02".
type Day string

// DayOf is the school-local date of t.
func DayOf(t time.Time, loc *time.Location) Day { return Day(t.In(loc).Format(time.DateOnly)) }

// Calendar answers work-day questions. The zero value knows only weekends
// and the official holidays.
type Calendar struct {
	// Overrides are the school's own days: true a work day, false a rest day.
	Overrides map[Day]bool
}

// Kind explains a day.
type Kind struct {
	Work bool
	// Name is the holiday or override note, "" for an ordinary day.
	Name string
}

// Explain says whether d is a work day and why.
func (c Calendar) Explain(d Day) Kind {
	if w, ok := c.Overrides[d]; ok {
		return Kind{Work: w, Name: "学校安排"}
	}
	t, err := time.Parse(time.DateOnly, string(d))
	if err != nil {
		return Kind{}
	}
	if h := HolidayUtil.GetHolidayByYmd(t.Year(), int(t.Month()), t.Day()); h != nil {
		if h.IsWork() {
			return Kind{Work: true, Name: h.GetName() + "调休上班"}
		}
		return Kind{Work: false, Name: h.GetName()}
	}
	wd := t.Weekday()
	return Kind{Work: wd != time.Saturday && wd != time.Sunday}
}

// IsWorkDay reports whether d is a school work day.
func (c Calendar) IsWorkDay(d Day) bool { return c.Explain(d).Work }

// Override is one school-specific day, stored in calendar_days.
type Override struct {
	Day       string `gorm:"primaryKey"`
	Work      bool
	Note      string
	UpdatedAt time.Time
}

// TableName implements gorm's Tabler.
func (Override) TableName() string { return "calendar_days" }

// Load reads the school's overrides.
func Load(ctx context.Context, db *gorm.DB) (Calendar, error) {
	var rows []Override
	if err := db.WithContext(ctx).Find(&rows).Error; err != nil {
		return Calendar{}, fmt.Errorf("calendar: load: %w", err)
	}
	c := Calendar{Overrides: make(map[Day]bool, len(rows))}
	for _, r := range rows {
		c.Overrides[Day(r.Day)] = r.Work
	}
	return c, nil
}

// Set stores a school-specific day. It publishes a calendar event through
// db (the caller's transaction), by which every instance drops its cached
// calendar.
func Set(ctx context.Context, db *gorm.DB, d Day, work bool, note string, now time.Time) error {
	if _, err := time.Parse(time.DateOnly, string(d)); err != nil {
		return fmt.Errorf("calendar: bad day %q", d)
	}
	err := db.WithContext(ctx).Clauses(clause.OnConflict{UpdateAll: true}).
		Create(&Override{Day: string(d), Work: work, Note: note, UpdatedAt: now.UTC()}).Error
	if err != nil {
		return err
	}
	return event.Publish(ctx, db, now, event.Event{Kind: event.Calendar})
}

// Holiday is one official holiday or make-up working day.
type Holiday struct {
	Day  Day
	Name string
	Work bool
}

// Holidays lists the official holidays and make-up working days of a year.
func Holidays(year int) []Holiday {
	var out []Holiday
	l := HolidayUtil.GetHolidaysByYear(year)
	for e := l.Front(); e != nil; e = e.Next() {
		if h, ok := e.Value.(*HolidayUtil.Holiday); ok {
			out = append(out, Holiday{Day: Day(h.GetDay()), Name: h.GetName(), Work: h.IsWork()})
		}
	}
	return out
}

// Overrides lists the school's own days, in date order.
func Overrides(ctx context.Context, db *gorm.DB) ([]Override, error) {
	var out []Override
	return out, db.WithContext(ctx).Order("day").Find(&out).Error
}

// Delete removes a school-specific day, publishing a calendar event like Set.
func Delete(ctx context.Context, db *gorm.DB, d Day, now time.Time) error {
	if err := db.WithContext(ctx).Where("day = ?", string(d)).Delete(&Override{}).Error; err != nil {
		return err
	}
	return event.Publish(ctx, db, now, event.Event{Kind: event.Calendar})
}
