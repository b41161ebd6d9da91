// Package privacy renders the privacy notice and children's rules, the
// consent asked at registration and after a change, their admin page,
// and a family's access log (谁查看了我的信息).
package privacy

import (
	"regexp"
	"strings"
)

// Notice is one version of the notice as a page shows it.
type Notice struct {
	Version  int
	Date     string // when it took effect, in words
	Policy   []Para
	Children []Para
	// Retention is how long each kind of data is kept, from the settings.
	Retention []Period
	// Officer and Contact are the person responsible for personal
	// information; empty until the school names one.
	Officer, Contact string
	// URL is the page of this version.
	URL string
}

// Para is a paragraph of a notice; Heading for a numbered section title
// (一、…).
type Para struct {
	Text    string
	Heading bool
}

// Period is how long one kind of data is kept.
type Period struct{ What, Days string }

var heading = regexp.MustCompile(`^[一二三四五六七八九十]+、`)

// Paras splits plain text into paragraphs, one per non-empty line.
func Paras(text string) []Para {
	var out []Para
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		out = append(out, Para{Text: line, Heading: heading.MatchString(line)})
	}
	return out
}

// ConsentBox is the agreement box of the registration form.
type ConsentBox struct {
	Notice  Notice
	Checked bool
	Error   string
}

// ConsentView is the page that asks a parent to agree to a changed notice.
type ConsentView struct {
	CSRF   string
	Notice Notice
	Next   string
	// Agreed is when the user agreed to this version; "" if not yet.
	Agreed string
	// Previous is the version the user agreed to before, 0 if none.
	Previous int
	Error    string
}

// NoticePage is the public page of one version.
type NoticePage struct {
	Notice Notice
	// Current says this is the version in force; Newest links to it.
	Current bool
	Newest  string
}

// AdminView is /admin/privacy: the edit form and the history.
type AdminView struct {
	CSRF string
	Form AdminForm
	// Current is the version in force, shown beside the form.
	Current int
	History []Version
	Error   string
}

// AdminForm is what the admin typed, kept on a refusal.
type AdminForm struct {
	Policy, Children, Officer, Contact string
	AsksAgain                          bool
	Errors                             map[string]string
}

// Version is a line of the history.
type Version struct {
	Version   int
	URL       string
	Author    string
	When      string
	AsksAgain bool
	Agreed    int
	Current   bool
}

// AccessView is a family's access log.
type AccessView struct {
	Lines []AccessLine
	// Prev and Next are the newer and older pages, "" at either end.
	Prev, Next string
	Page       int
}

// AccessLine is one line: who, when, what, whose.
type AccessLine struct {
	Who, Role, What, About, When string
	Count                        int
}
