// Package static embeds the CSS, JavaScript and images served under
// /static/. Vendored front-end packages carry their version in the file
// name; the project's own files are linked with a content hash so browsers
// can cache everything for a year.
//
// The project's own CSS and JavaScript are kept one file per area
// (css/00-base.css, css/feed.css, js/feed.js, …) and served as one bundle
// each, css/app.css and js/app.js, joined in file-name order: a page costs
// two requests however many areas there are.
package static

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

//go:embed css js vendor
var files embed.FS

// Bundles are the joined files: name served → directory and extension of
// its parts.
var bundles = map[string][2]string{
	"css/app.css": {"css", ".css"},
	"js/app.js":   {"js", ".js"},
}

// FS is the tree served under /static/: the embedded files and the bundles.
var FS fs.FS = newTree()

type tree struct {
	embed.FS
	joined map[string][]byte
	hashes map[string]string
}

func newTree() *tree {
	t := &tree{FS: files, joined: map[string][]byte{}, hashes: map[string]string{}}
	for name, part := range bundles {
		entries, err := fs.ReadDir(files, part[0])
		if err != nil {
			panic(err)
		}
		var names []string
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), part[1]) && path.Join(part[0], e.Name()) != name {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		var buf bytes.Buffer
		for _, n := range names {
			b, err := fs.ReadFile(files, path.Join(part[0], n))
			if err != nil {
				panic(err)
			}
			buf.WriteString("/* " + n + " */\n")
			buf.Write(b)
			if len(b) > 0 && b[len(b)-1] != '\n' {
				buf.WriteByte('\n')
			}
		}
		t.joined[name] = buf.Bytes()
	}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		t.hashes[p] = hash(b)
		return nil
	})
	for name, b := range t.joined {
		t.hashes[name] = hash(b)
	}
	return t
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:4])
}

// Open serves a bundle from memory and anything else from the embedded tree.
func (t *tree) Open(name string) (fs.File, error) {
	if b, ok := t.joined[name]; ok {
		return &memFile{Reader: bytes.NewReader(b), name: path.Base(name), size: int64(len(b))}, nil
	}
	return t.FS.Open(name)
}

// Bundle returns the bytes of a joined file, for tests.
func Bundle(name string) []byte { return FS.(*tree).joined[name] }

// Path returns the URL of an embedded file, versioned by its content.
func Path(name string) string {
	name = strings.TrimPrefix(name, "/")
	if h, ok := FS.(*tree).hashes[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}

type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (f *memFile) Close() error               { return nil }
func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Name() string               { return f.name }
func (f *memFile) Size() int64                { return f.size }
func (f *memFile) Mode() fs.FileMode          { return 0o444 }
func (f *memFile) ModTime() time.Time         { return time.Time{} }
func (f *memFile) IsDir() bool                { return false }
func (f *memFile) Sys() any                   { return nil }
