package notice

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"jiaxiao/app/apperr"
	"jiaxiao/app/auth"
	"jiaxiao/app/school"
)

// Line is one recipient on the receipts page.
type Line struct {
	UserID uint64
	Name   string
	Phone  string // as the viewer may see it: full or masked
	// FullPhone says the viewer may see (and call) the full number.
	FullPhone bool
	Role      auth.Role
	Students  string // a parent's children and classes
	ReadAt    *time.Time
	AckedAt   *time.Time
}

// Progress counts a notice's receipts. Acknowledging also reads, so the
// acknowledged are among the read.
type Progress struct {
	Total, Read, Acked int
}

// Unread is how many have not opened the notice.
func (p Progress) Unread() int { return p.Total - p.Read }

// Unacked is how many opened it but have not acknowledged it.
func (p Progress) Unacked() int { return p.Read - p.Acked }

// ReceiptsPage picks a slice of the receipts, unread first, then read
// but not acknowledged, then done (see Receipts): Limit lines
// after Offset, or every line when Limit is 0 (the CSV).
type ReceiptsPage struct {
	Offset, Limit int
}

// Receipts returns the notice, its progress counted over every receipt,
// and the lines of one page, unread first, then (for a notice that asks
// for 收到) read but not acknowledged, then done, each parent with their
// children and classes. The author, moderators of a target group and
// admins may see them. A page costs the same whatever the notice's size.
func (s *Service) Receipts(ctx context.Context, actor *auth.User, id uint64, pg ReceiptsPage) (View, Progress, []Line, error) {
	v, err := s.access(ctx, s.db, actor, id)
	if err != nil {
		return v, Progress{}, nil, err
	}
	if !v.CanManage {
		return v, Progress{}, nil, apperr.New(apperr.ErrForbidden, "只有发布人、群管理员和学校管理员可以查看阅读情况")
	}
	p, err := s.progress(ctx, id)
	if err != nil {
		return v, p, nil, err
	}
	var rows []struct {
		UserID                    uint64
		ReadAt, AckedAt           *time.Time
		ContactName, ContactPhone string
		ContactRole               auth.Role
	}
	q := auth.JoinContact(s.db.WithContext(ctx).Model(&Receipt{}), "receipts.user_id").
		Select("receipts.user_id, receipts.read_at, receipts.acked_at, "+auth.ContactColumns).Where("receipts.notice_id = ?", id).
		Order("CASE WHEN receipts.read_at IS NULL THEN 0 WHEN receipts.acked_at IS NULL THEN 1 ELSE 2 END, contact_role, contact_name, receipts.user_id")
	if pg.Limit > 0 {
		q = q.Offset(max(pg.Offset, 0)).Limit(pg.Limit)
	}
	if err := q.Scan(&rows).Error; err != nil {
		return v, p, nil, fmt.Errorf("notice: receipts: %w", err)
	}
	lines := make([]Line, len(rows))
	var parents any = s.db.Model(&Receipt{}).Select("user_id").Where("notice_id = ?", id)
	if pg.Limit > 0 {
		ids := make([]uint64, len(rows))
		for i, r := range rows {
			ids[i] = r.UserID
		}
		parents = ids
	}
	for i, r := range rows {
		lines[i] = Line{UserID: r.UserID, Name: r.ContactName, Phone: r.ContactPhone, Role: r.ContactRole, ReadAt: r.ReadAt, AckedAt: r.AckedAt}
	}
	kids, err := school.ChildrenOf(ctx, s.db, school.ChildFilter{Parents: parents})
	if err != nil {
		return v, p, nil, fmt.Errorf("notice: receipts: %w", err)
	}
	byParent := map[uint64][]string{}
	for _, k := range kids {
		byParent[k.ParentID] = append(byParent[k.ParentID], k.Name+"（"+k.Class()+"）")
	}
	// The page and the CSV follow the same masking as every other list.
	phones, err := s.groups.PhonesFor(ctx, actor)
	if err != nil {
		return v, p, nil, err
	}
	for i := range lines {
		lines[i].Students = strings.Join(byParent[lines[i].UserID], "、")
		lines[i].Phone, lines[i].FullPhone = phones.Show(lines[i].UserID, lines[i].Phone), phones.Full(lines[i].UserID)
	}
	return v, p, lines, nil
}

// CSVHeader is the receipts export's header (CONTRACT §3).
var CSVHeader = []string{"姓名", "手机", "身份", "学生", "已读时间", "确认时间"}

// WriteCSV writes receipts (from Receipts) as CSV (UTF-8 with a BOM so
// Excel shows the Chinese), times in the school's zone, empty if not yet.
func (s *Service) WriteCSV(w io.Writer, lines []Line) error {
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(s.loc).Format("2006-01-02 15:04:05")
	}
	return school.WriteCSV(w, CSVHeader, lines, func(l Line) []string {
		return []string{l.Name, l.Phone, l.Role.Label(), l.Students, at(l.ReadAt), at(l.AckedAt)}
	})
}

// Progress counts a notice's receipts for those who may see them, without
// loading the recipients, and returns the notice with them.
func (s *Service) Progress(ctx context.Context, actor *auth.User, id uint64) (Notice, Progress, error) {
	v, err := s.access(ctx, s.db, actor, id)
	if err != nil {
		return v.Notice, Progress{}, err
	}
	if !v.CanManage {
		return v.Notice, Progress{}, apperr.New(apperr.ErrForbidden, "只有发布人、群管理员和学校管理员可以查看阅读情况")
	}
	p, err := s.progress(ctx, id)
	return v.Notice, p, err
}

// progress counts a notice's receipts in one query.
func (s *Service) progress(ctx context.Context, id uint64) (Progress, error) {
	var p struct{ Total, Read, Acked int }
	err := s.db.WithContext(ctx).Model(&Receipt{}).
		Select("COUNT(*) AS total, COUNT(read_at) AS `read`, COUNT(acked_at) AS acked").Where("notice_id = ?", id).Scan(&p).Error
	if err != nil {
		return Progress{}, fmt.Errorf("notice: progress: %w", err)
	}
	return Progress{Total: p.Total, Read: p.Read, Acked: p.Acked}, nil
}
