package storage_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"

	"github.com/minio/minio-go/v7"

	"jiaxiao/app/apptest"
)

const fiftyMB = 50 << 20

// BenchmarkArchivePut50MB stores a 50 MB file through our MinIO backend,
// which computes the SHA-256 while streaming.
func BenchmarkArchivePut50MB(b *testing.B) {
	s := apptest.MinIO(b)
	data := make([]byte, fiftyMB)
	_, _ = rand.Read(data)
	b.SetBytes(fiftyMB)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Put(context.Background(), "files/bench/50mb.bin", bytes.NewReader(data), fiftyMB, "application/octet-stream"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainPutObject50MB stores the same file with a plain minio-go
// PutObject, for comparison.
func BenchmarkPlainPutObject50MB(b *testing.B) {
	s := apptest.MinIO(b)
	data := make([]byte, fiftyMB)
	_, _ = rand.Read(data)
	b.SetBytes(fiftyMB)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Client().PutObject(context.Background(), s.Bucket(), "files/bench/plain.bin", bytes.NewReader(data), fiftyMB,
			minio.PutObjectOptions{ContentType: "application/octet-stream"}); err != nil {
			b.Fatal(err)
		}
	}
}
