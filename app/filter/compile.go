package filter

import (
	"strings"
	"unicode/utf8"
)

// Filter is a compiled set of rules plus the detectors. It is immutable and
// safe for concurrent use.
type Filter struct {
	rules []Rule
	// sources[i] is the Source of rules[i] (SourceWord or a built-in detector).
	sources []string
	// symbols: BMP runes through a dense table, astral runes through a map.
	bmp    []int32
	astral map[rune]int32
	// runes maps each BMP rune of the text straight to class<<24 | symbol of
	// its normalized form: one lookup per character.
	runes []uint32
	space int32 // the symbol of a run of whitespace in the Latin stream
	// han matches patterns with Chinese characters on the stream of Han
	// characters, letters and digits (noise skipped); latin matches the
	// other patterns, as whole words, on the stream of everything.
	han, latin         *automaton
	hanRule, latinRule []int32 // pattern index → rule index
	hanLen, latinLen   []int32 // pattern index → length in symbols
	maxLen             int
}

// contactRules are the built-in patterns of WeChat/QQ contact solicitation.
var contactRules = []string{
	"加微信", "加我微信", "加微", "加薇", "加v信", "加vx", "加wx", "加威信", "v信", "微信号", "薇信", "威信号", "vx号", "wx号",
	"加qq", "加我qq", "qq号", "加扣扣", "扣扣号", "加q", "私信我微信", "扫码加好友", "加好友领取",
}

// Compile checks and compiles rules. Every bad pattern is reported in one
// error list, so a word-list import can name them all.
func Compile(rules []Rule) (*Filter, []error) {
	f := &Filter{bmp: make([]int32, 0x10000), astral: map[rune]int32{}}
	var errs []error
	nsym := int32(1)
	symbol := func(r rune) int32 {
		if r < 0x10000 {
			if f.bmp[r] == 0 {
				f.bmp[r] = nsym
				nsym++
			}
			return f.bmp[r]
		}
		if _, ok := f.astral[r]; !ok {
			f.astral[r] = nsym
			nsym++
		}
		return f.astral[r]
	}
	f.space = symbol(' ')
	t := table()
	var hanPats, latinPats [][]int32
	add := func(rule Rule, source string) {
		p := strings.TrimSpace(rule.Pattern)
		switch {
		case p == "":
			errs = append(errs, &PatternError{rule.Pattern, "不能为空"})
			return
		case utf8.RuneCountInString(p) > MaxPatternRunes:
			errs = append(errs, &PatternError{rule.Pattern, "太长（最多 40 字）"})
			return
		case !rule.Category.Valid() || !rule.Action.Valid():
			errs = append(errs, &PatternError{rule.Pattern, "类别或处理方式无效"})
			return
		}
		var syms []int32
		hasHan, hasWord := false, false
		for _, r := range p {
			switch _, c := lookup(t, r); c {
			case classHan:
				hasHan = true
			case classWord:
				hasWord = true
			}
		}
		if !hasHan && !hasWord {
			errs = append(errs, &PatternError{rule.Pattern, "没有可匹配的文字"})
			return
		}
		lastSpace := false
		for _, r := range p {
			n, c := lookup(t, r)
			switch {
			case c == classZeroWidth:
			case hasHan && (c == classNoise || c == classSpace):
				// The Han stream skips noise in the text, so the pattern does too.
			case c == classSpace:
				if !lastSpace {
					syms = append(syms, f.space)
				}
				lastSpace = true
				continue
			default:
				syms = append(syms, symbol(n))
			}
			lastSpace = false
		}
		if len(syms) == 0 {
			errs = append(errs, &PatternError{rule.Pattern, "没有可匹配的文字"})
			return
		}
		idx := int32(len(f.rules))
		f.rules = append(f.rules, rule)
		f.sources = append(f.sources, source)
		if hasHan {
			hanPats = append(hanPats, syms)
			f.hanRule = append(f.hanRule, idx)
			f.hanLen = append(f.hanLen, int32(len(syms)))
		} else {
			latinPats = append(latinPats, syms)
			f.latinRule = append(f.latinRule, idx)
			f.latinLen = append(f.latinLen, int32(len(syms)))
		}
		f.maxLen = max(f.maxLen, len(syms))
	}
	for _, r := range rules {
		add(r, SourceWord)
	}
	for _, p := range contactRules {
		add(Rule{Pattern: p, Category: Ads, Action: Review}, SourceContact)
	}
	f.han = buildAutomaton(hanPats, int(nsym))
	f.latin = buildAutomaton(latinPats, int(nsym))
	f.runes = make([]uint32, 0x10000)
	for r := range f.runes {
		v := t[r]
		f.runes[r] = v&^runeMask | uint32(f.symbolOf(rune(v&runeMask)))
	}
	return f, errs
}

// MustCompile compiles rules that are known to be good (tests, defaults).
func MustCompile(rules []Rule) *Filter {
	f, errs := Compile(rules)
	if len(errs) > 0 {
		panic(errs[0])
	}
	return f
}

func (f *Filter) symbolOf(r rune) int32 {
	if r < 0x10000 {
		return f.bmp[r]
	}
	return f.astral[r]
}
