// Package layout holds the page shell shared by every screen: head, site
// header with role navigation, and footer.
package layout

// Page is what the shell needs to know about the current request.
type Page struct {
	Title string
	CSRF  string
	User  *User // nil when nobody is logged in
	Nav   []NavItem
	// Tabs is the phone's bottom tab bar (hidden on a wide screen, where
	// Nav shows instead).
	Tabs []NavItem
	// Flash is the one-time message after a form succeeded.
	Flash string
	// Narrow centres a small form (login, register) on the page.
	Narrow bool
	// Wide gives a page of tables (a month of attendance, the user list)
	// the width of a desktop; other pages keep a readable column.
	Wide bool
	// Unread is the count of unread notifications for the badge.
	Unread int
	// Events is the live stream the page listens to: "/events" for every
	// logged-in page, "/events?group=N" on a group's feed.
	Events string
}

// User is the logged-in person as the header shows them.
type User struct {
	Name      string
	RoleLabel string
}

// NavItem is one link of the navigation.
type NavItem struct {
	Label  string
	URL    string
	Active bool
	Icon   string // home, chat, notice, clock, me: the tab bar's pictures
}

// htmxConfig swaps 422 answers (a form re-rendered with its errors) and
// keeps htmx from injecting inline styles, which the CSP forbids.
const htmxConfig = `{"includeIndicatorStyles":false,"allowScriptTags":false,"allowEval":false,"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"422","swap":true},{"code":"[45]..","swap":false,"error":true}]}`
