package web

import (
	"bytes"
	"math"
	"math/big"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/unicode/norm"
)

// The hostile inputs from the product review: numbers beyond what the
// databases hold, spellings of numbers that are not decimal, line breaks
// and bytes that are not text, redirects a browser would follow off site,
// and the Unicode look-alikes (full width, combining, Kangxi radicals).
var hostileSeeds = []string{
	"", " ", "0", "1", "-0", "+1", "01", "007", " 42 ", "\u300042", "42\u0085",
	"9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
	"99999999999999999999999", "-1", "-9223372036854775808", "1_000", "1e3",
	"NaN", "nan", "Inf", "-Inf", "+Inf", "infinity", "1e309", "-1e309", "1e-400", "0x10", "0x1p4", "0b101", "0o17",
	"٣", "٣١.٢", "１２３", "３１.２３", "31.23", "-121.47", ".5", "5.", "1E5",
	"\r", "\r\n", "a\rb", "\n", "\t", "\x00", "a\x00b", "\x1b[31m", "\x7f", "\u0085", "\u009b", "\xff\xfe", "\xed\xa0\x80", "\xc0\xaf",
	"/", "/groups/3?x=1", "/login?next=/x#frag", "//evil.example", "//evil.example/", "/\\evil.example", "\\\\evil.example",
	"/%2F%2Fevil", "/%5Cevil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\x00/evil.example",
	"/\u0085/evil.example", "/\xff", "https://evil.example/", "javascript:alert(1)", "/javascript:alert(1)", "JaVaScRiPt:alert(1)",
	" /evil", "/@evil.example", "/..//evil.example", "/%zz", "/\u3000/evil", "／／evil.example", "/" + strings.Repeat("a", 3000),
	"ＡＢＣ１２３", "Ｊｏｈｎ", "e\u0301", "caf\u00e9", "cafe\u0301", "\u212b", "A\u030a", "e" + strings.Repeat("\u0301", 40),
	"⼤⼭", "王⼤明", "⾊", "⺠", "豈", "\U0002F804", "阿依古丽·买买提", "明天\x00带作业", "第一行\r\n第二行\r第三行",
}

// hasHan reports whether s holds a Chinese character: the messages users
// see are written in Chinese.
func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// FuzzParseID: an accepted id is in 1..2^63-1 and is exactly the decimal
// written (no other spelling of it, no wrap-around); every such decimal
// is accepted; anything else is a 404 with a Chinese page from idParam
// and 0 from optionalID, never a 500.
func FuzzParseID(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	e := echo.New()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	maxID := new(big.Int).SetUint64(math.MaxInt64)
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := parseID(s)
		trimmed := strings.TrimSpace(s)
		want, isDecimal := new(big.Int).SetString(trimmed, 10)
		canonical := isDecimal && want.Sign() > 0 && want.Cmp(maxID) <= 0 && want.String() == trimmed
		if ok != canonical {
			t.Fatalf("parseID(%q) = %d, %v; want accepted = %v", s, id, ok, canonical)
		}
		c := e.NewContext(req, nil)
		c.SetParamNames("id")
		c.SetParamValues(s)
		pid, err := idParam(c, "id")
		if !ok {
			if id != 0 || optionalID(s) != 0 || pid != 0 {
				t.Fatalf("rejected %q but gave ids %d, %d, %d", s, id, optionalID(s), pid)
			}
			status, title, msg := classify(err)
			if status != http.StatusNotFound || !hasHan(title) || !hasHan(msg) {
				t.Fatalf("idParam(%q): %d %q %q, want a Chinese 404", s, status, title, msg)
			}
			return
		}
		if id < 1 || id > math.MaxInt64 {
			t.Fatalf("parseID(%q) = %d: outside 1..2^63-1", s, id)
		}
		if got := strconv.FormatUint(id, 10); got != trimmed {
			t.Fatalf("parseID(%q) = %d, which reads back as %q", s, id, got)
		}
		if optionalID(s) != id || pid != id || err != nil {
			t.Fatalf("%q: parseID %d, optionalID %d, idParam %d, %v", s, id, optionalID(s), pid, err)
		}
	})
}

// FuzzPageParam: the page is always within 1..maxPage, so offsets never
// overflow; a page written plainly within range is taken as written.
func FuzzPageParam(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Add("10000")
	f.Add("10001")
	f.Add("9223372036854775807")
	f.Fuzz(func(t *testing.T, s string) {
		n := pageParam(s)
		if n < 1 || n > maxPage {
			t.Fatalf("pageParam(%q) = %d: outside 1..%d", s, n, maxPage)
		}
		trimmed := strings.TrimSpace(s)
		if k, err := strconv.Atoi(trimmed); err == nil && k >= 1 && k <= maxPage && strconv.Itoa(k) == trimmed && n != k {
			t.Fatalf("pageParam(%q) = %d, want %d", s, n, k)
		}
		if n != 1 {
			if k, err := strconv.Atoi(trimmed); err != nil || k != n {
				t.Fatalf("pageParam(%q) = %d, which is not what was written", s, n)
			}
		}
	})
}

// decimalNumber is what floatValue's doc promises to read: a decimal
// number, optionally signed, with an optional exponent.
var decimalNumber = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// FuzzFloatValue: a value is finite (never NaN or ±Inf), was written as a
// decimal number and is the number written; every decimal number within
// float64's range is accepted.
func FuzzFloatValue(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v := floatValue(s)
		trimmed := strings.TrimSpace(s)
		if v == nil {
			if decimalNumber.MatchString(trimmed) {
				if p, err := strconv.ParseFloat(trimmed, 64); err == nil {
					t.Fatalf("floatValue(%q) refused the decimal number %v", s, p)
				}
			}
			return
		}
		if math.IsNaN(*v) || math.IsInf(*v, 0) {
			t.Fatalf("floatValue(%q) = %v", s, *v)
		}
		if !decimalNumber.MatchString(trimmed) {
			t.Fatalf("floatValue(%q) = %v from something not a decimal number", s, *v)
		}
		if p, err := strconv.ParseFloat(trimmed, 64); err != nil || p != *v {
			t.Fatalf("floatValue(%q) = %v, want %v (%v)", s, *v, p, err)
		}
		back := floatValue(strconv.FormatFloat(*v, 'g', -1, 64))
		if back == nil || *back != *v {
			t.Fatalf("floatValue(%q) = %v does not read back", s, *v)
		}
	})
}

// FuzzSafeNext: the redirect is the input unchanged or "/", and always a
// path on this site as a browser reads it: one leading slash (not "//"
// or "/\"), no scheme, host or user, no backslash, valid UTF-8 without
// control characters (which browsers drop or choke on), and resolved
// against the site it stays on the site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	base, _ := url.Parse("https://school.example/login?next=x")
	f.Fuzz(func(t *testing.T, next string) {
		out := safeNext(next)
		if out != "/" && out != next {
			t.Fatalf("safeNext(%q) = %q: rewritten", next, out)
		}
		if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.HasPrefix(out, "/\\") {
			t.Fatalf("safeNext(%q) = %q: not a single leading slash", next, out)
		}
		if !utf8.ValidString(out) || strings.ContainsFunc(out, unicode.IsControl) || strings.ContainsRune(out, '\\') {
			t.Fatalf("safeNext(%q) = %q: not clean text", next, out)
		}
		if len(out) > 2048 {
			t.Fatalf("safeNext(%q): %d bytes", next, len(out))
		}
		u, err := url.Parse(out)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
			t.Fatalf("safeNext(%q) = %q parses as %#v, %v", next, out, u, err)
		}
		if r := base.ResolveReference(u); r.Scheme != "https" || r.Host != "school.example" || r.User != nil {
			t.Fatalf("safeNext(%q) = %q leads to %s", next, out, r)
		}
		if again := safeNext(out); again != out {
			t.Fatalf("safeNext(%q) = %q, then %q", next, out, again)
		}
	})
}

// isText reports whether s is what cleanText lets through: valid UTF-8
// with no control characters but tab and line breaks.
func isText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t'
	})
}

// checkClean fails t unless s is cleaned text: valid UTF-8, no control
// characters but \n and \t, in NFC, and cleaning it again changes nothing.
func checkClean(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s: %q is not UTF-8", what, s)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }) {
		t.Fatalf("%s: %q holds a control character", what, s)
	}
	if !norm.NFC.IsNormalString(s) {
		t.Fatalf("%s: %q is not NFC", what, s)
	}
	if again, ok := cleanText(s); !ok || again != s {
		t.Fatalf("%s: cleaning %q again gives %q, %v", what, s, again, ok)
	}
}

// FuzzCleanText: text that is text is accepted and comes out clean,
// changed only by line breaks and NFC; anything else is refused.
func FuzzCleanText(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, ok := cleanText(s)
		if ok != isText(s) {
			t.Fatalf("cleanText(%q) accepted = %v, want %v", s, ok, !ok)
		}
		if !ok {
			return
		}
		checkClean(t, "cleanText("+strconv.Quote(s)+")", out)
		if !strings.ContainsRune(s, '\r') && norm.NFC.IsNormalString(s) && out != s {
			t.Fatalf("cleanText(%q) = %q: changed clean text", s, out)
		}
		if want := norm.NFC.String(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")); out != want {
			t.Fatalf("cleanText(%q) = %q, want %q", s, out, want)
		}
	})
}

// formRequest builds a POST to /x?query. A content type naming multipart
// gets the pairs of body (read as a query string, as far as it parses)
// as fields, plus a small file, with the writer's boundary; any other
// body is sent as it is.
func formRequest(contentType, query, body string) *http.Request {
	var b []byte
	ct := contentType
	if strings.Contains(strings.ToLower(contentType), "multipart") {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fields, _ := url.ParseQuery(body)
		for name, vs := range fields {
			for _, v := range vs {
				_ = w.WriteField(name, v)
			}
		}
		if fw, err := w.CreateFormFile("file", "a.txt"); err == nil {
			_, _ = fw.Write([]byte("file content"))
		}
		_ = w.Close()
		b = buf.Bytes()
		ct = contentType + "; boundary=" + w.Boundary()
	} else {
		b = []byte(body)
	}
	r := httptest.NewRequest(http.MethodPost, "/x", bytes.NewReader(b))
	r.URL.RawQuery = query
	r.Header.Set(echo.HeaderContentType, ct)
	return r
}

// FuzzCleanForm runs the middleware on a POST whose content type, query
// and body come from the fuzzer, either as the first to read the form
// (htmx sends the CSRF token as a header) or after the CSRF check read
// _csrf from it. Whatever the handler then reads, by FormValue after
// asking for the uploaded file or from the parsed maps, is clean text
// (password fields: text, byte for byte as sent); a refusal is a 4xx
// with a Chinese message; well-formed text forms are not refused; and
// cleaning the cleaned form again changes nothing.
func FuzzCleanForm(f *testing.F) {
	type seed struct {
		ct, query, body string
		csrfFirst       bool
	}
	const urlenc = "application/x-www-form-urlencoded"
	seeds := []seed{
		{urlenc, "", "body=" + url.QueryEscape("第一行\r\n第二行\r第三行"), false},
		{urlenc, "", "body=%00", true},
		{urlenc, "", "body=%FF%FE&title=ok", false},
		{urlenc, "next=%2F%2Fevil.example", "password=a%0Db%20c%C3%A9&password_confirm=e%CC%81", false},
		{urlenc, "", "name=e%CC%81&password=e%CC%81e%CC%81e%CC%81e%CC%81", true},
		{urlenc, "", "name=" + url.QueryEscape("⼤⼭ ＡＢＣ \u212b"), false},
		{"multipart/form-data", "", "body=" + url.QueryEscape("明天\x1b[31m带作业") + "&caption=a%0Db", false},
		{"multipart/form-data", "x=1", "caption=" + url.QueryEscape("cafe\u0301"), true},
		{"text/plain", "q=%C2%85", "body=%00", false},
		{"application/json", "", `{"body":"\u0000"}`, true},
		{"", "", "", false},
		// Found by the fuzzer: a form that does not parse went to the
		// handler uncleaned.
		{"AppliCAtion/X-www-form-urlenCoded", "=0", "=%000&%", false},
		{urlenc, "x=%zz", "body=a%0Db%00", false},
		{"multipart/form-data", "x=%zz", "body=%00&caption=a%0Db", false},
		{"multipart/form-data", "_csrf=t&x=%zz", "body=%00&caption=a%0Db", true},
		// Echo's FormParams takes only the lowercase media type for
		// multipart: the parts were parsed by FormFile, after cleanForm.
		{"Multipart/Form-Data", "", "body=%00&caption=a%0Db", false},
		{" multipart/form-data", "", "caption=a%0Db", false},
	}
	for _, s := range seeds {
		f.Add(s.ct, s.query, s.body, s.csrfFirst)
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, contentType, query, body string, csrfFirst bool) {
		if len(body) > 1<<16 || len(query) > 1<<16 {
			return
		}
		r := formRequest(contentType, query, body)
		// What was sent, field by field, as far as it parses, and whether
		// it is a well-formed form of text (or no form at all).
		sent := map[string][]string{}
		wellFormed := true
		addSent := func(s string) {
			vs, err := url.ParseQuery(s)
			if err != nil {
				wellFormed = false
			}
			for k, v := range vs {
				sent[k] = append(sent[k], v...)
			}
		}
		addSent(query)
		mt, _, ctErr := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
		switch {
		case strings.Contains(strings.ToLower(contentType), "multipart"):
			addSent(body)
			if mt != "multipart/form-data" {
				wellFormed = false // multipart/mixed and the like are no form
			}
		case ctErr != nil && contentType != "":
			wellFormed = false
		case mt == "application/x-www-form-urlencoded":
			addSent(body)
		}
		for k, vs := range sent {
			if !isText(k) {
				wellFormed = false
			}
			for _, v := range vs {
				if !isText(v) {
					wellFormed = false
				}
			}
		}

		c := e.NewContext(r, httptest.NewRecorder())
		if csrfFirst {
			_ = c.FormValue("_csrf")
		}
		seen := map[string][]string{}
		handler := func(c echo.Context) error {
			// What handlers do: ask for the upload, then read the fields.
			_, _ = c.FormFile("file")
			for name := range sent {
				seen[name] = append(seen[name], c.FormValue(name))
			}
			req := c.Request()
			maps := []url.Values{req.Form, req.PostForm}
			if req.MultipartForm != nil {
				maps = append(maps, req.MultipartForm.Value)
			}
			for _, m := range maps {
				for name, vs := range m {
					seen[name] = append(seen[name], vs...)
				}
			}
			return nil
		}
		err := cleanForm(handler)(c)
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
		if err != nil {
			status, title, msg := classify(err)
			if status < 400 || status >= 500 || !hasHan(title) || !hasHan(msg) {
				t.Fatalf("refused with %d %q %q (%v), want a Chinese 4xx", status, title, msg, err)
			}
			if wellFormed {
				t.Fatalf("refused a well-formed form %q %q %q: %v", contentType, query, body, err)
			}
			return
		}
		for name, vs := range seen {
			for _, v := range vs {
				what := "field " + strconv.Quote(name)
				if !strings.Contains(name, "password") {
					checkClean(t, what, v)
					continue
				}
				if !isText(v) {
					t.Fatalf("%s: %q is not text", what, v)
				}
				if v != "" && !slices.Contains(sent[name], v) {
					t.Fatalf("%s: %q was not sent as such (sent %q)", what, v, sent[name])
				}
			}
		}

		// Clean again what the first pass let through: nothing changes.
		if r.PostForm == nil {
			return
		}
		first := r.PostForm
		r2 := formRequest("application/x-www-form-urlencoded", "", first.Encode())
		c2 := e.NewContext(r2, httptest.NewRecorder())
		if err := cleanForm(func(echo.Context) error { return nil })(c2); err != nil {
			t.Fatalf("cleaning %q again: %v", first.Encode(), err)
		}
		for name, vs := range first {
			if got := r2.PostForm[name]; !slices.Equal(got, vs) {
				t.Fatalf("field %q cleaned twice: %q, then %q", name, vs, got)
			}
		}
	})
}
