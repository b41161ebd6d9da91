// Package storage keeps objects (notice archives, attachments, uploads) in
// MinIO or in a local directory behind one interface. It imports nothing
// from app/: the application hands it keys and streams.
package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// Errors every backend returns.
var (
	// ErrNotExist means no object has the key.
	ErrNotExist = errors.New("storage: object does not exist")
	// ErrNoURL means the backend cannot hand out direct download URLs; stream the object instead.
	ErrNoURL = errors.New("storage: backend has no download URLs")
	// ErrSizeMismatch means the stream was not as long as announced; nothing was stored.
	ErrSizeMismatch = errors.New("storage: stream size differs from the size given")
)

// Object describes a stored object.
type Object struct {
	Key         string
	Size        int64
	ContentType string
	// SHA256 is the hex SHA-256 of the content, computed while Put streams
	// it; callers that need it later keep it with their own records.
	SHA256  string
	ModTime time.Time
}

// Store is an object store.
type Store interface {
	// Put stores the size bytes read from r under key, replacing any object
	// there, and returns the object with its SHA-256. A stream shorter or
	// longer than size stores nothing and returns ErrSizeMismatch.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Object, error)
	// Get opens the object for reading; the caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, Object, error)
	// Stat describes the object without reading it.
	Stat(ctx context.Context, key string) (Object, error)
	// Delete removes the object; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// URL returns a short-lived download URL that presents the object as a
	// download named filename, or ErrNoURL.
	URL(ctx context.Context, key string, expiry time.Duration, filename string) (string, error)
	// Ping checks that the backend answers.
	Ping(ctx context.Context) error
	// Name describes the backend and its endpoint for logs and errors.
	Name() string
}

// checkKey refuses keys that could escape a directory or confuse a bucket.
func checkKey(key string) error {
	if key == "" || len(key) > 900 || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") || strings.Contains(key, "\\") {
		return fmt.Errorf("storage: invalid key %q", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." || strings.HasPrefix(seg, ".") {
			return fmt.Errorf("storage: invalid key %q", key)
		}
	}
	return nil
}

// Disposition returns a Content-Disposition value that offers the content
// as a download named filename, with an ASCII fallback and the real
// (possibly Chinese) name in RFC 5987 filename*.
func Disposition(filename string) string {
	fallback := make([]rune, 0, len(filename))
	for _, r := range filename {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '/' {
			r = '_'
		}
		fallback = append(fallback, r)
	}
	return `attachment; filename="` + string(fallback) + `"; filename*=UTF-8''` + url.PathEscape(filename)
}
