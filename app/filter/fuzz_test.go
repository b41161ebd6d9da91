package filter_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"jiaxiao/app/filter"
)

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"代 開 发😀票", "路口交通", "ＳＥＸ sex Sussex", "13800138000", "11010519491231002X", "加 V 信", "https://a.cn/x", "\xff\xfe代开", "傻逼傻逼", ""} {
		f.Add(s)
	}
	flt := filter.MustCompile(rules)
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
