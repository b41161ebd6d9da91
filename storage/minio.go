package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// MinIOOptions configure NewMinIO.
type MinIOOptions struct {
	Endpoint  string // host:port
	AccessKey string
	SecretKey string
	Bucket    string
	Secure    bool
}

// MinIO keeps objects in a MinIO (or S3-compatible) bucket.
type MinIO struct {
	client *minio.Client
	bucket string
	name   string
}

// NewMinIO connects to MinIO and creates the bucket if it is missing. It
// gives up when ctx ends, naming the endpoint.
func NewMinIO(ctx context.Context, o MinIOOptions) (*MinIO, error) {
	c, err := minio.New(o.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure: o.Secure,
	})
	if err != nil {
		return nil, fmt.Errorf("storage: minio at %s: %w", o.Endpoint, err)
	}
	m := &MinIO{client: c, bucket: o.Bucket, name: "minio at " + o.Endpoint + " bucket " + o.Bucket}
	exists, err := c.BucketExists(ctx, o.Bucket)
	if err != nil {
		return nil, fmt.Errorf("storage: %s unreachable: %w", m.name, err)
	}
	if !exists {
		if err := c.MakeBucket(ctx, o.Bucket, minio.MakeBucketOptions{}); err != nil {
			// Another instance may have created it meanwhile.
			if ok, e2 := c.BucketExists(ctx, o.Bucket); e2 != nil || !ok {
				return nil, fmt.Errorf("storage: %s: create bucket: %w", m.name, err)
			}
		}
	}
	return m, nil
}

// Name describes the store.
func (m *MinIO) Name() string { return m.name }

// Client exposes the minio-go client for benchmarks and tests that compare
// against plain minio-go calls.
func (m *MinIO) Client() *minio.Client { return m.client }

// Bucket is the bucket the store writes to.
func (m *MinIO) Bucket() string { return m.bucket }

// Put implements Store. The SHA-256 is computed while streaming.
func (m *MinIO) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) (Object, error) {
	if err := checkKey(key); err != nil {
		return Object{}, err
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	h := sha256.New()
	counted := &countingReader{r: io.TeeReader(r, h)}
	info, err := m.client.PutObject(ctx, m.bucket, key, counted, size, minio.PutObjectOptions{ContentType: contentType})
	if err != nil {
		if counted.n != size {
			return Object{}, fmt.Errorf("storage: put %s: %w (%v)", key, ErrSizeMismatch, err)
		}
		return Object{}, fmt.Errorf("storage: put %s: %w", key, err)
	}
	// A longer stream than announced is cut at size by minio-go; refuse it.
	if extra, _ := r.Read(make([]byte, 1)); extra > 0 || info.Size != size {
		_ = m.client.RemoveObject(ctx, m.bucket, key, minio.RemoveObjectOptions{})
		return Object{}, fmt.Errorf("storage: put %s: %w", key, ErrSizeMismatch)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return Object{Key: key, Size: info.Size, ContentType: contentType, SHA256: sum, ModTime: info.LastModified.UTC()}, nil
}

// Get implements Store.
func (m *MinIO) Get(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	o, err := m.Stat(ctx, key)
	if err != nil {
		return nil, Object{}, err
	}
	rc, err := m.client.GetObject(ctx, m.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, Object{}, m.mapErr(key, err)
	}
	return rc, o, nil
}

// Stat implements Store.
func (m *MinIO) Stat(ctx context.Context, key string) (Object, error) {
	if err := checkKey(key); err != nil {
		return Object{}, err
	}
	info, err := m.client.StatObject(ctx, m.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Object{}, m.mapErr(key, err)
	}
	return Object{Key: key, Size: info.Size, ContentType: info.ContentType, ModTime: info.LastModified.UTC()}, nil
}

// Delete implements Store.
func (m *MinIO) Delete(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := m.client.RemoveObject(ctx, m.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return m.mapErr(key, err)
	}
	return nil
}

// URL implements Store with a presigned GET that names the download.
func (m *MinIO) URL(ctx context.Context, key string, expiry time.Duration, filename string) (string, error) {
	if err := checkKey(key); err != nil {
		return "", err
	}
	params := url.Values{}
	params.Set("response-content-disposition", Disposition(filename))
	u, err := m.client.PresignedGetObject(ctx, m.bucket, key, expiry, params)
	if err != nil {
		return "", m.mapErr(key, err)
	}
	return u.String(), nil
}

// Ping implements Store.
func (m *MinIO) Ping(ctx context.Context) error {
	ok, err := m.client.BucketExists(ctx, m.bucket)
	if err != nil {
		return fmt.Errorf("storage: %s: %w", m.name, err)
	}
	if !ok {
		return fmt.Errorf("storage: %s: bucket is gone", m.name)
	}
	return nil
}

func (m *MinIO) mapErr(key string, err error) error {
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && (resp.Code == "NoSuchKey" || resp.StatusCode == 404) {
		return fmt.Errorf("storage: %s: %w", key, ErrNotExist)
	}
	return fmt.Errorf("storage: %s: %w", key, err)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
