package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"jiaxiao/app/apptest"
)

// Every page a demo user can reach by following links renders without a
// server error: a newcomer clicking around the demo school meets no 5xx.
func TestDemoPagesRender(t *testing.T) {
	dir := t.TempDir()
	env := cleanEnv()
	if _, errOut, code := jiaxiao(t, dir, env, "demo"); code != 0 {
		t.Fatal(errOut)
	}
	p := serve(t, dir, env)
	for _, phone := range []string{"13800000001", "13800000002", "13900000001", "13700000010"} {
		c := apptest.NewClient(t, p.base)
		c.Login(phone, "jiaxiao2026")
		seen := map[string]bool{}
		queue := []string{"/"}
		for len(queue) > 0 && len(seen) < 150 {
			path := queue[0]
			queue = queue[1:]
			if seen[path] {
				continue
			}
			seen[path] = true
			r := c.Get(path)
			if r.StatusCode >= 500 {
				t.Errorf("%s: GET %s: %d", phone, path, r.StatusCode)
				continue
			}
			ct := r.Header.Get("Content-Type")
			if !strings.HasPrefix(ct, "text/html") {
				continue
			}
			for _, href := range r.Doc.Find("a[href]").Map(func(_ int, s *goquery.Selection) string { v, _ := s.Attr("href"); return v }) {
				u, err := url.Parse(href)
				if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "/static/") ||
					strings.HasSuffix(u.Path, ".csv") || strings.HasSuffix(u.Path, ".xlsx") || strings.HasPrefix(u.Path, "/files/") {
					continue
				}
				u.Fragment = ""
				if !seen[u.String()] {
					queue = append(queue, u.String())
				}
			}
		}
		t.Logf("%s: %d pages", phone, len(seen))
		if len(seen) < 4 {
			t.Errorf("%s reached only %d pages", phone, len(seen))
		}
	}
}
