package group

import "strconv"

// Chat is what the feed shows of a message beyond the moderation page's
// view of it: whose it is, the staff tag, the day it belongs to, and the
// viewer's menu.
type Chat struct {
	Own      bool   // the viewer wrote it: on the right, without a name
	Tag      string // 老师, 班主任
	Clock    string // 15:04, under the bubble
	Day      string // 2006-01-02 in the school's time zone
	DayLabel string // 今天, 昨天, 3月5日 周四: the divider above the day
	Recalled bool   // taken back by its author
	Menu     *Menu  // nil when there is nothing to do with it
}

// Menu is what the viewer may do with one message of the feed.
type Menu struct {
	Copy bool // it has text to copy
	// RecallURL takes it back, for RecallLeft more seconds (its author).
	RecallURL  string
	RecallLeft int
	// DeleteURL deletes it with a reason (moderators).
	DeleteURL string
	// CSRF is the forms' token; "" on a live rendering shared by many,
	// where htmx sends the token in a header.
	CSRF string
	// Open, Reason and Error show the menu again after a deletion refused
	// for its reason.
	Open          bool
	Reason, Error string
}

// Empty reports whether the menu offers nothing.
func (m Menu) Empty() bool { return !m.Copy && m.RecallURL == "" && m.DeleteURL == "" }

// gone is the placeholder of a deleted message.
func gone(m Item) string {
	switch {
	case m.Recalled && m.Own:
		return "你撤回了一条消息"
	case m.Recalled:
		return name(m) + " 撤回了一条消息"
	}
	return "此消息已被删除"
}

// name is how the feed calls the author: 张小明爸爸, or their name.
func name(m Item) string {
	if m.Call != "" {
		return m.Call
	}
	return m.Author
}

// initial is the author's avatar: the first character of their name.
func initial(m Item) string {
	for _, r := range m.Author {
		return string(r)
	}
	return "?"
}

func seconds(n int) string { return strconv.Itoa(n) }

// newDay reports whether items[i] starts a day of the feed.
func newDay(items []Item, i int) bool { return i == 0 || items[i-1].Day != items[i].Day }
