package apptest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"jiaxiao/storage"
)

// MinIOConfig is how tests reach a MinIO server.
type MinIOConfig struct {
	Endpoint, AccessKey, SecretKey string
}

// SharedMinIO is the server `make test` started, from JIAXIAO_TEST_MINIO_*.
func SharedMinIO(t testing.TB) MinIOConfig {
	t.Helper()
	c := MinIOConfig{
		Endpoint:  os.Getenv("JIAXIAO_TEST_MINIO_ENDPOINT"),
		AccessKey: os.Getenv("JIAXIAO_TEST_MINIO_ACCESS_KEY"),
		SecretKey: os.Getenv("JIAXIAO_TEST_MINIO_SECRET_KEY"),
	}
	if c.Endpoint == "" || testing.Short() {
		Missing(t, "MinIO", errors.New("JIAXIAO_TEST_MINIO_ENDPOINT is not set (make test starts one)"))
	}
	return c
}

// MinIO returns a store on a new bucket of the shared server, emptied and
// removed at cleanup.
func MinIO(t testing.TB) *storage.MinIO {
	t.Helper()
	c := SharedMinIO(t)
	bucket := strings.ReplaceAll(RandomName("jxt-"), "_", "-")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := storage.NewMinIO(ctx, storage.MinIOOptions{Endpoint: c.Endpoint, AccessKey: c.AccessKey, SecretKey: c.SecretKey, Bucket: bucket})
	if err != nil {
		Missing(t, "MinIO", err)
	}
	t.Cleanup(func() { RemoveBucket(s.Client(), bucket) })
	return s
}

// RemoveBucket deletes every object of a bucket and then the bucket.
func RemoveBucket(c *minio.Client, bucket string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	objects := c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true})
	for range c.RemoveObjects(ctx, bucket, objects, minio.RemoveObjectsOptions{}) {
	}
	_ = c.RemoveBucket(ctx, bucket)
}

// MinIOServer is a MinIO process of the test's own, for fault tests that
// stop and start it.
type MinIOServer struct {
	MinIOConfig
	bin, dir string
	cmd      *exec.Cmd
	t        testing.TB
}

// MinIOBinary finds the minio binary: JIAXIAO_TEST_MINIO_BIN, the build
// cache of `make test`, or PATH.
func MinIOBinary() (string, error) {
	if p := os.Getenv("JIAXIAO_TEST_MINIO_BIN"); p != "" {
		return p, nil
	}
	if cache, err := os.UserCacheDir(); err == nil {
		if m, _ := filepath.Glob(filepath.Join(cache, "jiaxiao", "bin", "minio-*")); len(m) > 0 {
			return m[len(m)-1], nil
		}
	}
	return exec.LookPath("minio")
}

// StartMinIO starts a private MinIO server on a free loopback port with a
// temporary data directory; it is stopped at cleanup.
func StartMinIO(t testing.TB) *MinIOServer {
	t.Helper()
	bin, err := MinIOBinary()
	if err != nil || testing.Short() {
		Missing(t, "MinIO binary", err)
	}
	s := &MinIOServer{
		MinIOConfig: MinIOConfig{Endpoint: FreeAddr(t), AccessKey: "jiaxiaotest", SecretKey: "jiaxiaotest-secret"},
		bin:         bin, dir: t.TempDir(), t: t,
	}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start (re)starts the server on its port and data directory and waits until it is ready.
func (s *MinIOServer) Start() {
	s.t.Helper()
	cmd := exec.Command(s.bin, "server", "--quiet", "--address", s.Endpoint, "--console-address", "127.0.0.1:0", s.dir)
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+s.AccessKey, "MINIO_ROOT_PASSWORD="+s.SecretKey, "MINIO_BROWSER=off")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start minio: %v", err)
	}
	s.cmd = cmd
	if err := WaitHTTP("http://"+s.Endpoint+"/minio/health/ready", 60*time.Second); err != nil {
		s.t.Fatalf("minio did not become ready: %v", err)
	}
	if err := s.waitS3(60 * time.Second); err != nil {
		s.t.Fatalf("minio did not become ready: %v", err)
	}
}

// waitS3 polls an authenticated S3 call: MinIO answers its readiness
// probe a moment before it serves requests ("Server not initialized yet").
func (s *MinIOServer) waitS3(timeout time.Duration) error {
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, "")})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		_, err := c.ListBuckets(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s: %w", s.Endpoint, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Stop kills the server and waits for it to exit.
func (s *MinIOServer) Stop() {
	if s.cmd == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	_ = s.cmd.Wait()
	s.cmd = nil
}

// FreeAddr returns a loopback host:port nobody listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// WaitHTTP polls url until it answers 200 or timeout passes.
func WaitHTTP(url string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	client := &http.Client{Timeout: 2 * time.Second}
	var last error
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s: %v", url, timeout, last)
}
