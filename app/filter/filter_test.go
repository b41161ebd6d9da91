package filter_test

import (
	"slices"
	"strings"
	"testing"

	"jiaxiao/app/filter"
)

var rules = []filter.Rule{
	{"代开发票", filter.Illegal, filter.Block, false},
	{"砍死你", filter.Violence, filter.Block, false},
	{"傻逼", filter.Abuse, filter.Mask, false},
	{"蠢货", filter.Abuse, filter.Review, false},
	{"刷单", filter.Ads, filter.Block, false},
	{"口交", filter.Porn, filter.Block, false},
	{"路口", filter.Porn, filter.Allow, false},
	{"拼多多砍一刀", filter.Offtopic, filter.Review, false},
	{"sex", filter.Porn, filter.Block, false},
	{"buy now", filter.Ads, filter.Review, false},
	{"机密文件", filter.Privacy, filter.Review, false},
}

func check(t *testing.T, text string) filter.Result {
	t.Helper()
	f, errs := filter.Compile(rules)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return f.Check(text)
}

func TestCategoriesAndActions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text     string
		action   filter.Action
		category filter.Category
		matched  string // the original text of the first match
	}{
		{"谁要代开发票找我", filter.Block, filter.Illegal, "代开发票"},
		{"再吵我砍死你", filter.Block, filter.Violence, "砍死你"},
		{"你个傻逼", filter.Mask, filter.Abuse, "傻逼"},
		{"这个蠢货", filter.Review, filter.Abuse, "蠢货"},
		{"兼职刷单日结", filter.Block, filter.Ads, "刷单"},
		{"群里别发口交视频", filter.Block, filter.Porn, "口交"},
		{"帮我拼多多砍一刀谢谢", filter.Review, filter.Offtopic, "拼多多砍一刀"},
		{"这是学校机密文件", filter.Review, filter.Privacy, "机密文件"},
		{"free sex here", filter.Block, filter.Porn, "sex"},
		{"Buy Now and save", filter.Review, filter.Ads, "Buy Now"},
		{"明天上午八点到校", "", "", ""},
	}
	for _, c := range cases {
		r := check(t, c.text)
		if r.Action != c.action || r.Category != c.category {
			t.Errorf("%q: got %s/%s, want %s/%s (%+v)", c.text, r.Action, r.Category, c.action, c.category, r.Matches)
			continue
		}
		if c.matched != "" && c.text[r.Matches[0].Start:r.Matches[0].End] != c.matched {
			t.Errorf("%q: span %q, want %q", c.text, c.text[r.Matches[0].Start:r.Matches[0].End], c.matched)
		}
	}
}

func TestEvasions(t *testing.T) {
	t.Parallel()
	cases := []struct{ text, span string }{
		{"代開發票", "代開發票"},                                     // traditional characters
		{"代 开 发 票", "代 开 发 票"},                               // spaces
		{"代.开。发，票", "代.开。发，票"},                               // punctuation, half- and full-width
		{"代★开☆发♥票", "代★开☆发♥票"},                               // symbols
		{"代😀开😀发😀票", "代😀开😀发😀票"},                               // emoji
		{"代\u200b开\u200d发\ufeff票", "代\u200b开\u200d发\ufeff票"}, // zero-width
		{"ＳＥＸ", "ＳＥＸ"},                                       // full-width Latin
		{"SeX!", "SeX"},                                      // case
		{"刷\u3000单", "刷\u3000单"},                             // ideographic space
		{"BUY  NOW", "BUY  NOW"},                             // runs of spaces
	}
	for _, c := range cases {
		r := check(t, c.text)
		if r.Action == "" || len(r.Matches) == 0 {
			t.Errorf("%q: not caught", c.text)
			continue
		}
		if got := c.text[r.Matches[0].Start:r.Matches[0].End]; got != c.span {
			t.Errorf("%q: span %q, want %q", c.text, got, c.span)
		}
	}
}

func TestFalsePositives(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"路口交通要注意安全",                  // 口交 banned, 路口 allowed
		"Sussex is in England",       // a Latin pattern inside a longer word
		"sexy",                       // ditto
		"编号12345678901请保存",           // 11 digits, not a mobile number
		"订单号 2345678901234567890123", // a long number
		"身份证号110101199003071235",     // 18 digits with a wrong checksum
		"请同学们明天带上数学作业本",
		"家长会改到周五下午三点",
		"学号20230201",
	} {
		if r := check(t, text); r.Action != "" {
			t.Errorf("%q flagged: %+v", text, r.Matches)
		}
	}
}

func TestDetectors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text   string
		source string
		span   string
	}{
		{"我的手机13800138000有事打给我", filter.SourceMobile, "13800138000"},
		{"电话：138-0013-8000", filter.SourceMobile, "138-0013-8000"},
		{"电话 １３８００１３８０００", filter.SourceMobile, "１３８００１３８０００"},
		{"身份证110101199003071233帮我报名", filter.SourceIDCard, "110101199003071233"},
		{"身份证 11010519491231002X", filter.SourceIDCard, "11010519491231002X"},
		{"卡号 6222020200112233446 转账", filter.SourceBankCard, "6222020200112233446"},
		{"卡号4111 1111 1111 1111", filter.SourceBankCard, "4111 1111 1111 1111"},
		{"详情见 https://example.com/a?b=1。", filter.SourceURL, "https://example.com/a?b=1"},
		{"访问www.shop-sale.top了解", filter.SourceURL, "www.shop-sale.top"},
		{"优惠多 fake-shop.vip 速来", filter.SourceURL, "fake-shop.vip"},
		{"有需要的加微信详聊", filter.SourceContact, "加微信"},
		{"加 V 信：abc123", filter.SourceContact, "加 V 信"},
		{"加我QQ 12345", filter.SourceContact, "加我QQ"},
	}
	for _, c := range cases {
		r := check(t, c.text)
		var spans []string
		for _, m := range r.Matches {
			if m.Source == c.source {
				spans = append(spans, c.text[m.Start:m.End])
			}
		}
		if !slices.Contains(spans, c.span) {
			t.Errorf("%q: %s spans %q, want %q", c.text, c.source, spans, c.span)
		}
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	text := "你个傻 逼，电话13800138000。"
	r := check(t, text)
	got := filter.MaskString(text, r.Matches)
	if got != "你个＊＊＊，电话＊＊＊＊＊＊＊＊＊＊＊。" {
		t.Fatalf("masked %q", got)
	}
	if r.Action != filter.Mask {
		t.Fatalf("action %s", r.Action)
	}
}

func TestResultWithout(t *testing.T) {
	t.Parallel()
	r := check(t, "看这里 https://school.example.cn/notice")
	if r.Action != filter.Review {
		t.Fatalf("%+v", r)
	}
	if w := r.Without(filter.SourceURL); w.Action != "" || len(w.Matches) != 0 {
		t.Fatalf("without url: %+v", w)
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	_, errs := filter.Compile([]filter.Rule{
		{"", filter.Ads, filter.Block, false},
		{"。。。", filter.Ads, filter.Block, false},
		{strings.Repeat("长", 41), filter.Ads, filter.Block, false},
		{"好", "nonsense", filter.Block, false},
		{"好", filter.Ads, "burn", false},
	})
	if len(errs) != 5 {
		t.Fatalf("want 5 errors, got %v", errs)
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	if got := filter.Normalize("ＡＢＣ學校\u200b開學"); got != "abc学校开学" {
		t.Fatalf("Normalize: %q", got)
	}
}

// TestGroupAllowLiftsOnlyGroupBans: a group's allow entry lifts the
// group's own bans, never the school-wide list's; a school-wide allow
// entry lifts both.
func TestGroupAllowLiftsOnlyGroupBans(t *testing.T) {
	t.Parallel()
	f, errs := filter.Compile([]filter.Rule{
		{Pattern: "代开发票", Category: filter.Illegal, Action: filter.Block},              // school
		{Pattern: "团购", Category: filter.Ads, Action: filter.Block, Group: true},       // the group's own
		{Pattern: "代开发票", Category: filter.Illegal, Action: filter.Allow, Group: true}, // the group tries to lift the school's
		{Pattern: "团购", Category: filter.Ads, Action: filter.Allow, Group: true},       // and lifts its own
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if r := f.Check("有人代开发票吗"); r.Action != filter.Block {
		t.Fatalf("a group's allow lifted the school-wide block: %+v", r)
	}
	if r := f.Check("班级团购校服"); r.Action != "" {
		t.Fatalf("a group's allow did not lift its own block: %+v", r)
	}
	school, errs := filter.Compile([]filter.Rule{
		{Pattern: "团购", Category: filter.Ads, Action: filter.Block, Group: true},
		{Pattern: "团购校服", Category: filter.Ads, Action: filter.Allow},
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if r := school.Check("班级团购校服"); r.Action != "" {
		t.Fatalf("a school-wide allow did not lift a group's block: %+v", r)
	}
}
