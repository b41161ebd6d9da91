// Package static embeds the CSS, JavaScript and images served under
// /static/. Vendored front-end packages carry their version in the file
// name; the project's own files are linked with a content hash so browsers
// can cache everything for a year.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"strings"
)

//go:embed css js vendor
var files embed.FS

// FS is the tree served under /static/.
var FS fs.FS = files

var hashes = func() map[string]string {
	m := map[string]string{}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[p] = hex.EncodeToString(sum[:4])
		return nil
	})
	return m
}()

// Path returns the URL of an embedded file, versioned by its content.
func Path(name string) string {
	name = strings.TrimPrefix(name, "/")
	if h, ok := hashes[name]; ok {
		return "/static/" + name + "?v=" + h
	}
	return "/static/" + name
}
