// Package group renders the group screens: my groups, a group's page,
// members, invite, join requests and the parent's join form.
package group

import (
	"strconv"

	"github.com/a-h/templ"

	"jiaxiao/views/component"
)

// Card is one group in a list.
type Card struct {
	ID       uint64
	URL      string
	Name     string
	Kind     string
	Members  int
	Role     string
	Pending  int
	Requests string // URL of the requests page, for moderators
	// Moderates says the viewer handles the group's join requests: the
	// card shows their number, live.
	Moderates bool
}

// ListView is the my-groups screen.
type ListView struct {
	Groups []Card
	// MyRequests are the parent's own join requests with their state.
	MyRequests []RequestLine
	// Code is an invite code typed in that opens no class, kept in its
	// box with CodeError beside it.
	Code, CodeError string
}

// RequestLine is a parent's view of their own request.
type RequestLine struct {
	Student string
	Status  string
	Reason  string
}

// Tab is a link in a group's sub-navigation.
type Tab struct {
	Label, URL string
	Active     bool
	Badge      int
	// Pending says the badge is the group's pending join requests, kept
	// current live.
	Pending bool
}

// Header is the top of every group screen.
type Header struct {
	ID      uint64
	Name    string
	Kind    string
	Members int
	Role    string
	Tabs    []Tab
}

// MemberRow is one member in the list.
type MemberRow struct {
	UserID    uint64
	Name      string
	CallNames string
	Phone     string
	// PhoneFull says Phone is the whole number (a tap calls it), not masked.
	PhoneFull bool
	// Role is the group role worth a tag (群主/管理员), "" for a member.
	Role string
	Kind string // 教师/家长/管理员
	// Tags are what the member is in the class: 班主任, 老师, 管理员 ….
	Tags []string
	// Appoint and Dismiss are the moderator actions the viewer may take.
	AppointURL string
	DismissURL string
	// Moderate is set when the viewer may mute or remove this member.
	Moderate *MemberAction
	Muted    string
}

// MembersView is the members screen.
type MembersView struct {
	Header  Header
	CSRF    string
	Members []MemberRow
}

// InviteView is the invite screen for head teachers and moderators.
type InviteView struct {
	Header   Header
	CSRF     string
	Code     string
	Link     string
	QRURL    string
	ResetURL string
}

// RequestRow is a pending request as the moderator sees it.
type RequestRow struct {
	ID          uint64
	Parent      string
	Phone       string
	PhoneFull   bool // the whole number (a tap calls it), not masked
	Student     string
	StudentNo   string
	Relation    string
	RosterMatch bool
	When        string
	ApproveURL  string
	RejectURL   string
}

// RequestsView is the join-requests screen.
type RequestsView struct {
	Header        Header
	CSRF          string
	Requests      []RequestRow
	ApproveAllURL string
	MatchedCount  int
	Notice        string
	Error         string
	RejectErrorID uint64
	RejectError   string
	// RejectReason is what was typed as the reason of the refused
	// rejection, kept in its box.
	RejectReason string
	// ErrorID is the request Error is about (shown in its card), 0 for
	// the list as a whole.
	ErrorID uint64
	// OOB adds the header's counts to an htmx answer, swapped where they
	// stand.
	OOB bool
}

// JoinForm is the parent's join screen.
type JoinForm struct {
	Class       string
	Action      string
	StudentNo   string
	StudentName string
	Relation    string
	Relations   []string
	Errors      map[string]string
	Done        bool
}

// Item is one message of the feed. Own and Menu are the viewer's (see
// chat.go); live updates render each kind of viewer's version once.
type Item struct {
	ID         uint64
	DOMID      string
	Author     string
	Call       string
	Time       string
	Body       string
	Status     string // visible, held, deleted
	HeldNote   string
	FileName   string
	FileURL    string
	IsImage    bool
	MentionAll bool
	URL        string // the message's own page, with its actions
	Chat
}

// FeedView is a group's feed with the compose form.
type FeedView struct {
	Header    Header
	CSRF      string
	Items     []Item
	OlderURL  string
	PostURL   string
	CanPost   bool
	NoPost    string // why the viewer cannot post now
	Body      string // the text kept after a failed post
	Error     string
	ShowHints bool
	// MaxUpload is the largest file taken, in bytes, checked before sending.
	MaxUpload int64
	// NewestURL, on an older page of the feed (?before=), links back to
	// the newest messages.
	NewestURL string
	// MembersURL is the members page, from the chat's title bar.
	MembersURL string
}

// MessageView is one message's page with the actions the viewer may take.
type MessageView struct {
	Header     Header
	CSRF       string
	Item       Item
	BackURL    string
	DeleteURL  string // moderators and the author
	NeedReason bool   // a moderator deleting someone else's message
	Reason     string // typed before a refused deletion
	ApproveURL string // held messages, moderators
	RejectURL  string
	Error      string
}

// ModerationView is a group's moderation page.
type ModerationView struct {
	Header     Header
	CSRF       string
	Held       []MessageRow
	Words      []WordRow
	WordsURL   string
	Categories []component.Option
	Actions    []component.Option
	Pattern    string
	WordError  string
	MutedAll   bool
	MuteAllURL string
	Mutes      []MuteRow
	Log        []LogRow
	// CanSetPosting and CanRename come from group.Access.
	CanSetPosting bool
	CanRename     bool
	Posting       bool
	PostingURL    string
	RenameURL     string
	// NewName and NameError are a refused new name and why.
	NewName, NameError string
}

// MessageRow is a held message on the moderation page.
type MessageRow struct {
	Item       Item
	ApproveURL string
	RejectURL  string
	// RejectError is the message after a rejection without a reason.
	RejectError string
}

// WordRow is one word-list entry.
type WordRow struct {
	Pattern, Category, Action, DeleteURL string
}

// MuteRow is one current mute.
type MuteRow struct {
	Name, Until, UnmuteURL string
}

// LogRow is one moderation-log line.
type LogRow struct {
	When, Actor, Action, Subject, Reason string
}

// MemberAction is what a moderator may do to a member on the members page.
type MemberAction struct {
	MuteURL, RemoveURL, UnmuteURL string
	Durations                     []component.Option
	// Open shows the actions unfolded: after a refused removal, with the
	// reason typed and the message for it.
	Open                bool
	Reason, ReasonError string
	Ban                 bool
	// MinutesError is the message after a mute without a valid length.
	MinutesError string
}

// rejectError is the reason's error for request id, if it was the one
// rejected without a reason.
func rejectError(v RequestsView, id uint64) string {
	if v.RejectErrorID == id {
		return v.RejectError
	}
	return ""
}

// rejectReason is the reason typed for request id, if its rejection was
// refused.
func rejectReason(v RequestsView, id uint64) string {
	if v.RejectErrorID == id {
		return v.RejectReason
	}
	return ""
}

// countID is the id of a count of a group on a page: g5-members.
func countID(groupID uint64, kind string) string {
	return "g" + strconv.FormatUint(groupID, 10) + "-" + kind
}

// liveCount marks an element as showing the group's count of kind
// (members, pending), swapped by static/js/25-groups.js on each live
// counts event for that group.
func liveCount(groupID uint64, kind string) templ.Attributes {
	return templ.Attributes{"data-count": kind, "data-group": strconv.FormatUint(groupID, 10), "sse-swap": "counts", "hx-swap": "none"}
}

// HasMenu reports whether the viewer may do anything to the member.
func (m MemberRow) HasMenu() bool {
	return m.Moderate != nil || m.AppointURL != "" || m.DismissURL != ""
}

// Open reports whether the member's menu is to be shown unfolded.
func (m MemberRow) Open() bool { return m.Moderate != nil && m.Moderate.Open }

// Display is the member's main name: how the class knows them (张小明妈妈)
// or, for others, their name.
func (m MemberRow) Display() string {
	if m.CallNames != "" {
		return m.CallNames
	}
	return m.Name
}

// memberID is the DOM id of a member's card (part "") or of one of its
// fields: m12, m12-reason.
func memberID(userID uint64, part string) string {
	id := "m" + strconv.FormatUint(userID, 10)
	if part != "" {
		id += "-" + part
	}
	return id
}

// renameValue is what the rename box holds: the refused name, or the
// current one.
func renameValue(v ModerationView) string {
	if v.NameError != "" {
		return v.NewName
	}
	return v.Header.Name
}
