// Package notice is how teachers and the office reach families: a notice
// goes to one or more groups; publishing snapshots the recipients (the
// members of the target groups at that moment, once each) into one receipt
// each, in one transaction, and tells each of them live. Opening a notice
// marks it read and 收到 acknowledges it; either marks read the 提醒 that
// pointed at it. The author, moderators of a target group and admins see
// who has not read or not acknowledged it; the author and admins can DING
// them by hand; unread recipients are DINGed automatically once (see
// Schedule). Every published notice is archived.
package notice

import (
	"context"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/file"
	"jiaxiao/app/filter"
	"jiaxiao/app/group"
	"jiaxiao/app/setting"
)

// Categories a notice may have (DESIGN §3).
var Categories = []string{"通知", "公告", "安全提醒", "活动", "文件"}

// Statuses.
const (
	Scheduled = "scheduled"
	Published = "published"
)

// Job kinds.
const (
	JobPublish = "notice.publish"
	JobDing    = "notice.ding"
	JobRemind  = "notice.remind"
)

// Notice is one notice.
type Notice struct {
	ID          uint64
	AuthorID    uint64
	Title       string
	Body        string
	Category    string
	RequiresAck bool
	Status      string
	PublishAt   time.Time
	PublishedAt *time.Time
	Recipients  int
	AutoDingAt  *time.Time
	LastDingAt  *time.Time
	ArchivedAt  *time.Time
	CreatedAt   time.Time
	// Audience is who publishing reached, by role; set by Compose on a
	// notice it published.
	Audience Audience `gorm:"-"`
}

// Receipt is one recipient's state of a notice.
type Receipt struct {
	NoticeID uint64 `gorm:"primaryKey;autoIncrement:false"`
	UserID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	ReadAt   *time.Time
	AckedAt  *time.Time
	DingedAt *time.Time
}

type noticeGroup struct {
	NoticeID uint64 `gorm:"primaryKey;autoIncrement:false"`
	GroupID  uint64 `gorm:"primaryKey;autoIncrement:false"`
}

func (noticeGroup) TableName() string { return "notice_groups" }

type noticeFile struct {
	NoticeID uint64 `gorm:"primaryKey;autoIncrement:false"`
	FileID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Position int
}

func (noticeFile) TableName() string { return "notice_files" }

// Filters gives the compiled banned-content filter (group 0: school-wide).
type Filters interface {
	Filter(ctx context.Context, groupID uint64) (*filter.Filter, error)
}

// Service is the notices' API.
type Service struct {
	db       *gorm.DB
	now      func() time.Time
	loc      *time.Location
	groups   *group.Service
	filters  Filters
	files    *file.Service
	settings *setting.Service
	log      *slog.Logger
}

// Options configure NewService.
type Options struct {
	DB       *gorm.DB
	Now      func() time.Time
	Location *time.Location
	Groups   *group.Service
	Filters  Filters
	Files    *file.Service
	Settings *setting.Service
	Log      *slog.Logger
}

// NewService returns the notice service.
func NewService(o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	return &Service{db: o.DB, now: func() time.Time { return o.Now().UTC() }, loc: o.Location, groups: o.Groups, filters: o.Filters,
		files: o.Files, settings: o.Settings, log: o.Log}
}
