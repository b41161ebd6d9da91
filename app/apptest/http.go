package apptest

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Client is a browser-like HTTP client for handler tests: it keeps cookies,
// does not follow redirects, and takes the CSRF token from the last page.
type Client struct {
	T    testing.TB
	Base string
	HTTP *http.Client
	CSRF string
}

// NewClient returns a client for the server at base.
func NewClient(t testing.TB, base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{T: t, Base: base, HTTP: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Response is a finished response with its parsed HTML.
type Response struct {
	*http.Response
	Body string
	Doc  *goquery.Document
}

// Location is the redirect target.
func (r *Response) Location() string { return r.Header.Get("Location") }

// TestID returns the text of the element with data-testid id.
func (r *Response) TestID(id string) string {
	return strings.TrimSpace(r.Doc.Find(`[data-testid="` + id + `"]`).First().Text())
}

// InputValue returns the value of the named input.
func (r *Response) InputValue(name string) string {
	v, _ := r.Doc.Find(`input[name="` + name + `"]`).Attr("value")
	return v
}

// Do sends req and reads the response, remembering the CSRF token of any page.
func (c *Client) Do(req *http.Request) *Response {
	c.T.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		c.T.Fatalf("%s %s: parse: %v", req.Method, req.URL, err)
	}
	html, _ := doc.Html()
	if tok, ok := doc.Find(`meta[name="csrf-token"]`).Attr("content"); ok && tok != "" {
		c.CSRF = tok
	}
	return &Response{Response: resp, Body: html, Doc: doc}
}

// Get fetches path.
func (c *Client) Get(path string, header ...string) *Response {
	c.T.Helper()
	req, err := http.NewRequest(http.MethodGet, c.Base+path, nil)
	if err != nil {
		c.T.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.Do(req)
}

// Post submits a form with the current CSRF token (unless form sets _csrf).
func (c *Client) Post(path string, form url.Values, header ...string) *Response {
	c.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok && c.CSRF != "" {
		form.Set("_csrf", c.CSRF)
	}
	req, err := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return c.Do(req)
}

// Login logs in through the form and fails the test unless it succeeds.
func (c *Client) Login(phone, password string) {
	c.T.Helper()
	c.Get("/login")
	r := c.Post("/login", url.Values{"phone": {phone}, "password": {password}})
	if r.StatusCode != http.StatusSeeOther {
		c.T.Fatalf("login %s: status %d: %s", phone, r.StatusCode, r.TestID("alert-error"))
	}
	c.Get("/") // pick up the rotated CSRF token
}

// Cookie returns the value of the named cookie for the base URL.
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.Base)
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}
