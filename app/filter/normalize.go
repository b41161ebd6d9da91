package filter

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
)

// Rune classes of the normalization table.
const (
	classNoise     = 0 // spaces, punctuation, symbols, emoji: skipped inside Chinese patterns
	classZeroWidth = 1 // invisible and filler characters: dropped everywhere
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
// Every rune is normalized on its own, so a match in the normalized stream
// is always a whole run of original characters: spans stay exact.
var table = sync.OnceValue(buildTable)

func buildTable() *[0x10000]uint32 {
	var t [0x10000]uint32
	t2s := traditionalToSimplified()
	for r := rune(0); r < 0x10000; r++ {
		if invisible(r) {
			t[r] = classZeroWidth<<classShift | uint32(r)
			continue
		}
		n := foldRune(r)
		if s, ok := t2s[n]; ok {
			n = s
		}
		t[r] = uint32(classOf(n))<<classShift | uint32(n)
	}
	// Folding twice must change nothing (a compatibility ideograph becomes
	// a traditional character, which becomes a simplified one): follow each
	// chain to its end.
	for r := range t {
		if t[r]>>classShift == classZeroWidth {
			continue
		}
		for range 4 {
			n := rune(t[r] & runeMask)
			if n >= 0x10000 || t[n] == t[r] {
				break
			}
			t[r] = t[n]
		}
	}
	return &t
}

// invisible reports the characters that show nothing (zero-width, format
// characters, variation selectors, tags) or that render as an empty box
// used to pad words apart (Hangul fillers, Braille blank).
func invisible(r rune) bool {
	switch {
	case r == 0x00AD || r == 0x034F || r == 0x115F || r == 0x1160 || r == 0x180E || r == 0x3164 || r == 0xFFA0 || r == 0x2800,
		r >= 0x180B && r <= 0x180F, // Mongolian free variation selectors
		r >= 0x200B && r <= 0x200F, r >= 0x2060 && r <= 0x2064, r == 0xFEFF,
		r >= 0xFE00 && r <= 0xFE0F, // variation selectors
		r >= 0xE0000 && r <= 0xE007F, r >= 0xE0100 && r <= 0xE01EF:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// foldRune applies NFKC where the result is one character that still
// matters to the matcher — a unified ideograph for a compatibility
// ideograph, a Kangxi radical or an enclosed ideograph (㊙→秘), a plain
// letter or digit for a styled letter or digit (𝐬→s, ｓ→s) — then the
// CJK Radicals Supplement table, the ideographic space, and lower case.
// Circled and parenthesized digits and letters (①, ⓐ) stay symbols: noise
// between Chinese characters, as before.
func foldRune(r rune) rune {
	if r == 0x3000 {
		return ' '
	}
	if n, ok := radicals[r]; ok {
		return n
	}
	if n := nfkcRune(r); n != r {
		switch c := classOf(n); {
		case c == classHan, c == classSpace:
			r = n
		case c == classWord && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			r = n
		case c == classNoise && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Han, r):
			r = n // ＂ → ", ﹒ → .
		}
	}
	return unicode.ToLower(r)
}

// nfkcRune is the single meaningful character NFKC makes of r: its whole
// result when that is one character, else its one letter, digit or
// ideograph amid punctuation (㈱ → (株) → 株); r itself otherwise.
func nfkcRune(r rune) rune {
	var buf [utf8.UTFMax]byte
	s := norm.NFKC.String(string(buf[:utf8.EncodeRune(buf[:], r)]))
	if n, size := utf8.DecodeRuneInString(s); size == len(s) {
		return n
	}
	found := rune(-1)
	for _, n := range s {
		if c := classOf(n); c == classHan || c == classWord {
			if found >= 0 {
				return r
			}
			found = n
		}
	}
	if found < 0 {
		return r
	}
	return found
}

// radicals folds the CJK Radicals Supplement forms that stand for one
// ideograph (NFKC folds only ⺟ and ⻟ of them).
var radicals = map[rune]rune{
	'⺁': '厂', '⺅': '亻', '⺆': '冂', '⺉': '刂', '⺊': '卜', '⺒': '巳', '⺓': '幺', '⺖': '忄', '⺘': '扌',
	'⺙': '攵', '⺜': '日', '⺝': '月', '⺠': '民', '⺡': '氵', '⺢': '氺', '⺣': '灬', '⺤': '爫', '⺦': '丬',
	'⺨': '犭', '⺩': '王', '⺪': '疋', '⺬': '示', '⺭': '礻', '⺯': '糸', '⺰': '纟', '⺶': '羊', '⺹': '耂',
	'⺼': '月', '⺽': '臼', '⺾': '艹', '⺿': '艹', '⻀': '艹', '⻁': '虎', '⻂': '衤', '⻄': '西', '⻅': '见',
	'⻆': '角', '⻇': '角', '⻈': '讠', '⻉': '贝', '⻊': '足', '⻋': '车', '⻌': '辶', '⻍': '辶', '⻎': '辶',
	'⻏': '阝', '⻐': '钅', '⻑': '长', '⻓': '长', '⻔': '门', '⻖': '阝', '⻗': '雨', '⻘': '青', '⻙': '韦',
	'⻚': '页', '⻛': '风', '⻜': '飞', '⻝': '食', '⻠': '饣', '⻢': '马', '⻣': '骨', '⻤': '鬼', '⻥': '鱼',
	'⻦': '鸟', '⻧': '卤', '⻨': '麦', '⻩': '黄', '⻪': '黾', '⻬': '齐', '⻮': '齿', '⻰': '龙', '⻱': '龟',
	'⻳': '龟',
}

func classOf(r rune) int {
	switch {
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

// astralFolds holds the astral runes that fold to something else:
// mathematical letters and digits, enclosed ideographs (🈲→禁) and the
// CJK compatibility ideographs supplement.
var astralFolds = sync.OnceValue(func() map[rune]uint32 {
	t := table()
	m := map[rune]uint32{}
	for _, rg := range foldRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			n := foldRune(r)
			if n == r {
				continue
			}
			if n < 0x10000 {
				m[r] = t[n]
			} else {
				m[r] = uint32(classOf(n))<<classShift | uint32(n)
			}
		}
	}
	return m
})

var foldRanges = [][2]rune{{0x1D400, 0x1D7FF}, {0x1F100, 0x1F2FF}, {0x1FBF0, 0x1FBF9}, {0x2F800, 0x2FA1F}}

// lookup returns the normalized rune and class of r.
func lookup(t *[0x10000]uint32, r rune) (rune, int) {
	if r < 0x10000 {
		v := t[r]
		return rune(v & runeMask), int(v >> classShift)
	}
	for _, rg := range foldRanges {
		if r >= rg[0] && r <= rg[1] {
			if v, ok := astralFolds()[r]; ok {
				return rune(v & runeMask), int(v >> classShift)
			}
			break
		}
	}
	switch {
	case unicode.Is(unicode.Han, r):
		return r, classHan
	case r >= 0xE0000 || (r < 0x1F000 && unicode.Is(unicode.Cf, r)):
		if invisible(r) {
			return r, classZeroWidth
		}
	}
	return r, classNoise // emoji and other astral symbols
}

// Normalize returns text as the matcher sees it: folded, simplified, with
// invisible characters removed. Tests and the word-list form use it.
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
