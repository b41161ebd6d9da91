package filetest

import (
	"bytes"
	"image/gif"
	"image/png"
	"testing"
)

// TestFilesAreGenuine: the hostile files decode, so a decoder that trusts
// their headers really pays for them.
func TestFilesAreGenuine(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ w, h, depth, ct int }{{300, 200, 16, 6}, {3000, 1000, 8, 0}, {7, 1, 8, 2}} {
		img, err := png.Decode(bytes.NewReader(PNG(c.w, c.h, c.depth, c.ct)))
		if err != nil || img.Bounds().Dx() != c.w || img.Bounds().Dy() != c.h {
			t.Fatalf("png %+v: %v", c, err)
		}
	}
	g, err := gif.DecodeAll(bytes.NewReader(GIF(30, 20, 5)))
	if err != nil || len(g.Image) != 5 || g.Image[4].Bounds().Dx() != 30 {
		t.Fatalf("gif: %v", err)
	}
}
