package storage_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"jiaxiao/app/apptest"
	"jiaxiao/storage"
)

// contract is what every backend must do.
func contract(t *testing.T, s storage.Store) {
	ctx := context.Background()
	content := []byte("家校通知 attachment body\n")
	sum := sha256.Sum256(content)

	t.Run("put get stat delete", func(t *testing.T) {
		o, err := s.Put(ctx, "notices/2026/11/1/notice.json", bytes.NewReader(content), int64(len(content)), "application/json")
		if err != nil {
			t.Fatal(err)
		}
		if o.SHA256 != hex.EncodeToString(sum[:]) || o.Size != int64(len(content)) {
			t.Fatalf("put returned %+v", o)
		}
		st, err := s.Stat(ctx, o.Key)
		if err != nil || st.Size != o.Size || st.ContentType != "application/json" {
			t.Fatalf("stat %+v %v", st, err)
		}
		rc, got, err := s.Get(ctx, o.Key)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(b, content) || got.Size != o.Size {
			t.Fatalf("get returned %q %+v", b, got)
		}
		if err := s.Delete(ctx, o.Key); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, o.Key); !errors.Is(err, storage.ErrNotExist) {
			t.Fatalf("stat after delete: %v", err)
		}
		if err := s.Delete(ctx, o.Key); err != nil {
			t.Fatalf("second delete: %v", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		if _, _, err := s.Get(ctx, "files/none/x.pdf"); !errors.Is(err, storage.ErrNotExist) {
			t.Fatalf("get missing: %v", err)
		}
	})
	t.Run("replace", func(t *testing.T) {
		if _, err := s.Put(ctx, "k/v", strings.NewReader("one"), 3, "text/plain"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, "k/v", strings.NewReader("second"), 6, "text/plain"); err != nil {
			t.Fatal(err)
		}
		rc, _, err := s.Get(ctx, "k/v")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != "second" {
			t.Fatalf("got %q", b)
		}
	})
	t.Run("size mismatch stores nothing", func(t *testing.T) {
		for _, announced := range []int64{int64(len(content)) + 5, int64(len(content)) - 5} {
			_, err := s.Put(ctx, "short/one", bytes.NewReader(content), announced, "text/plain")
			if !errors.Is(err, storage.ErrSizeMismatch) {
				t.Fatalf("announced %d: want ErrSizeMismatch, got %v", announced, err)
			}
			if _, err := s.Stat(ctx, "short/one"); !errors.Is(err, storage.ErrNotExist) {
				t.Fatalf("announced %d: object exists after failed put: %v", announced, err)
			}
		}
	})
	t.Run("bad keys", func(t *testing.T) {
		for _, k := range []string{"", "../etc/passwd", "/abs", "a//b", "a/../b", ".meta/x", "dir/"} {
			if _, err := s.Put(ctx, k, strings.NewReader("x"), 1, ""); err == nil {
				t.Errorf("key %q accepted", k)
			}
		}
	})
	t.Run("chinese name", func(t *testing.T) {
		key := "files/" + hex.EncodeToString(sum[:]) + "/三年级(2)班 通知.pdf"
		if _, err := s.Put(ctx, key, bytes.NewReader(content), int64(len(content)), "application/pdf"); err != nil {
			t.Fatal(err)
		}
		u, err := s.URL(ctx, key, time.Minute, "三年级(2)班 通知.pdf")
		if errors.Is(err, storage.ErrNoURL) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !bytes.Equal(b, content) {
			t.Fatalf("presigned GET: %d %q", resp.StatusCode, b)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''%E4%B8%89") {
			t.Fatalf("Content-Disposition %q", cd)
		}
	})
	t.Run("ping", func(t *testing.T) {
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFile(t *testing.T) {
	t.Parallel()
	s, err := storage.NewFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	contract(t, s)
	if _, err := s.URL(context.Background(), "a/b", time.Minute, "b"); !errors.Is(err, storage.ErrNoURL) {
		t.Fatalf("file URL: %v", err)
	}
}

func TestMinIO(t *testing.T) {
	t.Parallel()
	contract(t, apptest.MinIO(t))
}

func TestMinIOUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	_, err := storage.NewMinIO(ctx, storage.MinIOOptions{Endpoint: "127.0.0.1:1", AccessKey: "a", SecretKey: "b", Bucket: "jiaxiao"})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("want error naming the endpoint, got %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("took %s", time.Since(start))
	}
}

func TestDisposition(t *testing.T) {
	t.Parallel()
	got := storage.Disposition(`三年级"通知".pdf`)
	if !strings.HasPrefix(got, `attachment; filename="___`) || !strings.Contains(got, "filename*=UTF-8''%E4%B8%89%E5%B9%B4%E7%BA%A7%22%E9%80%9A%E7%9F%A5%22.pdf") {
		t.Fatalf("got %s", got)
	}
}
