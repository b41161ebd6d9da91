package filter

import (
	"strings"
	"unicode/utf8"
)

// digitOf folds full-width digits and reports whether r is a digit.
func digitOf(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r), true
	case r >= '０' && r <= '９':
		return byte(r - '０' + '0'), true
	}
	return 0, false
}

// numbers finds runs of digits — single spaces or dashes may separate
// groups, as in 138-0013-8000 — and classifies each whole run: a mobile
// number, an ID-card number with a valid checksum, or a bank-card number
// passing Luhn. A run is judged whole: a mobile number inside a longer
// number is not a mobile number.
func numbers(text string) []Match {
	var out []Match
	i := 0
	for i < len(text) {
		// Digits are ASCII or full-width (EF BC 90–99); no byte of another
		// character's encoding looks like either, so scan bytes.
		c := text[i]
		if !(c >= '0' && c <= '9') && !(c == 0xEF && i+2 < len(text) && text[i+1] == 0xBC && text[i+2] >= 0x90 && text[i+2] <= 0x99) {
			i++
			continue
		}
		if i > 0 {
			if p, _ := utf8.DecodeLastRuneInString(text[:i]); isASCIILetter(p) {
				// part of a word such as an order code: skip the whole run
				j := i
				for j < len(text) {
					r2, s2 := utf8.DecodeRuneInString(text[j:])
					if _, ok := digitOf(r2); !ok && !isASCIILetter(r2) {
						break
					}
					j += s2
				}
				i = j
				continue
			}
		}
		start := i
		var buf [24]byte
		digits := buf[:0]
		end := i
		for j := i; j < len(text); {
			r2, s2 := utf8.DecodeRuneInString(text[j:])
			if d, ok := digitOf(r2); ok {
				if len(digits) < cap(buf) {
					digits = append(digits, d)
				}
				j += s2
				end = j
				continue
			}
			if (r2 == 'x' || r2 == 'X' || r2 == 'ｘ' || r2 == 'Ｘ') && len(digits) == 17 {
				digits = append(digits, 'X')
				j += s2
				end = j
				break
			}
			if (r2 == ' ' || r2 == '-') && j+s2 < len(text) {
				if n, _ := utf8.DecodeRuneInString(text[j+s2:]); isDigit(n) {
					j += s2
					continue
				}
			}
			break
		}
		i = end
		if end < len(text) {
			if n, _ := utf8.DecodeRuneInString(text[end:]); isASCIILetter(n) {
				continue
			}
		}
		if m, ok := classifyNumber(string(digits)); ok {
			m.Start, m.End = start, end
			out = append(out, m)
		}
	}
	return out
}

func isDigit(r rune) bool { _, ok := digitOf(r); return ok }

func isASCIILetter(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 'ａ' && r <= 'ｚ' || r >= 'Ａ' && r <= 'Ｚ'
}

func classifyNumber(d string) (Match, bool) {
	switch {
	case len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9':
		return Match{Category: Privacy, Action: Mask, Source: SourceMobile, Pattern: "手机号"}, true
	case len(d) == 18 && validIDCard(d):
		return Match{Category: Privacy, Action: Mask, Source: SourceIDCard, Pattern: "身份证号"}, true
	case (len(d) == 16 || len(d) == 19) && luhn(d):
		return Match{Category: Privacy, Action: Mask, Source: SourceBankCard, Pattern: "银行卡号"}, true
	}
	return Match{}, false
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheck = "10X98765432"

// validIDCard checks the GB 11643 checksum of an 18-character ID number
// and that its birth month and day are possible.
func validIDCard(d string) bool {
	sum := 0
	for i := 0; i < 17; i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
		sum += int(d[i]-'0') * idWeights[i]
	}
	if idCheck[sum%11] != d[17] {
		return false
	}
	month := int(d[10]-'0')*10 + int(d[11]-'0')
	day := int(d[12]-'0')*10 + int(d[13]-'0')
	return month >= 1 && month <= 12 && day >= 1 && day <= 31
}

// luhn checks the Luhn (mod 10) checksum of a card number.
func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if n < 0 || n > 9 {
			return false
		}
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

// tlds are the top-level domains of the addresses people paste into a
// school chat. A file extension is not one: 作业.docx, 照片.jpg and 3.5 stay
// text, so the list keeps to domains no common file type ends with.
var tlds = []string{".com", ".cn", ".net", ".org", ".top", ".xyz", ".vip", ".cc", ".info", ".shop", ".club", ".me", ".io", ".app",
	".site", ".co", ".tv", ".ly", ".online", ".store", ".link", ".live", ".fun", ".ink", ".ltd", ".wang",
	".ren", ".work", ".tech", ".life", ".hk", ".tw", ".biz", ".mobi", ".icu", ".cyou", ".asia", ".email", ".group"}

// wordTLDs are the top-level domains that are also English words.
const wordTLDs = " me co tv online store link live fun ink work tech life email group site shop club app info top "

// shortLinks are link-shortening services: an address on one of them is a
// link even when it is as short as t.cn.
var shortLinks = []string{"t.cn", "url.cn", "dwz.cn", "suo.im", "sohu.gg", "bit.ly", "tinyurl.com", "is.gd", "t.co", "reurl.cc",
	"goo.gl", "ow.ly", "rebrand.ly", "cutt.ly", "s.id", "v.gd", "u.nu", "tb.cn", "m.tb.cn", "t.me", "w.url.cn", "mrw.so", "0x3.me"}

var urlBytes = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || strings.IndexByte("-._~:/?#[]@!$&'()*+,;=%", byte(c)) >= 0
	}
	return
}()

// urls finds web addresses: anything starting http://, https:// or www.,
// bare domains ending in a common top-level domain with or without a path
// (taobao.com, shop.example.com/sale), and link shorteners however short
// (t.cn/abc, bit.ly). Every address has
// a dot, so the scan jumps from dot to dot.
func urls(text string) []Match {
	var out []Match
	i := 0
	for i < len(text) {
		k := strings.IndexByte(text[i:], '.')
		if k < 0 {
			break
		}
		dot := i + k
		start, end := dot, dot+1
		for start > 0 && urlBytes[text[start-1]] {
			start--
		}
		for end < len(text) && urlBytes[text[end]] {
			end++
		}
		for start < dot && strings.IndexByte(".,;:!?()'[]", text[start]) >= 0 {
			start++
		}
		for end > dot+1 && strings.IndexByte(".,;:!?)'", text[end-1]) >= 0 {
			end--
		}
		token := asciiLower(text[start:end])
		if len(token) > 4 && (strings.HasPrefix(token, "http://") || strings.HasPrefix(token, "https://") || strings.HasPrefix(token, "www.") ||
			hasTLD(token) && !sentenceStart(text[start:end])) || isShortLink(token) {
			out = append(out, Match{Start: start, End: end, Category: Ads, Action: Review, Source: SourceURL, Pattern: "网址"})
		}
		i = max(end, dot+1)
	}
	return out
}

// foldedURLs finds the addresses written with full-width letters or dots
// (ｔａｏｂａｏ．ｃｏｍ, taobao。com, t｡cn/x) that urls cannot see: when the
// text may hold one, it folds those characters to ASCII in a copy that
// remembers where each byte came from, and runs urls on the copy.
func foldedURLs(text string) []Match {
	if !mayHideURL(text) {
		return nil
	}
	folded := make([]byte, 0, len(text))
	from := make([]int, 0, len(text)+1)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			folded = append(folded, byte(r-0xFF01+0x21))
			from = append(from, i)
		case r == '。' || r == '｡':
			folded = append(folded, '.')
			from = append(from, i)
		default:
			for k := range size {
				folded = append(folded, text[i+k])
				from = append(from, i+k)
			}
		}
		i += size
	}
	from = append(from, len(text))
	var out []Match
	for _, m := range urls(string(folded)) {
		// Spans are always at character starts: urls stops at non-ASCII bytes.
		start, end := from[m.Start], from[m.End]
		if end-start != m.End-m.Start { // plain ASCII addresses are urls(text)'s
			m.Start, m.End = start, end
			out = append(out, m)
		}
	}
	return out
}

// mayHideURL reports whether text has a full-width letter, digit or dot, or
// an ideographic full stop between two ASCII letters or digits.
func mayHideURL(text string) bool {
	for i := 0; ; i++ {
		k := strings.IndexByte(text[i:], 0xEF)
		if k < 0 {
			break
		}
		i += k
		if i+2 < len(text) {
			b1, b2 := text[i+1], text[i+2]
			if b1 == 0xBC && (b2 >= 0x90 && b2 <= 0x99 || b2 >= 0xA1 && b2 <= 0xBA || b2 == 0x8E) || // ０-９ Ａ-Ｚ ．
				b1 == 0xBD && (b2 >= 0x81 && b2 <= 0x9A || b2 == 0xA1) { // ａ-ｚ ｡
				return true
			}
		}
	}
	for i := 0; ; i += 3 {
		k := strings.Index(text[i:], "。")
		if k < 0 {
			return false
		}
		i += k
		if i > 0 && i+3 < len(text) && isLetterDigit(lowerByte(text[i-1])) && isLetterDigit(lowerByte(text[i+3])) {
			return true
		}
	}
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func hasTLD(token string) bool {
	host := token
	if k := strings.IndexAny(host, "/?#:"); k >= 0 {
		host = host[:k]
	}
	host = strings.TrimRight(host, ".,;!?)")
	if !strings.Contains(host, ".") || strings.Count(host, ".") > 4 {
		return false
	}
	for _, t := range tlds {
		if strings.HasSuffix(host, t) && len(host) > len(t) {
			label := host[:len(host)-len(t)]
			return label != "" && !strings.HasSuffix(label, ".") && isLetterDigit(label[len(label)-1])
		}
	}
	return false
}

// sentenceStart reports whether the would-be top-level domain of a bare
// domain is a capitalized English word, as in "Done.Live with it" typed
// without a space: addresses are written in one case. taobao.Com stays a
// link: "com" is no word.
func sentenceStart(token string) bool {
	host := token
	if k := strings.IndexAny(host, "/?#:"); k >= 0 {
		host = host[:k]
	}
	last := host[strings.LastIndexByte(host, '.')+1:]
	if len(last) < 2 || last[0] < 'A' || last[0] > 'Z' || !strings.Contains(wordTLDs, " "+asciiLower(last)+" ") {
		return false
	}
	for i := 1; i < len(last); i++ {
		if last[i] >= 'a' && last[i] <= 'z' {
			return true
		}
	}
	return false
}

// isShortLink reports whether token's host is a link shortener, with or
// without a scheme.
func isShortLink(token string) bool {
	host := strings.TrimPrefix(strings.TrimPrefix(token, "http://"), "https://")
	if k := strings.IndexAny(host, "/?#:"); k >= 0 {
		host = host[:k]
	}
	if len(host) < 4 {
		return false
	}
	for _, d := range shortLinks {
		if strings.HasSuffix(host, d) && (len(host) == len(d) || host[len(host)-len(d)-1] == '.') {
			return true
		}
	}
	return false
}

func isLetterDigit(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// asciiLower lowers ASCII letters only, keeping every byte offset.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
