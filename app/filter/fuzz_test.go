package filter_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"jiaxiao/app/filter"
)

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"代 開 发😀票", "路口交通", "ＳＥＸ sex Sussex", "13800138000", "11010519491231002X", "加 V 信", "https://a.cn/x", "\xff\xfe代开", "傻逼傻逼", ""} {
		f.Add(s)
	}
	for _, s := range normalizeSeeds {
		f.Add(s)
	}
	flt := filter.MustCompile(evasionRules)
	f.Fuzz(func(t *testing.T, text string) {
		_ = filter.Normalize(text)
		r := flt.Check(text)
		for _, m := range r.Matches {
			if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
				t.Fatalf("span [%d,%d) outside %q", m.Start, m.End, text)
			}
			if utf8.ValidString(text) && (!utf8.ValidString(text[:m.Start]) || !utf8.ValidString(text[m.End:])) {
				t.Fatalf("span [%d,%d) splits a rune of %q", m.Start, m.End, text)
			}
		}
		for i := range r.Matches {
			r.Matches[i].Action = filter.Mask
		}
		masked := filter.MaskString(text, r.Matches)
		// Outside the spans nothing changes: walk both strings together.
		covered := make([]bool, len(text)+1)
		for _, m := range r.Matches {
			for k := m.Start; k < m.End; k++ {
				covered[k] = true
			}
		}
		var kept strings.Builder
		for k := 0; k < len(text); k++ {
			if !covered[k] {
				kept.WriteByte(text[k])
			}
		}
		if got := strings.ReplaceAll(masked, "＊", ""); !strings.Contains(text, "＊") && got != kept.String() {
			t.Fatalf("masking changed text outside the spans:\n%q\n%q", got, kept.String())
		}
	})
}

// normalizeSeeds are the evasions the normalizer folds, and ordinary text
// it must leave alone.
var normalizeSeeds = []string{
	"群里别发⼝交视频", "这是⾊情⽹站吗", "草\uF9E3马", "\uF9C4虎斗", "砍死\U0002F804", "给我人⺠币", "你个⾊⻤", "⻩色网站",
	"🈲品出售", "free 𝐬𝐞𝐱 here", "㈱①ⓐ⑴⒈", "代\u200b开\u200c发\u200d票", "代\u2060开\u2064发\ufeff票",
	"代\ufe0f开\U000E0100发\U000E0041票", "代\u115f开\u1160发\u3164票\uffa0", "代\u2800开\u180e发\u034f票\u00ad",
	"s\u200be\u00adx", "a\u200bsex", "sex\u200ba", "代\u202e开发票", "taobao.com t.cn/x bit.ly", "作业.docx 3.5 a.m.",
	"苧", "\U0001D173\U000E0001", "\xed\xa0\x80代开", "ﬁ ㎏ ½ ™",
}

// FuzzNormalize checks the normalizer's invariants: it never panics, its
// output is valid UTF-8 with no more characters than its input, folding
// twice changes nothing, every match is an ordered, in-bounds span of the
// original text on rune boundaries that begins and ends on the pattern's
// own characters, and the word lists find the same patterns in the
// normalized text as in the original.
func FuzzNormalize(f *testing.F) {
	for _, s := range normalizeSeeds {
		f.Add(s)
	}
	flt := filter.MustCompile(evasionRules)
	f.Fuzz(func(t *testing.T, text string) {
		n := filter.Normalize(text)
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", text, n)
		}
		if utf8.RuneCountInString(n) > utf8.RuneCountInString(text) {
			t.Fatalf("Normalize(%q) = %q: more characters", text, n)
		}
		if nn := filter.Normalize(n); nn != n {
			t.Fatalf("not idempotent: %q → %q → %q", text, n, nn)
		}
		r := flt.Check(text)
		valid := utf8.ValidString(text)
		for i, m := range r.Matches {
			if m.Start < 0 || m.End > len(text) || m.Start >= m.End {
				t.Fatalf("span [%d,%d) outside %q", m.Start, m.End, text)
			}
			if i > 0 && m.Start < r.Matches[i-1].Start {
				t.Fatalf("matches out of order: %+v", r.Matches)
			}
			if !valid || m.Source != filter.SourceWord {
				continue
			}
			if !utf8.ValidString(text[:m.Start]) || !utf8.ValidString(text[m.End:]) {
				t.Fatalf("span [%d,%d) splits a rune of %q", m.Start, m.End, text)
			}
			got, want := []rune(filter.Normalize(text[m.Start:m.End])), []rune(filter.Normalize(m.Pattern))
			if len(got) == 0 || got[0] != want[0] || got[len(got)-1] != want[len(want)-1] {
				t.Fatalf("span %q of %q does not begin and end on pattern %q", text[m.Start:m.End], text, m.Pattern)
			}
		}
		if valid {
			if a, b := wordPatterns(r), wordPatterns(flt.Check(n)); !slices.Equal(a, b) {
				t.Fatalf("%q finds %q, its normalized form %q finds %q", text, a, n, b)
			}
		}
	})
}

// wordPatterns are the sorted patterns of the word-list and contact matches.
func wordPatterns(r filter.Result) []string {
	var out []string
	for _, m := range r.Matches {
		if m.Source == filter.SourceWord || m.Source == filter.SourceContact {
			out = append(out, m.Pattern)
		}
	}
	slices.Sort(out)
	return out
}
