package auth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NormalizePhone strips spaces, dashes and a +86 prefix and reports whether
// what is left is a mainland mobile number (11 digits, 1[3-9]…).
func NormalizePhone(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '-' || r == '\u00a0':
			return -1
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "+86")
	if len(s) == 13 && strings.HasPrefix(s, "86") {
		s = s[2:]
	}
	if len(s) != 11 || s[0] != '1' || s[1] < '3' || s[1] > '9' {
		return s, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return s, false
		}
	}
	return s, true
}

// NormalizeName trims a name, folds the look-alikes of the middle dot to
// U+00B7 and those of Chinese characters to the characters (foldHan),
// collapses runs of spaces, and reports whether the result is a real full
// name: 2–20 characters, either Chinese characters (with · between the
// parts of a minority name) or Latin letters and spaces (foreign names).
func NormalizeName(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.Map(func(r rune) rune {
		switch r {
		case '•', '・', '‧', '∙', '⋅', '．', '﹒':
			return '·'
		}
		return foldHan(r)
	}, s)
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 20 {
		return s, false
	}
	var han, latin int
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Radical, r):
			return s, false // a radical is not a character
		case unicode.Is(unicode.Han, r):
			han++
		case r < 0x80 && unicode.IsLetter(r):
			latin++
		case r == '·' || r == ' ':
		default:
			return s, false
		}
	}
	switch {
	case han > 0 && latin == 0:
		if strings.Contains(s, " ") || strings.HasPrefix(s, "·") || strings.HasSuffix(s, "·") || strings.Contains(s, "··") {
			return s, false
		}
		return s, han >= 2
	case latin > 0 && han == 0:
		return s, !strings.Contains(s, "·") && latin >= 2
	}
	return s, false
}

// foldHan maps a Kangxi radical or a CJK compatibility ideograph to the
// Chinese character it looks like (its NFKC form): copying from a PDF or
// an old spreadsheet produces them, and "王⼤明" with the radical ⼤ is
// otherwise a second spelling of 王大明. Other runes are kept.
func foldHan(r rune) rune {
	if r < 0x2e80 || !unicode.Is(unicode.Radical, r) && !(r >= 0xf900 && r <= 0xfaff) && !(r >= 0x2f800 && r <= 0x2fa1f) {
		return r
	}
	f := norm.NFKC.String(string(r))
	if c, n := utf8.DecodeRuneInString(f); n == len(f) && unicode.Is(unicode.Han, c) && !unicode.Is(unicode.Radical, c) {
		return c
	}
	return r
}

// Validation messages shown to users.
const (
	msgPhone    = "请输入正确的11位手机号码"
	msgName     = "请填写真实姓名（全名）：2–20个汉字，少数民族姓名可用“·”分隔，外籍姓名可用英文字母"
	msgPassword = "密码至少8位"
	msgRole     = "角色必须是 admin、teacher 或 parent"
)

func validPassword(pw string) bool {
	return utf8.RuneCountInString(pw) >= MinPasswordLength && len(pw) <= 128
}
