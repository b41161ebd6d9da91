package filter

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// ring remembers where the last symbols of a stream began, so a match of
// n symbols ending now can be turned into a span of the original text.
type ring struct {
	starts []int
	mask   int
	count  int
}

func newRing(maxLen int) ring {
	size := 1
	for size < maxLen+1 {
		size <<= 1
	}
	return ring{starts: make([]int, size), mask: size - 1}
}

func (r *ring) push(start int) {
	r.starts[r.count&r.mask] = start
	r.count++
}

// startOf is where the symbol n symbols back (n = 1 is the last) began.
func (r *ring) startOf(n int) int { return r.starts[(r.count-n)&r.mask] }

// Check finds every banned span of text.
func (f *Filter) Check(text string) Result {
	var res Result
	hanOn, latinOn := !f.han.empty(), !f.latin.empty()
	hr, lr := newRing(f.maxLen), newRing(f.maxLen)
	var hs, ls int32
	lastSpace := false
	firstDigit := -1 // where the number detectors need to start, if anywhere
	wideURL := false // a full-width letter or dot, or 。 after ASCII: see foldedURLs
	for i := 0; i < len(text); {
		// Decode one rune; one- and three-byte forms (ASCII, CJK) inline.
		c0 := text[i]
		var r rune
		size := 1
		switch {
		case c0 < 0x80:
			r = rune(c0)
		case c0&0xF0 == 0xE0 && i+2 < len(text) && text[i+1]&0xC0 == 0x80 && text[i+2]&0xC0 == 0x80:
			r = rune(c0&0x0F)<<12 | rune(text[i+1]&0x3F)<<6 | rune(text[i+2]&0x3F)
			size = 3
			if r < 0x800 || (r >= 0xD800 && r <= 0xDFFF) {
				r, size = utf8.RuneError, 1
			}
		default:
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		var sym int32
		var class int
		if r < 0x10000 {
			v := f.runes[r]
			sym, class = int32(v&runeMask), int(v>>classShift)
		} else {
			var n rune
			n, class = lookup(table(), r)
			sym = f.symbolOf(n)
		}
		end := i + size
		switch class {
		case classZeroWidth:
		case classHan, classWord:
			if firstDigit < 0 && (r >= '0' && r <= '9' || r >= '０' && r <= '９') {
				firstDigit = i
			}
			if r >= '０' && r <= 'ｚ' {
				wideURL = true
			}
			if hanOn {
				hr.push(i)
				if sym == 0 {
					hs = 0
				} else {
					hs = f.han.step(hs, sym)
					if hs < 0 {
						hs &^= hasOut
						for _, p := range f.han.outputs(hs) {
							res.Matches = append(res.Matches, f.match(f.hanRule[p], hr.startOf(int(f.hanLen[p])), end))
						}
					}
				}
			}
			if latinOn {
				if class == classHan || sym == 0 {
					ls = 0 // Latin patterns hold no Chinese characters
				} else {
					lr.push(i)
					ls = f.latin.step(ls, sym)
					f.latinMatches(&res, text, &lr, &ls, end)
				}
			}
			lastSpace = false
		case classSpace:
			if latinOn && !lastSpace {
				lr.push(i)
				ls = f.latin.step(ls, f.space)
				f.latinMatches(&res, text, &lr, &ls, end)
			}
			lastSpace = true
		default: // noise: skipped by the Han stream, a symbol (or a break) for the Latin one
			if r == '．' || r == '｡' || r == '。' && i > 0 && text[i-1] < 0x80 {
				wideURL = true
			}
			if latinOn {
				if sym == 0 {
					ls = 0
				} else {
					lr.push(i)
					ls = f.latin.step(ls, sym)
					f.latinMatches(&res, text, &lr, &ls, end)
				}
			}
			lastSpace = false
		}
		i = end
	}
	if firstDigit >= 0 {
		for _, m := range numbers(text[firstDigit:]) {
			m.Start += firstDigit
			m.End += firstDigit
			res.Matches = append(res.Matches, m)
		}
	}
	res.Matches = append(res.Matches, urls(text)...)
	if wideURL {
		res.Matches = append(res.Matches, foldedURLs(text)...)
	}
	res.Matches = applyAllow(res.Matches)
	sortByStart(res.Matches)
	res.Decide()
	return res
}

func (f *Filter) match(rule int32, start, end int) Match {
	r := f.rules[rule]
	return Match{Start: start, End: end, Category: r.Category, Action: r.Action, Source: f.sources[rule], Pattern: r.Pattern, Group: r.Group}
}

// latinMatches records the Latin patterns ending at state s that stand as
// whole words: no letter or digit right before or after them.
func (f *Filter) latinMatches(res *Result, text string, lr *ring, s *int32, end int) {
	if *s >= 0 {
		return
	}
	*s &^= hasOut
	for _, p := range f.latin.outputs(*s) {
		start := lr.startOf(int(f.latinLen[p]))
		if wordAt(text[:start], true) || wordAt(text[end:], false) {
			continue
		}
		res.Matches = append(res.Matches, f.match(f.latinRule[p], start, end))
	}
}

// wordAt reports whether the rune at the end (before) or start (after) of
// s is a letter or digit other than a Chinese character. Invisible
// characters are looked through: "a\u200bsex" reads as one word, as it shows.
func wordAt(s string, before bool) bool {
	t := table()
	for s != "" {
		var r rune
		var size int
		if before {
			r, size = utf8.DecodeLastRuneInString(s)
			s = s[:len(s)-size]
		} else {
			r, size = utf8.DecodeRuneInString(s)
			s = s[size:]
		}
		if _, c := lookup(t, r); c != classZeroWidth {
			return c == classWord
		}
	}
	return false
}

// sortByStart orders matches by where they start, keeping the order of
// equal starts. The streams emit matches nearly in order, so insertion
// sort does little work.
func sortByStart(ms []Match) {
	for i := 1; i < len(ms); i++ {
		if ms[i].Start >= ms[i-1].Start {
			continue
		}
		m := ms[i]
		j := i
		for j > 0 && ms[j-1].Start > m.Start {
			ms[j] = ms[j-1]
			j--
		}
		ms[j] = m
	}
}

// applyAllow drops every banned match that an allow match overlaps (a
// group's allow only a ban of the group's own list), then the allow
// matches themselves.
func applyAllow(ms []Match) []Match {
	var allows []Match
	for _, m := range ms {
		if m.Action == Allow {
			allows = append(allows, m)
		}
	}
	out := ms[:0]
	for _, m := range ms {
		if m.Action == Allow {
			continue
		}
		covered := false
		for _, a := range allows {
			if a.Start < m.End && m.Start < a.End && (!a.Group || m.Group) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, m)
		}
	}
	return out
}

// MaskString replaces every rune inside the spans of the matches whose
// action is Mask with ＊ and leaves everything else as it was.
func MaskString(text string, ms []Match) string {
	type span struct{ s, e int }
	var spans []span
	for _, m := range ms {
		if m.Action == Mask && m.Start >= 0 && m.End <= len(text) && m.Start < m.End {
			spans = append(spans, span{m.Start, m.End})
		}
	}
	if len(spans) == 0 {
		return text
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].s < spans[j].s })
	var b strings.Builder
	pos := 0
	for _, sp := range spans {
		if sp.e <= pos {
			continue
		}
		if sp.s > pos {
			b.WriteString(text[pos:sp.s])
		} else {
			sp.s = pos
		}
		for range utf8.RuneCountInString(text[sp.s:sp.e]) {
			b.WriteString("＊")
		}
		pos = sp.e
	}
	b.WriteString(text[pos:])
	return b.String()
}

// Published checks text staff publish to families (a notice, homework, an
// attachment's name): links and phone numbers are theirs to give, so
// those findings do not count. ok is false when the rest would be
// blocked or held for review, and res says why; otherwise masked is the
// text with what is only masked masked.
func (f *Filter) Published(text string) (masked string, res Result, ok bool) {
	res = f.Check(text).Without(SourceURL).Without(SourceMobile)
	if res.Action == Block || res.Action == Review {
		return text, res, false
	}
	return MaskString(text, res.Matches), res, true
}
