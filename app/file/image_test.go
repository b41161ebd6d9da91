package file

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"strings"
	"testing"
	"time"

	"jiaxiao/app/apperr"
	"jiaxiao/app/file/filetest"
)

func smallJPEG(t testing.TB, w, h int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withSOF rewrites a JPEG's frame header: its marker (0xC0 baseline, 0xC2
// progressive) and its size, as an attacker would.
func withSOF(t testing.TB, b []byte, marker byte, w, h int) []byte {
	b = append([]byte{}, b...)
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	b[i+1] = marker
	b[i+5], b[i+6], b[i+7], b[i+8] = byte(h>>8), byte(h), byte(w>>8), byte(w)
	return b
}

func TestCheckImageBudgets(t *testing.T) {
	t.Parallel()
	var small bytes.Buffer
	_ = gif.Encode(&small, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White}), nil)
	var rgb bytes.Buffer
	_ = png.Encode(&rgb, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	cases := []struct {
		name, ct string
		data     []byte
		want     string // "" accepted, "corrupt", or a part of the message
	}{
		{"small gif", "image/gif", small.Bytes(), ""},
		{"animated gif within budget", "image/gif", filetest.GIF(100, 100, MaxGIFFrames), ""},
		{"too many frames", "image/gif", filetest.GIF(4, 4, MaxGIFFrames+1), "帧数过多"},
		{"frames too large together", "image/gif", filetest.GIF(2000, 2000, 11), "所有帧合计"},
		{"gif wider than MaxSide", "image/gif", filetest.GIF(MaxSide+1, 1, 1), "每边最多"},
		{"gif truncated", "image/gif", filetest.GIF(10, 10, 2)[:40], "corrupt"},
		{"small png", "image/png", rgb.Bytes(), ""},
		{"8-bit png within budget", "image/png", filetest.PNG(6000, 6000, 8, 6)[:64], ""},
		{"8-bit png too large", "image/png", filetest.PNG(7000, 7000, 8, 0)[:64], "最大 4000 万像素"},
		{"16-bit png within its budget", "image/png", filetest.PNG(3000, 3000, 16, 6)[:64], ""},
		{"16-bit png too large", "image/png", filetest.PNG(6000, 6000, 16, 6)[:64], "16 位 PNG"},
		{"png taller than MaxSide", "image/png", filetest.PNG(1, MaxSide+1, 8, 0)[:64], "每边最多"},
		{"png without IHDR", "image/png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIDAT"), "corrupt"},
		{"small jpeg", "image/jpeg", smallJPEG(t, 16, 16), ""},
		{"jpeg too large", "image/jpeg", withSOF(t, smallJPEG(t, 16, 16), 0xC0, 16000, 16000), "最大 4000 万像素"},
		{"progressive jpeg too large", "image/jpeg", withSOF(t, smallJPEG(t, 16, 16), 0xC2, 4000, 4000), "渐进式"},
		{"progressive jpeg within budget", "image/jpeg", withSOF(t, smallJPEG(t, 16, 16), 0xC2, 3000, 3000), ""},
		{"jpeg without frame", "image/jpeg", []byte("\xff\xd8\xff\xe0\x00\x04ab\xff\xd9"), "corrupt"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkImage(c.ct, c.data)
			msg, limit := isImageLimit(err)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want == "corrupt" && (err == nil || limit):
				t.Fatalf("want corrupt, got %v", err)
			case c.want != "" && c.want != "corrupt" && !strings.Contains(msg, c.want):
				t.Fatalf("want %q, got %v", c.want, err)
			}
		})
	}
}

// peakHeap runs f while sampling the heap and returns the largest growth
// over what was in use before.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapAlloc
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var top uint64
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapAlloc)
			select {
			case <-done:
				peak <- top
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	top := <-peak
	if top < base {
		return 0
	}
	return top - base
}

// TestHostileImagesRefusedFromHeaders: the attacks of issue 10 are refused
// by Prepare in milliseconds, with a clear message, without decoding.
func TestHostileImagesRefusedFromHeaders(t *testing.T) {
	attacks := map[string][]byte{
		"many large frames.gif": filetest.GIF(2000, 2000, 150),
		"16-bit.png":            filetest.PNG(6000, 6000, 16, 6),
		"huge.png":              filetest.PNG(16000, 16000, 8, 0),
	}
	for name, data := range attacks {
		t.Logf("%s: %d KB", name, len(data)>>10)
		var err error
		start := time.Now()
		grew := peakHeap(func() { _, err = Prepare("file", name, data) })
		v, ok := apperr.AsValidation(err)
		if !ok || !strings.Contains(v.Fields["file"], "过") {
			t.Fatalf("%s: %v", name, err)
		}
		if d := time.Since(start); d > time.Second || grew > 16<<20 {
			t.Fatalf("%s: %v and %d MB to refuse", name, d, grew>>20)
		}
	}
}

// TestCleanWaitsForASlot: the decoding pool holds DecodeConcurrency images;
// a waiting upload gives up when its request does.
func TestCleanWaitsForASlot(t *testing.T) {
	t.Parallel()
	s := NewService(nil, nil, nil)
	p, err := Prepare("file", "a.jpg", smallJPEG(t, 8, 8))
	if err != nil {
		t.Fatal(err)
	}
	for range DecodeConcurrency {
		s.decode <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := s.Clean(ctx, p); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("busy pool: %v", err)
	}
	<-s.decode
	got, err := s.Clean(context.Background(), p)
	if err != nil || got.raw || got.SHA256 == p.SHA256 {
		t.Fatalf("clean: %v", err)
	}
	if len(s.decode) != DecodeConcurrency-1 {
		t.Fatal("slot not given back")
	}
}

// FuzzCheckImage: the header walkers never panic, and what they accept
// decodes (when it decodes at all) within the budgets they checked.
func FuzzCheckImage(f *testing.F) {
	f.Add("image/gif", filetest.GIF(3, 2, 2))
	f.Add("image/png", filetest.PNG(3, 2, 16, 6))
	f.Add("image/jpeg", smallJPEG(f, 3, 2))
	f.Add("image/jpeg", withSOF(f, smallJPEG(f, 3, 2), 0xC2, 3, 2))
	f.Fuzz(func(t *testing.T, ct string, data []byte) {
		if err := checkImage(ct, data); err != nil {
			return
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return
		}
		if cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
			t.Fatalf("accepted %dx%d", cfg.Width, cfg.Height)
		}
		if cfg.Width*cfg.Height <= 1<<16 {
			_, _ = reencode(data, ct)
		}
	})
}
