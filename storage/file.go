package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// File keeps objects in a local directory: the content at <dir>/<key> and
// its description at <dir>/.meta/<key>.json. Writes go to a temporary file
// that is renamed into place, so readers never see half an object.
type File struct {
	dir string
}

// NewFile opens (creating if needed) a file store rooted at dir.
func NewFile(dir string) (*File, error) {
	if err := os.MkdirAll(filepath.Join(dir, ".meta"), 0o750); err != nil {
		return nil, fmt.Errorf("storage: file store at %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("storage: file store at %s: %w", dir, err)
	}
	return &File{dir: dir}, nil
}

type fileMeta struct {
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

func (f *File) paths(key string) (data, meta string) {
	return filepath.Join(f.dir, filepath.FromSlash(key)), filepath.Join(f.dir, ".meta", filepath.FromSlash(key)+".json")
}

// Name describes the store.
func (f *File) Name() string { return "file store at " + f.dir }

// Put implements Store.
func (f *File) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Object, error) {
	if err := checkKey(key); err != nil {
		return Object{}, err
	}
	data, meta := f.paths(key)
	tmp, err := os.CreateTemp(filepath.Join(f.dir, ".tmp"), "put-*")
	if err != nil {
		return Object{}, fmt.Errorf("storage: put %s: %w", key, err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, r}, size+1))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Object{}, fmt.Errorf("storage: put %s: %w", key, err)
	}
	if n != size {
		return Object{}, fmt.Errorf("storage: put %s: read %d bytes, announced %d: %w", key, n, size, ErrSizeMismatch)
	}
	m := fileMeta{Size: n, ContentType: contentType}
	mb, _ := json.Marshal(m)
	for _, p := range []string{data, meta} {
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			return Object{}, fmt.Errorf("storage: put %s: %w", key, err)
		}
	}
	if err := os.WriteFile(meta+".tmp", mb, 0o640); err != nil {
		return Object{}, fmt.Errorf("storage: put %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), data); err != nil {
		return Object{}, fmt.Errorf("storage: put %s: %w", key, err)
	}
	if err := os.Rename(meta+".tmp", meta); err != nil {
		return Object{}, fmt.Errorf("storage: put %s: %w", key, err)
	}
	o, err := f.Stat(ctx, key)
	o.SHA256 = hex.EncodeToString(h.Sum(nil))
	return o, err
}

// Get implements Store.
func (f *File) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	o, err := f.Stat(ctx, key)
	if err != nil {
		return nil, Object{}, err
	}
	data, _ := f.paths(key)
	rc, err := os.Open(data)
	if err != nil {
		return nil, Object{}, mapFileErr(key, err)
	}
	return rc, o, nil
}

// Stat implements Store.
func (f *File) Stat(_ context.Context, key string) (Object, error) {
	if err := checkKey(key); err != nil {
		return Object{}, err
	}
	data, meta := f.paths(key)
	fi, err := os.Stat(data)
	if err != nil {
		return Object{}, mapFileErr(key, err)
	}
	mb, err := os.ReadFile(meta)
	if err != nil {
		return Object{}, mapFileErr(key, err)
	}
	var m fileMeta
	if err := json.Unmarshal(mb, &m); err != nil {
		return Object{}, fmt.Errorf("storage: stat %s: %w", key, err)
	}
	return Object{Key: key, Size: fi.Size(), ContentType: m.ContentType, ModTime: fi.ModTime().UTC()}, nil
}

// Delete implements Store.
func (f *File) Delete(_ context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	data, meta := f.paths(key)
	for _, p := range []string{data, meta} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("storage: delete %s: %w", key, err)
		}
	}
	return nil
}

// URL implements Store: a directory has no URLs, so callers stream.
func (f *File) URL(context.Context, string, time.Duration, string) (string, error) {
	return "", ErrNoURL
}

// Ping implements Store by checking the directory is there and writable.
func (f *File) Ping(context.Context) error {
	probe, err := os.CreateTemp(filepath.Join(f.dir, ".tmp"), "ping-*")
	if err != nil {
		return fmt.Errorf("storage: %s: %w", f.Name(), err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

func mapFileErr(key string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: %s: %w", key, ErrNotExist)
	}
	return fmt.Errorf("storage: %s: %w", key, err)
}

// ctxReader stops a copy when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
