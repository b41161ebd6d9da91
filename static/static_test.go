package static_test

import (
	"io"
	"io/fs"
	"strings"
	"testing"

	"jiaxiao/static"
)

// Every area's file is in its bundle, in file-name order, and the bundle
// is served like any other file under a content-hashed path.
func TestBundles(t *testing.T) {
	for bundle, dir := range map[string]string{"css/app.css": "css", "js/app.js": "js"} {
		got := string(static.Bundle(bundle))
		entries, err := fs.ReadDir(static.FS, dir)
		if err != nil {
			t.Fatal(err)
		}
		last := -1
		for _, e := range entries {
			part, err := fs.ReadFile(static.FS, dir+"/"+e.Name())
			if err != nil {
				t.Fatal(err)
			}
			at := strings.Index(got, string(part))
			if at < 0 || at < last {
				t.Errorf("%s: %s missing or out of order (at %d, previous part at %d)", bundle, e.Name(), at, last)
			}
			last = at
		}
		f, err := static.FS.Open(bundle)
		if err != nil {
			t.Fatal(err)
		}
		served, _ := io.ReadAll(f)
		f.Close()
		if string(served) != got || len(got) == 0 {
			t.Errorf("%s: served %d bytes, bundle has %d", bundle, len(served), len(got))
		}
		if p := static.Path(bundle); !strings.Contains(p, "?v=") {
			t.Errorf("Path(%s) = %s, want a content hash", bundle, p)
		}
	}
}
