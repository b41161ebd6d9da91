package auth

import (
	"context"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"jiaxiao/app/apperr"
)

// validateSeeds are the hostile inputs from the product review, plus
// ordinary phones, names and passwords.
var validateSeeds = []string{
	"", " ", "13800138000", " 138-0013-8000 ", "+8613800138000", "8613800138000", "+86 138 0013 8000", "１３８００１３８０００",
	"+868613800138000", "138\u00a00013\u00a08000", "138\t0013\t8000", "\u300013800138000\u3000", "١٣٨٠٠١٣٨٠٠٠", "1380013800٣",
	"12800138000", "0x10", "-0", "NaN", "1e309", "18446744073709551616",
	"张三", "  欧阳娜娜 ", "阿依古丽·买买提", "阿依古丽•买买提", "John  Smith", "Li", "ＪＯＨＮ", "Ｊｏｈｎ Ｓｍｉｔｈ", "e\u0301e\u0301",
	"Jose\u0301", "张　三", "张\u00a0三", "⼤⼭", "王⼤明", "⽑泽东", "⺠主", "⻩河", "\uF900\uF901", "\U0002F804\U0002F805", "〇〇", "々々",
	"张\u200b三", "张\u202e三", "\xff\xfe", "张\x00三", "张\r三", "\r", "·张三", "张三·",
	"secret-123", "12345678", "1234567", "密码密码密码密码", "\x00\x00\x00\x00\x00\x00\x00\x00", "\xff\xfe\xff\xfe\xff\xfe\xff\xfe",
	"e\u0301e\u0301e\u0301e\u0301", strings.Repeat("密", 42), strings.Repeat("密", 43), strings.Repeat("a", 128), strings.Repeat("a", 129),
	"javascript:alert(1)", "//evil.example",
}

// rejection asks CreateUser about phone, name and password with a role
// that is never valid, so it answers from its checks alone (before any
// hashing or database work), and returns the ValidationError it gives.
func rejection(t *testing.T, phone, name, password string) *apperr.ValidationError {
	t.Helper()
	_, err := (&Service{}).CreateUser(context.Background(), NewUser{Phone: phone, Name: name, Password: password})
	v, ok := apperr.AsValidation(err)
	if !ok {
		t.Fatalf("CreateUser(%q, %q, %q) = %v, want a ValidationError", phone, name, password, err)
	}
	return v
}

// checkMessage fails t unless the field has a Chinese message exactly when
// the validator refused its value.
func checkMessage(t *testing.T, v *apperr.ValidationError, field string, refused bool) {
	t.Helper()
	msg, has := v.Fields[field]
	if has != refused {
		t.Fatalf("%s: refused = %v but CreateUser says %q", field, refused, msg)
	}
	if has && !strings.ContainsFunc(msg, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Fatalf("%s: message %q is not Chinese", field, msg)
	}
}

// FuzzNormalizePhone: an accepted phone is 11 ASCII digits starting with
// 1[3-9], normalizing it again changes nothing, and it is the tail of
// what was typed once spaces and dashes are gone and full-width digits
// are read as digits; a refused one is a Chinese message on the form.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range validateSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := NormalizePhone(s)
		checkMessage(t, rejection(t, s, "张三", "secret-123"), "phone", !ok)
		if !ok {
			return
		}
		if len(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9' || strings.ContainsFunc(p, func(r rune) bool { return r < '0' || r > '9' }) {
			t.Fatalf("NormalizePhone(%q) = %q", s, p)
		}
		if again, ok := NormalizePhone(p); !ok || again != p {
			t.Fatalf("NormalizePhone(%q) = %q, then %q, %v", s, p, again, ok)
		}
		typed := strings.Map(func(r rune) rune {
			switch {
			case r == ' ' || r == '-' || r == '\u00a0':
				return -1
			case r >= '０' && r <= '９':
				return r - '０' + '0'
			}
			return r
		}, strings.TrimSpace(s))
		if !strings.HasSuffix(typed, p) {
			t.Fatalf("NormalizePhone(%q) = %q, not what was typed", s, p)
		}
	})
}

// FuzzNormalizeName: an accepted name has 2–20 characters, all Chinese
// characters with inner "·" or all ASCII letters with single inner
// spaces; it is in NFC and NFKC (no compatibility look-alikes of a
// character such as Kangxi radicals, which copying from PDFs produces)
// and has no radicals, so one name has one spelling; normalizing it again
// changes nothing; a refused one is a Chinese message on the form.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range validateSeeds {
		f.Add(s)
	}
	// Look-alikes fold to the character; radicals that stand for none are refused.
	for in, want := range map[string]string{"王⼤明": "王大明", "⽑泽东": "毛泽东", "\uF900\uF901": "豈更", "⺟亲": "母亲", "⺠主": ""} {
		if n, ok := NormalizeName(in); ok != (want != "") || ok && n != want {
			f.Fatalf("NormalizeName(%q) = %q, %v; want %q", in, n, ok, want)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeName(s)
		checkMessage(t, rejection(t, "13800138000", s, "secret-123"), "name", !ok)
		if !ok {
			return
		}
		if c := utf8.RuneCountInString(n); c < 2 || c > 20 {
			t.Fatalf("NormalizeName(%q) = %q: %d characters", s, n, c)
		}
		var han, latin int
		for _, r := range n {
			switch {
			case unicode.Is(unicode.Radical, r):
				t.Fatalf("NormalizeName(%q) = %q: radical %U", s, n, r)
			case unicode.Is(unicode.Han, r):
				han++
			case r < 0x80 && unicode.IsLetter(r):
				latin++
			case r == '·' || r == ' ':
			default:
				t.Fatalf("NormalizeName(%q) = %q: holds %U", s, n, r)
			}
		}
		if (han == 0) == (latin == 0) {
			t.Fatalf("NormalizeName(%q) = %q: %d Chinese, %d Latin letters", s, n, han, latin)
		}
		if strings.HasPrefix(n, " ") || strings.HasSuffix(n, " ") || strings.Contains(n, "  ") ||
			strings.HasPrefix(n, "·") || strings.HasSuffix(n, "·") || strings.Contains(n, "··") {
			t.Fatalf("NormalizeName(%q) = %q: loose separators", s, n)
		}
		if !norm.NFC.IsNormalString(n) || !norm.NFKC.IsNormalString(n) {
			t.Fatalf("NormalizeName(%q) = %q: not in NFC and NFKC", s, n)
		}
		if again, ok := NormalizeName(n); !ok || again != n {
			t.Fatalf("NormalizeName(%q) = %q, then %q, %v", s, n, again, ok)
		}
	})
}

// FuzzValidPassword: an accepted password has at least MinPasswordLength
// characters and at most 128 bytes (so Login checks it rather than
// refusing it unhashed), adding characters to it keeps it accepted while
// it stays within 128 bytes; a refused one is a Chinese message on the
// form.
func FuzzValidPassword(f *testing.F) {
	for _, s := range validateSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pw string) {
		ok := validPassword(pw)
		checkMessage(t, rejection(t, "13800138000", "张三", pw), "password", !ok)
		if ok != (utf8.RuneCountInString(pw) >= MinPasswordLength && len(pw) <= 128) {
			t.Fatalf("validPassword(%q) = %v", pw, ok)
		}
		if ok && len(pw) < 128 && !validPassword(pw+"x") {
			t.Fatalf("validPassword(%q) but not with one more character", pw)
		}
	})
}
