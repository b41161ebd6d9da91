// Package group renders the group screens: my groups, a group's page,
// members, invite, join requests and the parent's join form.
package group

// Card is one group in a list.
type Card struct {
	URL      string
	Name     string
	Kind     string
	Members  int
	Role     string
	Pending  int
	Requests string // URL of the requests page, for moderators
}

// ListView is the my-groups screen.
type ListView struct {
	Groups []Card
	// MyRequests are the parent's own join requests with their state.
	MyRequests []RequestLine
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
}

// Header is the top of every group screen.
type Header struct {
	Name    string
	Kind    string
	Members int
	Role    string
	Tabs    []Tab
}

// ShowView is a group's own page.
type ShowView struct {
	Header    Header
	CSRF      string
	CanRename bool
	RenameURL string
	Intro     string
}

// MemberRow is one member in the list.
type MemberRow struct {
	Name      string
	CallNames string
	Phone     string
	Role      string
	Kind      string // 教师/家长/管理员
	// Appoint and Dismiss are the moderator actions the viewer may take.
	AppointURL string
	DismissURL string
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
