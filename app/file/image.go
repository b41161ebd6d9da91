package file

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Image budgets. An image is refused from its headers, before any pixel is
// decoded, when it would break one of them; what passes is decoded later,
// after the uploader's permission is checked, at most DecodeConcurrency at
// a time. Worst case per decode is about 4 bytes per pixel of MaxPixels
// (160 MB) plus the re-encoded copy.
const (
	// MaxSide is the largest width or height of an image, in pixels.
	MaxSide = 16384
	// MaxPixels is the largest number of decoded pixels per image (width ×
	// height; for a GIF, the logical screen and each frame).
	MaxPixels = 40_000_000
	// Max16BitPixels is the pixel budget of a 16-bit PNG, which decodes to
	// 8 bytes a pixel instead of 4.
	Max16BitPixels = 10_000_000
	// MaxProgressivePixels is the pixel budget of a progressive JPEG, whose
	// decoder keeps every coefficient (16 bytes a pixel for colour) until
	// the last scan.
	MaxProgressivePixels = 12_000_000
	// MaxGIFFrames is the most frames an animated GIF may have.
	MaxGIFFrames = 100
	// MaxGIFPixels is the budget of all of a GIF's frames together (each
	// frame decodes to one byte a pixel and all are held at once).
	MaxGIFPixels = 40_000_000
)

// imageLimitError is a budget an image breaks, told to the uploader.
type imageLimitError struct{ msg string }

func (e *imageLimitError) Error() string { return e.msg }

// errCorrupt is an image whose headers cannot be read.
var errCorrupt = errors.New("file: corrupt image header")

func tooLarge(format string, args ...any) error {
	return &imageLimitError{msg: fmt.Sprintf(format, args...)}
}

// checkImage reads the headers of a JPEG, PNG or GIF (ct as sniffed) and
// refuses it when decoding would break a budget. It decodes no pixels and
// allocates nothing in proportion to the image.
func checkImage(ct string, data []byte) error {
	switch ct {
	case "image/png":
		return checkPNG(data)
	case "image/gif":
		return checkGIF(data)
	case "image/jpeg":
		return checkJPEG(data)
	}
	return errCorrupt
}

func checkSize(w, h, budget int) error {
	if w <= 0 || h <= 0 {
		return errCorrupt
	}
	if w > MaxSide || h > MaxSide {
		return tooLarge("图片尺寸过大（%d×%d，每边最多 %d 像素）", w, h, MaxSide)
	}
	if w*h > budget {
		return tooLarge("图片尺寸过大（%d×%d，最大 %d 万像素）", w, h, budget/10_000)
	}
	return nil
}

// checkPNG reads IHDR, which the format requires to come first.
func checkPNG(b []byte) error {
	if len(b) < 33 || string(b[:8]) != "\x89PNG\r\n\x1a\n" || string(b[12:16]) != "IHDR" || binary.BigEndian.Uint32(b[8:12]) != 13 {
		return errCorrupt
	}
	w, h := binary.BigEndian.Uint32(b[16:20]), binary.BigEndian.Uint32(b[20:24])
	if w > MaxSide || h > MaxSide {
		return tooLarge("图片尺寸过大（%d×%d，每边最多 %d 像素）", w, h, MaxSide)
	}
	budget := MaxPixels
	if depth := b[24]; depth == 16 {
		budget = Max16BitPixels
		if err := checkSize(int(w), int(h), budget); err != nil {
			if _, ok := err.(*imageLimitError); ok {
				return tooLarge("16 位 PNG 图片尺寸过大（%d×%d，最大 %d 万像素），请另存为 8 位 PNG 或 JPG", w, h, budget/10_000)
			}
			return err
		}
	}
	return checkSize(int(w), int(h), budget)
}

// checkGIF walks the block structure (header, colour tables, extensions,
// image descriptors) and counts frames and their pixels, skipping the
// compressed data.
func checkGIF(b []byte) error {
	if len(b) < 13 || (string(b[:6]) != "GIF87a" && string(b[:6]) != "GIF89a") {
		return errCorrupt
	}
	w, h := int(binary.LittleEndian.Uint16(b[6:8])), int(binary.LittleEndian.Uint16(b[8:10]))
	if err := checkSize(w, h, MaxPixels); err != nil {
		return err
	}
	p := 13
	if b[10]&0x80 != 0 {
		p += 3 << (b[10]&7 + 1)
	}
	// skipBlocks skips a chain of data sub-blocks ending with a zero length.
	skipBlocks := func() bool {
		for {
			if p >= len(b) {
				return false
			}
			n := int(b[p])
			p += 1 + n
			if n == 0 {
				return p <= len(b)
			}
		}
	}
	frames, total := 0, 0
	for {
		if p >= len(b) {
			return errCorrupt
		}
		switch b[p] {
		case 0x21: // extension: label, then sub-blocks
			p += 2
			if !skipBlocks() {
				return errCorrupt
			}
		case 0x2C: // image descriptor
			if p+10 > len(b) {
				return errCorrupt
			}
			fw, fh := int(binary.LittleEndian.Uint16(b[p+5:])), int(binary.LittleEndian.Uint16(b[p+7:]))
			if err := checkSize(max(fw, 1), max(fh, 1), MaxPixels); err != nil {
				return err
			}
			frames++
			total += fw * fh
			if frames > MaxGIFFrames {
				return tooLarge("动图帧数过多（最多 %d 帧）", MaxGIFFrames)
			}
			if total > MaxGIFPixels {
				return tooLarge("动图过大（所有帧合计最多 %d 万像素）", MaxGIFPixels/10_000)
			}
			packed := b[p+9]
			p += 10
			if packed&0x80 != 0 {
				p += 3 << (packed&7 + 1)
			}
			p++ // LZW minimum code size
			if !skipBlocks() {
				return errCorrupt
			}
		case 0x3B: // trailer
			if frames == 0 {
				return errCorrupt
			}
			return nil
		default:
			return errCorrupt
		}
	}
}

// checkJPEG walks the markers up to the first start-of-frame, which holds
// the size, the number of components and whether the file is progressive.
func checkJPEG(b []byte) error {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return errCorrupt
	}
	p := 2
	for {
		// Markers may be padded with any number of 0xFF bytes.
		for p < len(b) && b[p] == 0xFF {
			p++
		}
		if p >= len(b) || p < 3 || b[p-1] != 0xFF {
			return errCorrupt
		}
		m := b[p]
		p++
		switch {
		case m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7):
			continue // no length
		case m == 0xD9 || m == 0xDA:
			return errCorrupt // image data or end before any frame header
		}
		if p+2 > len(b) {
			return errCorrupt
		}
		n := int(binary.BigEndian.Uint16(b[p:]))
		if n < 2 || p+n > len(b) {
			return errCorrupt
		}
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC {
			if n < 8 {
				return errCorrupt
			}
			h, w := int(binary.BigEndian.Uint16(b[p+3:])), int(binary.BigEndian.Uint16(b[p+5:]))
			budget := MaxPixels
			if m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE {
				budget = MaxProgressivePixels
				if err := checkSize(w, h, budget); err != nil {
					if _, ok := err.(*imageLimitError); ok {
						return tooLarge("渐进式 JPG 图片尺寸过大（%d×%d，最大 %d 万像素）", w, h, budget/10_000)
					}
					return err
				}
			}
			return checkSize(w, h, budget)
		}
		p += n
	}
}

// isImageLimit reports whether err is a budget the image breaks (rather
// than a corrupt file).
func isImageLimit(err error) (string, bool) {
	var le *imageLimitError
	if errors.As(err, &le) {
		return le.msg, true
	}
	return "", false
}
