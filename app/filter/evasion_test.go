package filter_test

import (
	"slices"
	"testing"

	"jiaxiao/app/filter"
)

// evasionRules add words whose characters have compatibility, Kangxi or
// radical-supplement look-alikes.
var evasionRules = append(slices.Clone(rules),
	filter.Rule{Pattern: "草泥马", Category: filter.Abuse, Action: filter.Block},
	filter.Rule{Pattern: "色情网站", Category: filter.Porn, Action: filter.Block},
	filter.Rule{Pattern: "黄色网站", Category: filter.Porn, Action: filter.Block},
	filter.Rule{Pattern: "色鬼", Category: filter.Abuse, Action: filter.Review},
	filter.Rule{Pattern: "车震", Category: filter.Porn, Action: filter.Block},
	filter.Rule{Pattern: "人民币", Category: filter.Offtopic, Action: filter.Review},
	filter.Rule{Pattern: "龙虎", Category: filter.Offtopic, Action: filter.Review},
	filter.Rule{Pattern: "禁品", Category: filter.Illegal, Action: filter.Block},
)

// TestFoldedEvasions: a banned word written with look-alike code points
// is caught, and the span is exactly the original characters.
func TestFoldedEvasions(t *testing.T) {
	t.Parallel()
	f := filter.MustCompile(evasionRules)
	cases := []struct {
		name, text, span, pattern string
	}{
		{"Kangxi radical ⼝", "群里别发⼝交视频", "⼝交", "口交"},
		{"Kangxi radicals ⾊⽹", "这是⾊情⽹站吗", "⾊情⽹站", "色情网站"},
		{"Kangxi radical ⼈", "给我⼈民币", "⼈民币", "人民币"},
		{"Kangxi ⾞ (traditional) then simplified", "说什么⾞震", "⾞震", "车震"},
		{"compatibility ideograph 泥 U+F9E3", "你这个草\uF9E3马", "草\uF9E3马", "草泥马"},
		{"compatibility ideograph 車 U+F902", "\uF902震", "\uF902震", "车震"},
		{"compatibility ideograph 龍 U+F9C4 → 龍 → 龙", "\uF9C4虎斗", "\uF9C4虎", "龙虎"},
		{"supplement compatibility ideograph 你 U+2F804", "再吵我砍死\U0002F804", "砍死\U0002F804", "砍死你"},
		{"radical supplement ⺠", "给我人⺠币", "人⺠币", "人民币"},
		{"radical supplement ⻢", "草泥⻢！", "草泥⻢", "草泥马"},
		{"radical supplement ⻤ and Kangxi ⾊", "你个⾊⻤", "⾊⻤", "色鬼"},
		{"radical supplement ⻩", "⻩色网站", "⻩色网站", "黄色网站"},
		{"enclosed ideograph 🈲", "🈲品出售", "🈲品", "禁品"},
		{"mathematical letters", "free 𝐬𝐞𝐱 here", "𝐬𝐞𝐱", "sex"},
		{"mixed: filler, traditional and compatibility", "谁要代\u3164開\u200b發\uFE0F票", "代\u3164開\u200b發\uFE0F票", "代开发票"},
	}
	for _, c := range cases {
		r := f.Check(c.text)
		var got []string
		for _, m := range r.Matches {
			if m.Pattern == c.pattern {
				got = append(got, c.text[m.Start:m.End])
			}
		}
		if len(got) == 0 {
			t.Errorf("%s: %q not caught as %q (%+v)", c.name, c.text, c.pattern, r.Matches)
			continue
		}
		if !slices.Contains(got, c.span) {
			t.Errorf("%s: %q spans %q, want %q", c.name, c.text, got, c.span)
		}
	}
}

// TestInvisibleBetween: every invisible or filler character, alone or
// repeated, between the characters of a Chinese pattern and inside a Latin
// one, is skipped; the span runs from the first to the last banned
// character of the original text.
func TestInvisibleBetween(t *testing.T) {
	t.Parallel()
	fillers := []rune{
		0x200B, 0x200C, 0x200D, 0x200E, 0x200F, // zero-width, directional marks
		0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, // word joiner, invisible operators, BOM
		0xFE00, 0xFE0F, 0xE0100, 0xE01EF, // variation selectors
		0xE0001, 0xE0020, 0xE0041, 0xE007F, // tags
		0x115F, 0x1160, 0x3164, 0xFFA0, // Hangul fillers
		0x2800,         // Braille blank
		0x180E, 0x180B, // Mongolian vowel separator, free variation selector
		0x034F, 0x00AD, // combining grapheme joiner, soft hyphen
		0x202A, 0x202E, 0x2066, 0x2069, 0x061C, // bidi controls (Cf)
		0x1D173, // musical symbol begin beam (Cf)
	}
	f := filter.MustCompile(rules)
	for _, z := range fillers {
		for _, n := range []int{1, 3} {
			sep := ""
			for range n {
				sep += string(z)
			}
			text := "谁要代" + sep + "开" + sep + "发" + sep + "票找我"
			want := "代" + sep + "开" + sep + "发" + sep + "票"
			r := f.Check(text)
			if r.Action != filter.Block || len(r.Matches) == 0 {
				t.Errorf("U+%04X×%d: not caught: %+v", z, n, r.Matches)
				continue
			}
			if got := text[r.Matches[0].Start:r.Matches[0].End]; got != want {
				t.Errorf("U+%04X×%d: span %q, want %q", z, n, got, want)
			}
			latin := "free s" + sep + "e" + sep + "x here"
			if r := f.Check(latin); r.Action != filter.Block {
				t.Errorf("U+%04X×%d in a Latin word: not caught: %+v", z, n, r.Matches)
			}
			if got := filter.Normalize(text); got != "谁要代开发票找我" {
				t.Errorf("U+%04X: Normalize %q", z, got)
			}
		}
	}
}

// TestLinksWithoutScheme: bare domains and short links are held (review,
// ads) with the span of the address only.
func TestLinksWithoutScheme(t *testing.T) {
	t.Parallel()
	f := filter.MustCompile(rules)
	cases := []struct{ text, span string }{
		{"上淘宝taobao.com看看", "taobao.com"},
		{"特价 shop.example.com/sale 速抢", "shop.example.com/sale"},
		{"访问www.xxx.cn", "www.xxx.cn"},
		{"WWW.XXX.CN/A?b=1。", "WWW.XXX.CN/A?b=1"},
		{"领红包 t.cn/A6xYz9 快", "t.cn/A6xYz9"},
		{"点t.cn", "t.cn"},
		{"url.cn/5abc", "url.cn/5abc"},
		{"dwz.cn/x1", "dwz.cn/x1"},
		{"suo.im/5Zq", "suo.im/5Zq"},
		{"sohu.gg/abc", "sohu.gg/abc"},
		{"bit.ly/3xYz", "bit.ly/3xYz"},
		{"BIT.LY", "BIT.LY"},
		{"tinyurl.com/y2k", "tinyurl.com/y2k"},
		{"is.gd/abc", "is.gd/abc"},
		{"看 t.co/AbC", "t.co/AbC"},
		{"reurl.cc/abc", "reurl.cc/abc"},
		{"https://t.cn/x", "https://t.cn/x"},
		{"课程 online.school.site 报名", "online.school.site"},
		{"关注 abc.tv", "abc.tv"},
		{"新店 mall.co/x", "mall.co/x"},
		{"上Taobao.Com买", "Taobao.Com"},
		{"GO TO SALE.SHOP NOW", "SALE.SHOP"},
		{"上taobao。com买", "taobao。com"},
		{"ｔａｏｂａｏ．ｃｏｍ／ｓａｌｅ 特价", "ｔａｏｂａｏ．ｃｏｍ／ｓａｌｅ"},
		{"点ｔ.ｃｎ/ab", "ｔ.ｃｎ/ab"},
		{"WWW｡XXX｡CN", "WWW｡XXX｡CN"},
		{"短链 bit。ly/x1", "bit。ly/x1"},
	}
	for _, c := range cases {
		r := f.Check(c.text)
		var spans []string
		for _, m := range r.Matches {
			if m.Source == filter.SourceURL {
				spans = append(spans, c.text[m.Start:m.End])
				if m.Category != filter.Ads || m.Action != filter.Review {
					t.Errorf("%q: %s/%s", c.text, m.Category, m.Action)
				}
			}
		}
		if !slices.Contains(spans, c.span) {
			t.Errorf("%q: url spans %q, want %q", c.text, spans, c.span)
		}
	}
}

// TestNoFalsePositivesOrdinaryText: numbers, decimals, times, file names
// and abbreviations in ordinary messages are not links or banned words.
func TestNoFalsePositivesOrdinaryText(t *testing.T) {
	t.Parallel()
	f := filter.MustCompile(evasionRules)
	for _, text := range []string{
		"数学作业第3.5题，明天8:30交",
		"考试时间是9 a.m. 到 11 a.m.，请提前到",
		"请下载附件作业.docx，填好后交给班主任",
		"家长会PPT见家长会.pptx和成绩单.xlsx",
		"照片IMG_2024.jpg、视频VID_0001.mp4已上传",
		"报告.pdf 第1.2.3节",
		"平均分85.5分，最高分99.5分",
		"版本v2.1.0已更新",
		"e.g. 例如 i.e. 也就是",
		"第一名：张三。第二名：李四。",
		"今天气温15.5度，注意保暖",
		"电费1.08元/度",
		"成绩单_2024.csv",
		"请阅读README.md和notes.txt",
		"Good job.Live well and work hard.Me too", // no space after a period
		"ok.Im coming, gg.Thanks",
		"五年级(3)班 3.14159",
		"①②③ 三个步骤",
		"我做完了。明天见。Ok。",
		"第１题做完了。第２题３．５分",
		"ＰＰＴ发群里了。ＯＫ。谢谢",
		"请把⺮字头的字抄一遍", // a radical with no single ideograph stays itself
	} {
		if r := f.Check(text); r.Action != "" {
			t.Errorf("%q flagged: %+v", text, r.Matches)
		}
	}
}

// TestNormalizeFolds: what the word-list form and tests see.
func TestNormalizeFolds(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"⼈⼝":              "人口",
		"\uF9C4":          "龙",
		"\U0002F804":      "你",
		"⺠⻢⻤⻩":            "民马鬼黄",
		"𝐀𝐁𝐂𝟏𝟐":           "abc12",
		"ＡＢＣ":             "abc",
		"㈱":               "株",
		"🈲":               "禁",
		"a\u00adb\u200bc": "abc",
		"①":               "①",
		"代\u2800开":        "代开",
	}
	for in, want := range cases {
		if got := filter.Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNormalizeIdempotentAllBMP: folding a folded character changes
// nothing, for every BMP character and the astral ranges that fold.
func TestNormalizeIdempotentAllBMP(t *testing.T) {
	t.Parallel()
	check := func(r rune) {
		s := string(r)
		n := filter.Normalize(s)
		if nn := filter.Normalize(n); nn != n {
			t.Errorf("U+%04X: Normalize %q, again %q", r, n, nn)
		}
	}
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		check(r)
	}
	for _, rg := range [][2]rune{{0x1D400, 0x1D7FF}, {0x1F100, 0x1F2FF}, {0x2F800, 0x2FA1F}, {0xE0000, 0xE01EF}} {
		for r := rg[0]; r <= rg[1]; r++ {
			check(r)
		}
	}
}
