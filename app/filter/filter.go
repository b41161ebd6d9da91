// Package filter finds banned content in Chinese and English text before
// anything is stored. It is pure: no I/O, no clock, no database.
//
// Rules are word or phrase patterns with a category and an action: block
// (refuse), review (hold for moderators) or mask (replace with ＊); an
// allow entry wins over any banned match it overlaps, so 路口 keeps 口交
// from censoring 路口交通. Detectors without word lists find mainland ID
// numbers with a valid checksum, mobile numbers, bank-card numbers passing
// Luhn, URLs and WeChat/QQ contact solicitations.
//
// Matching defeats the usual evasions: each character is folded on its own
// by NFKC (full-width forms, compatibility ideographs, Kangxi radicals,
// enclosed ideographs, styled letters) and a table of CJK radical forms,
// letter case is folded, traditional characters become simplified,
// invisible and filler characters (zero-width, format characters,
// variation selectors, tags, Hangul fillers, the Braille blank) vanish, and
// spaces, punctuation, symbols or emoji between the characters of a
// Chinese pattern are skipped. A pattern without Chinese characters
// matches whole words only. Every match is a span of the original text, so
// masking changes nothing outside it. The URL detector holds bare domains
// and link shorteners without a scheme too, and addresses written with
// full-width letters or dots.
package filter

import "fmt"

// Category is a kind of banned content.
type Category string

// Categories (DESIGN §2).
const (
	Illegal  Category = "illegal"
	Violence Category = "violence"
	Abuse    Category = "abuse"
	Ads      Category = "ads"
	Privacy  Category = "privacy"
	Porn     Category = "porn"
	Offtopic Category = "offtopic"
)

// Categories in the order forms list them.
var Categories = []Category{Illegal, Violence, Abuse, Ads, Privacy, Porn, Offtopic}

// Label is the category's name as users read it.
func (c Category) Label() string {
	switch c {
	case Illegal:
		return "违法"
	case Violence:
		return "暴力"
	case Abuse:
		return "人身攻击"
	case Ads:
		return "商业广告"
	case Privacy:
		return "涉密及个人隐私"
	case Porn:
		return "色情"
	case Offtopic:
		return "与教学无关"
	}
	return string(c)
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Action is what happens to content that matches.
type Action string

// Actions, strongest first.
const (
	Block  Action = "block"
	Review Action = "review"
	Mask   Action = "mask"
	Allow  Action = "allow"
)

// Actions in the order forms list them.
var Actions = []Action{Block, Review, Mask, Allow}

// Label is the action's name as users read it.
func (a Action) Label() string {
	switch a {
	case Block:
		return "拒绝发布"
	case Review:
		return "待审核"
	case Mask:
		return "打码"
	case Allow:
		return "放行"
	}
	return string(a)
}

// Valid reports whether a is a known action.
func (a Action) Valid() bool { return a == Block || a == Review || a == Mask || a == Allow }

func (a Action) rank() int {
	switch a {
	case Block:
		return 3
	case Review:
		return 2
	case Mask:
		return 1
	}
	return 0
}

// Rule is one word-list entry.
type Rule struct {
	Pattern  string
	Category Category
	Action   Action
	// Group marks a rule of a group's own list. A group's allow entry
	// lifts only that group's own bans: never the school-wide list's, nor
	// the detectors'. A school-wide allow entry lifts any ban it covers.
	Group bool
}

// Detector names, in Match.Source.
const (
	SourceWord     = "word"
	SourceIDCard   = "idcard"
	SourceMobile   = "mobile"
	SourceBankCard = "bankcard"
	SourceURL      = "url"
	SourceContact  = "contact"
)

// Match is one finding: the span [Start, End) of the original text in bytes.
type Match struct {
	Start, End int
	Category   Category
	Action     Action
	// Source is SourceWord for a word-list rule, else the detector.
	Source  string
	Pattern string
	// Group says the rule came from a group's own list (see Rule.Group).
	Group bool
}

// Result is what Check found.
type Result struct {
	Matches []Match
	// Action is the strongest action of the matches ("" when clean).
	Action Action
	// Category is the category of the first match with that action.
	Category Category
}

// Decide recomputes Action and Category from Matches, for callers that
// drop some matches (a detector that does not apply to staff, say).
func (r *Result) Decide() {
	r.Action, r.Category = "", ""
	for _, m := range r.Matches {
		if m.Action.rank() > r.Action.rank() {
			r.Action, r.Category = m.Action, m.Category
		}
	}
}

// Without returns the result without the matches of the given source.
func (r Result) Without(source string) Result {
	out := Result{}
	for _, m := range r.Matches {
		if m.Source != source {
			out.Matches = append(out.Matches, m)
		}
	}
	out.Decide()
	return out
}

// PatternError is a rule that cannot be compiled.
type PatternError struct {
	Pattern string
	Reason  string
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("filter: pattern %q: %s", e.Pattern, e.Reason)
}

// MaxPatternRunes bounds a pattern's length.
const MaxPatternRunes = 40
