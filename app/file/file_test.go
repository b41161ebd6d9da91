package file_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/file"
	"jiaxiao/storage"
)

// jpegWithGPS is a small JPEG with an EXIF block holding a GPS tag.
func jpegWithGPS(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	// APP1 Exif segment right after SOI, with a marker string standing in
	// for GPS data (any byte that survives would show).
	payload := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08"), []byte("GPSLatitude=31.2304N")...)
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	out := append([]byte{}, b[:2]...)
	out = append(out, seg...)
	return append(out, b[2:]...)
}

func TestPrepare(t *testing.T) {
	t.Parallel()
	photo := jpegWithGPS(t)
	if !bytes.Contains(photo, []byte("GPSLatitude")) {
		t.Fatal("fixture has no GPS")
	}
	p, err := file.Prepare("file", "../../照片.JPG", photo)
	if err != nil {
		t.Fatal(err)
	}
	// Prepare only reads the headers; Clean (called by Save) re-encodes.
	if !bytes.Equal(p.Data, photo) {
		t.Fatal("Prepare decoded the image")
	}
	p, err = file.NewService(nil, nil, nil).Clean(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if p.ContentType != "image/jpeg" || bytes.Contains(p.Data, []byte("GPSLatitude")) || bytes.Contains(p.Data, []byte("Exif")) {
		t.Fatalf("EXIF survived or wrong type %s", p.ContentType)
	}
	if p.Name != "照片.JPG" {
		t.Fatalf("name %q", p.Name)
	}
	// The type comes from the content: an executable named .pdf is refused.
	if _, err := file.Prepare("file", "通知.pdf", []byte("MZ\x90\x00 not a pdf")); err == nil {
		t.Fatal("fake pdf accepted")
	}
	if p, err := file.Prepare("file", "通知.pdf", []byte("%PDF-1.4\n%...")); err != nil || p.ContentType != "application/pdf" {
		t.Fatalf("pdf: %v", err)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("word/document.xml")
	_, _ = w.Write([]byte("<w/>"))
	_ = zw.Close()
	if p, err := file.Prepare("file", "作业.docx", zbuf.Bytes()); err != nil || !strings.Contains(p.ContentType, "wordprocessingml") {
		t.Fatalf("docx: %v", err)
	}
	if _, err := file.Prepare("file", "作业.xlsx", zbuf.Bytes()); err == nil {
		t.Fatal("a Word file named .xlsx accepted")
	}
	if _, err := file.Prepare("file", "big.pdf", make([]byte, file.MaxSize+1)); err == nil {
		t.Fatal("oversized file accepted")
	}
	if _, err := file.Prepare("file", "broken.jpg", []byte("\xff\xd8\xff\xe0 broken")); err == nil {
		t.Fatal("broken image accepted")
	}
}

func TestSaveDedupesAndReportsStorageOutage(t *testing.T) {
	t.Parallel()
	g := apptest.SQLite(t)
	store, _ := storage.NewFile(t.TempDir())
	s := file.NewService(g, store, nil)
	ctx := context.Background()
	p, _ := file.Prepare("file", "a.pdf", []byte("%PDF-1.4 same"))
	f1, err := s.Save(ctx, 1, p)
	if err != nil {
		t.Fatal(err)
	}
	p.Name = "b.pdf"
	f2, err := s.Save(ctx, 2, p)
	if err != nil || f1.SHA256 != f2.SHA256 {
		t.Fatal(err)
	}
	_, rc, err := s.Download(ctx, f1)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()

	m := apptest.StartMinIO(t)
	ms, err := storage.NewMinIO(ctx, storage.MinIOOptions{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: "files"})
	if err != nil {
		t.Fatal(err)
	}
	s = file.NewService(g, ms, nil)
	m.Stop()
	tctx, cancel := context.WithTimeout(ctx, 5e9)
	defer cancel()
	if _, err := s.Save(tctx, 1, p); !apperrIsUnavailable(err) {
		t.Fatalf("save with MinIO down: %v", err)
	}
}

func apperrIsUnavailable(err error) bool {
	return errors.Is(err, apperr.ErrUnavailable)
}

// A long Chinese file name (100 characters are 300 bytes of UTF-8, more
// than a directory entry may hold) is stored on both stores under a key the
// store accepts, and keeps its full name for the download. A name that is
// all extension does not break the shortening.
func TestLongNames(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("家长会关于期末复习安排的通知", 10) + ".pdf"
	stores := map[string]func(t *testing.T) storage.Store{
		"file": func(t *testing.T) storage.Store {
			s, err := storage.NewFile(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		"minio": func(t *testing.T) storage.Store { return apptest.MinIO(t) },
	}
	for name, store := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := file.NewService(apptest.SQLite(t), store(t), nil)
			for _, n := range []string{long, "a." + strings.Repeat("长", 150), strings.Repeat("😀", 120)} {
				p, err := file.Prepare("file", n, []byte("%PDF-1.4 "+n))
				if err != nil {
					t.Fatalf("%q: %v", n, err)
				}
				if r := []rune(p.Name); len(r) > 100 {
					t.Errorf("name of %d characters kept", len(r))
				}
				f, err := s.Save(ctx, 1, p)
				if err != nil {
					t.Fatalf("saving %q: %v", n, err)
				}
				if seg := f.StorageKey[strings.LastIndex(f.StorageKey, "/")+1:]; len(seg) > 200 {
					t.Errorf("key segment of %d bytes", len(seg))
				}
				u, rc, err := s.Download(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if rc != nil {
					rc.Close()
					continue
				}
				resp, err := http.Get(u)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if cd := resp.Header.Get("Content-Disposition"); resp.StatusCode != 200 || !strings.Contains(cd, url.PathEscape(p.Name)) {
					t.Errorf("download %d, Content-Disposition %q, want the full name", resp.StatusCode, cd)
				}
			}
			p, _ := file.Prepare("file", long, []byte("%PDF-1.4 x"))
			if !strings.HasSuffix(p.Name, ".pdf") || !strings.HasPrefix(p.Name, "家长会") {
				t.Errorf("shortened to %q", p.Name)
			}
		})
	}
}

// A name of megabytes is shortened in one pass: an upload's name comes
// before any permission check, so it must cost no more than reading it.
func TestHugeNameIsCheap(t *testing.T) {
	t.Parallel()
	for _, n := range []string{strings.Repeat("长", 1<<20) + ".pdf", "a." + strings.Repeat("长", 1<<20)} {
		start := time.Now()
		p, err := file.Prepare("file", n, []byte("%PDF-1.4 x"))
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("a %d-byte name took %v", len(n), d)
		}
		if r := []rune(p.Name); len(r) != file.MaxNameRunes {
			t.Errorf("kept %d characters", len(r))
		}
	}
}
