// Package filetest builds hostile images for tests: files of a few hundred
// kilobytes that decode to hundreds of megabytes. They are built in memory
// with valid compressed data, so a decoder that trusts them really does
// the work.
package filetest

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"io"
)

// GIF returns an animated GIF of frames frames, each w×h pixels of one
// colour with real LZW data, on a w×h logical screen. One frame is encoded
// and its image block repeated, so building it costs one frame.
func GIF(w, h, frames int) []byte {
	img := image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})
	var one bytes.Buffer
	if err := gif.Encode(&one, img, nil); err != nil {
		panic(err)
	}
	b := one.Bytes()
	// Header (6) + logical screen descriptor (7) + the global colour table.
	head := 13
	if b[10]&0x80 != 0 {
		head += 3 << (b[10]&7 + 1)
	}
	frame := b[head : len(b)-1] // everything up to the trailer
	var out bytes.Buffer
	out.Write(b[:head])
	for range frames {
		out.Write(frame)
	}
	out.WriteByte(0x3B)
	return out.Bytes()
}

// PNG returns a PNG of w×h pixels of zeros at the given bit depth (8 or 16)
// and colour type (0 grey, 2 RGB, 6 RGBA), compressed about as well as
// zlib can: 6000×6000 16-bit RGBA is about 280 KB and decodes to 288 MB.
func PNG(w, h, depth, colorType int) []byte {
	channels := map[int]int{0: 1, 2: 3, 6: 4}[colorType]
	raw := int64(h) * int64(1+w*channels*depth/8) // filter byte + pixels, all zero
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = byte(depth), byte(colorType)
	chunk(&out, "IHDR", ihdr)
	chunk(&out, "IDAT", zlibZeros(raw))
	chunk(&out, "IEND", nil)
	return out.Bytes()
}

// zlibZeros is a zlib stream of n zero bytes, built from one compressed
// megabyte repeated: deflate blocks ended by a sync flush can be chained,
// and the Adler-32 of zeros is (n mod 65521)<<16 | 1.
func zlibZeros(n int64) []byte {
	const mb = 1 << 20
	flushed := func(size int) []byte {
		var b bytes.Buffer
		fw, _ := flate.NewWriter(&b, flate.BestCompression)
		_, _ = fw.Write(make([]byte, size))
		_ = fw.Flush()
		return b.Bytes()
	}
	block := flushed(mb)
	var out bytes.Buffer
	out.Write([]byte{0x78, 0xDA})
	for range n / mb {
		out.Write(block)
	}
	if rest := int(n % mb); rest > 0 {
		out.Write(flushed(rest))
	}
	out.Write([]byte{0x03, 0x00}) // a final, empty, fixed-Huffman block
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], uint32(n%65521)<<16|1)
	out.Write(sum[:])
	return out.Bytes()
}

func chunk(w io.Writer, kind string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	_, _ = w.Write(n[:])
	crc := crc32.NewIEEE()
	_, _ = io.WriteString(crc, kind)
	_, _ = crc.Write(data)
	_, _ = io.WriteString(w, kind)
	_, _ = w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	_, _ = w.Write(n[:])
}
