package export

import (
	"time"

	"jiaxiao/app/attendance"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/group"
	"jiaxiao/app/message"
	"jiaxiao/app/notice"
	"jiaxiao/app/notify"
	"jiaxiao/app/school"
)

// The rows of data.json. Keys are English and stable (Format); codes
// (statuses, roles) come with a Chinese label beside them; times are
// RFC 3339 in the school's time zone, null when something has not
// happened.

type accountJSON struct {
	ID         uint64 `json:"id"`
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Role       string `json:"role"`
	RoleLabel  string `json:"role_label"`
	Status     string `json:"status"`
	Department string `json:"department,omitempty"`
	CreatedAt  string `json:"created_at"`
}

type childJSON struct {
	Name      string `json:"name"`
	StudentNo string `json:"student_no"`
	Class     string `json:"class"`
	Relation  string `json:"relation"`
}

type guardianshipJSON struct {
	Student       string  `json:"student"`
	StudentNo     string  `json:"student_no"`
	Class         string  `json:"class"`
	StudentStatus string  `json:"student_status"`
	Relation      string  `json:"relation"`
	ApprovedAt    string  `json:"approved_at"`
	RevokedAt     *string `json:"revoked_at"`
	RevokedReason string  `json:"revoked_reason,omitempty"`
}

type groupJSON struct {
	ID        uint64 `json:"id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	KindLabel string `json:"kind_label"`
	Role      string `json:"role"`
	RoleLabel string `json:"role_label"`
	JoinedAt  string `json:"joined_at"`
}

type sessionJSON struct {
	Device     string `json:"device"`
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
	CreatedAt  string `json:"created_at"`
	LastSeenAt string `json:"last_seen_at"`
}

type joinRequestJSON struct {
	ID          uint64  `json:"id"`
	GroupID     uint64  `json:"group_id"`
	Group       string  `json:"group"`
	Student     string  `json:"student"`
	Relation    string  `json:"relation"`
	Status      string  `json:"status"`
	StatusLabel string  `json:"status_label"`
	RosterMatch bool    `json:"roster_match"`
	Reason      string  `json:"reason,omitempty"`
	CreatedAt   string  `json:"created_at"`
	DecidedAt   *string `json:"decided_at"`
}

type fileRefJSON struct {
	ID   uint64 `json:"id"`
	Name string `json:"name"`
	Path string `json:"path,omitempty"`
}

type messageJSON struct {
	ID            uint64       `json:"id"`
	GroupID       uint64       `json:"group_id"`
	Group         string       `json:"group"`
	Body          string       `json:"body"`
	File          *fileRefJSON `json:"file"`
	Status        string       `json:"status"`
	StatusLabel   string       `json:"status_label"`
	MentionAll    bool         `json:"mention_all,omitempty"`
	HeldReason    string       `json:"held_reason,omitempty"`
	DeletedReason string       `json:"deleted_reason,omitempty"`
	CreatedAt     string       `json:"created_at"`
	DecidedAt     *string      `json:"decided_at"`
}

type noticeJSON struct {
	ID          uint64  `json:"id"`
	Title       string  `json:"title"`
	Category    string  `json:"category"`
	RequiresAck bool    `json:"requires_ack"`
	PublishedAt *string `json:"published_at"`
	ReadAt      *string `json:"read_at"`
	AckedAt     *string `json:"acked_at"`
}

type notificationJSON struct {
	ID        uint64  `json:"id"`
	Kind      string  `json:"kind"`
	Title     string  `json:"title"`
	Body      string  `json:"body"`
	Link      string  `json:"link,omitempty"`
	CreatedAt string  `json:"created_at"`
	ReadAt    *string `json:"read_at"`
}

type punchJSON struct {
	ID        uint64  `json:"id"`
	At        string  `json:"at"`
	Source    string  `json:"source"`
	Lat       float64 `json:"lat"`
	Lng       float64 `json:"lng"`
	Accuracy  float64 `json:"accuracy_m"`
	DistanceM float64 `json:"distance_m"`
	Field     bool    `json:"field"`
	Flagged   bool    `json:"flagged"`
	Note      string  `json:"note,omitempty"`
	IP        string  `json:"ip"`
	UserAgent string  `json:"user_agent"`
}

type approvalJSON struct {
	ID           uint64  `json:"id"`
	Kind         string  `json:"kind"`
	KindLabel    string  `json:"kind_label"`
	LeaveKind    string  `json:"leave_kind,omitempty"`
	StartAt      *string `json:"start_at,omitempty"`
	EndAt        *string `json:"end_at,omitempty"`
	Days         float64 `json:"days,omitempty"`
	Day          string  `json:"day,omitempty"`
	Which        string  `json:"which,omitempty"`
	Reason       string  `json:"reason"`
	Status       string  `json:"status"`
	StatusLabel  string  `json:"status_label"`
	RejectReason string  `json:"reject_reason,omitempty"`
	CreatedAt    string  `json:"created_at"`
	DecidedAt    *string `json:"decided_at"`
}

type fileJSON struct {
	ID          uint64 `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	UploadedAt  string `json:"uploaded_at"`
	// Path is where the file is in the zip; empty when it is not there,
	// and Note says why.
	Path string `json:"path,omitempty"`
	Note string `json:"note,omitempty"`
}

type limitsJSON struct {
	RowsPerSection int      `json:"rows_per_section"`
	MaxFiles       int      `json:"max_files"`
	MaxFileBytes   int64    `json:"max_file_bytes"`
	Cut            []string `json:"cut"`
	Note           string   `json:"note"`
}

func (e *Export) ts(t time.Time) string {
	return t.In(e.s.loc).Truncate(time.Second).Format(time.RFC3339)
}

func (e *Export) tsp(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := e.ts(*t)
	return &s
}

func (e *Export) account() accountJSON {
	u := e.actor
	return accountJSON{ID: u.ID, Name: u.Name, Phone: u.Phone, Role: string(u.Role), RoleLabel: u.Role.Label(), Status: string(u.Status),
		Department: u.Department, CreatedAt: e.ts(u.CreatedAt)}
}

func (e *Export) child(c school.Child) childJSON {
	return childJSON{Name: c.Name, StudentNo: c.StudentNo, Class: c.Class(), Relation: c.Relation}
}

var studentStatusLabels = map[school.StudentStatus]string{school.Enrolled: "在读", school.Transferred: "转出", school.Graduated: "毕业"}

func (e *Export) guardianship(g school.GuardianshipLine) guardianshipJSON {
	status := studentStatusLabels[g.StudentStatus]
	if status == "" {
		status = string(g.StudentStatus)
	}
	return guardianshipJSON{Student: g.StudentName, StudentNo: g.StudentNo, Class: g.Class(), StudentStatus: status, Relation: g.Relation,
		ApprovedAt: e.ts(g.ApprovedAt), RevokedAt: e.tsp(g.RevokedAt), RevokedReason: g.RevokedReason}
}

func (e *Export) membership(m group.MembershipLine) groupJSON {
	return groupJSON{ID: m.GroupID, Name: m.Name, Kind: string(m.Kind), KindLabel: m.Kind.Label(), Role: string(m.Role), RoleLabel: m.Role.Label(),
		JoinedAt: e.ts(m.JoinedAt)}
}

func (e *Export) session(s auth.ActiveSession) sessionJSON {
	return sessionJSON{Device: s.Device(), IP: s.IP, UserAgent: s.UserAgent, CreatedAt: e.ts(s.CreatedAt), LastSeenAt: e.ts(s.LastSeenAt)}
}

var requestLabels = map[group.RequestStatus]string{group.Pending: "待审核", group.Approved: "已通过", group.Rejected: "已驳回"}

func (e *Export) joinRequest(r group.JoinRequest) joinRequestJSON {
	return joinRequestJSON{ID: r.ID, GroupID: r.GroupID, Group: e.data.groupNames[r.GroupID], Student: e.data.studentNames[r.StudentID],
		Relation: r.Relation, Status: string(r.Status), StatusLabel: requestLabels[r.Status], RosterMatch: r.RosterMatch, Reason: r.Reason,
		CreatedAt: e.ts(r.CreatedAt), DecidedAt: e.tsp(r.DecidedAt)}
}

var messageLabels = map[message.Status]string{message.Visible: "已发布", message.Held: "待审核", message.Deleted: "已删除", message.Rejected: "未通过审核"}

func (e *Export) message(m message.Message, packed map[uint64]packedFile) messageJSON {
	out := messageJSON{ID: m.ID, GroupID: m.GroupID, Group: e.data.groupNames[m.GroupID], Body: m.Body, Status: string(m.Status),
		StatusLabel: messageLabels[m.Status], MentionAll: m.MentionAll, HeldReason: m.HeldReason, DeletedReason: m.DeletedReason,
		CreatedAt: e.ts(m.CreatedAt), DecidedAt: e.tsp(m.DecidedAt)}
	if m.FileID != nil {
		out.File = &fileRefJSON{ID: *m.FileID, Name: e.data.fileNames[*m.FileID], Path: packed[*m.FileID].path}
	}
	return out
}

func (e *Export) notice(n notice.ReceivedLine) noticeJSON {
	return noticeJSON{ID: n.NoticeID, Title: n.Title, Category: n.Category, RequiresAck: n.RequiresAck, PublishedAt: e.tsp(n.PublishedAt),
		ReadAt: e.tsp(n.ReadAt), AckedAt: e.tsp(n.AckedAt)}
}

func (e *Export) notification(n notify.Notification) notificationJSON {
	return notificationJSON{ID: n.ID, Kind: n.Kind, Title: n.Title, Body: n.Body, Link: n.Link, CreatedAt: e.ts(n.CreatedAt), ReadAt: e.tsp(n.ReadAt)}
}

func (e *Export) punch(p attendance.Punch) punchJSON {
	return punchJSON{ID: p.ID, At: e.ts(p.At), Source: p.Source, Lat: p.Lat, Lng: p.Lng, Accuracy: p.Accuracy, DistanceM: p.DistanceM,
		Field: p.Field, Flagged: p.Flagged, Note: p.Note, IP: p.IP, UserAgent: p.UserAgent}
}

var approvalLabels = map[string]string{attendance.StatusPending: "待审批", attendance.StatusApproved: "已批准", attendance.StatusRejected: "已驳回"}

func (e *Export) approval(a attendance.Approval) approvalJSON {
	kind := "请假"
	if a.Kind == attendance.KindMakeup {
		kind = "补卡"
	}
	return approvalJSON{ID: a.ID, Kind: a.Kind, KindLabel: kind, LeaveKind: a.LeaveKind, StartAt: e.tsp(a.StartAt), EndAt: e.tsp(a.EndAt),
		Days: a.Days, Day: a.Day, Which: a.Which, Reason: a.Reason, Status: a.Status, StatusLabel: approvalLabels[a.Status],
		RejectReason: a.RejectReason, CreatedAt: e.ts(a.CreatedAt), DecidedAt: e.tsp(a.DecidedAt)}
}

func (e *Export) file(f file.File, p packedFile) fileJSON {
	return fileJSON{ID: f.ID, Name: f.Name, Size: f.Size, ContentType: f.ContentType, SHA256: f.SHA256, UploadedAt: e.ts(f.CreatedAt),
		Path: p.path, Note: p.note}
}

func (e *Export) limits(cut []string) limitsJSON {
	l := limitsJSON{RowsPerSection: MaxRows, MaxFiles: MaxFiles, MaxFileBytes: MaxFileBytes, Cut: cut, Note: "各部分均已完整收录。"}
	if l.Cut == nil {
		l.Cut = []string{}
	}
	if e.data.filesCut {
		l.Cut = append(l.Cut, "files")
	}
	if len(l.Cut) > 0 {
		l.Note = "cut 中列出的部分超过上限，只收录了最近的部分；如需全部记录，请联系学校管理员。"
	}
	return l
}
