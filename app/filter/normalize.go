package filter

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
)

// Rune classes of the normalization table.
const (
	classNoise     = 0 // spaces, punctuation, symbols, emoji: skipped inside Chinese patterns
	classZeroWidth = 1 // dropped everywhere
	classHan       = 2
	classWord      = 3 // letters and digits other than Han
	classSpace     = 4 // whitespace: a word separator for Latin patterns
)

const (
	classShift = 24
	runeMask   = 1<<classShift - 1
)

// table maps every BMP rune to its normalized rune and class, packed as
// class<<24 | rune. Built once: it is a constant of the language, not state.
var table = sync.OnceValue(buildTable)

func buildTable() *[0x10000]uint32 {
	var t [0x10000]uint32
	t2s := traditionalToSimplified()
	for r := rune(0); r < 0x10000; r++ {
		n := foldRune(r)
		if s, ok := t2s[n]; ok {
			n = s
		}
		t[r] = uint32(classOf(n))<<classShift | uint32(n)
	}
	return &t
}

// foldRune folds full-width forms to ASCII, the ideographic space to a
// space, and letters to lower case.
func foldRune(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFF01 - 0x21
	case r == 0x3000:
		r = ' '
	}
	return unicode.ToLower(r)
}

func classOf(r rune) int {
	switch {
	case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF || r == 0x00AD ||
		(r >= 0xFE00 && r <= 0xFE0F) || r == 0x180E || r == 0x034F:
		return classZeroWidth
	case unicode.Is(unicode.Han, r):
		return classHan
	case unicode.IsSpace(r):
		return classSpace
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return classWord
	}
	return classNoise
}

// traditionalToSimplified maps each traditional character to its simplified
// form, taken one character at a time from OpenCC's dictionaries.
func traditionalToSimplified() map[rune]rune {
	cc, err := opencc.New("t2s")
	if err != nil {
		panic("filter: opencc t2s: " + err.Error())
	}
	var b strings.Builder
	var src []rune
	for r := rune(0x3400); r <= 0x9FFF; r++ {
		src = append(src, r)
		b.WriteRune(r)
		b.WriteByte('\n')
	}
	for r := rune(0xF900); r <= 0xFAFF; r++ {
		src = append(src, r)
		b.WriteRune(r)
		b.WriteByte('\n')
	}
	out, err := cc.Convert(b.String())
	if err != nil {
		panic("filter: opencc t2s: " + err.Error())
	}
	m := map[rune]rune{}
	for i, line := range strings.Split(out, "\n") {
		if i >= len(src) {
			break
		}
		if r, size := utf8.DecodeRuneInString(line); size == len(line) && r != src[i] {
			m[src[i]] = r
		}
	}
	return m
}

// lookup returns the normalized rune and class of r.
func lookup(t *[0x10000]uint32, r rune) (rune, int) {
	if r < 0x10000 {
		v := t[r]
		return rune(v & runeMask), int(v >> classShift)
	}
	if unicode.Is(unicode.Han, r) {
		return r, classHan
	}
	return r, classNoise // emoji and other astral symbols
}

// Normalize returns text as the matcher sees it: folded, simplified, with
// zero-width characters removed. Tests and the word-list form use it.
func Normalize(text string) string {
	t := table()
	var b strings.Builder
	for _, r := range text {
		n, c := lookup(t, r)
		if c != classZeroWidth {
			b.WriteRune(n)
		}
	}
	return b.String()
}
