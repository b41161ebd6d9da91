package config

import (
	"net"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DBDriver != "sqlite" || c.Storage != "file" || c.MinIO.Bucket != "jiaxiao" {
		t.Fatalf("defaults: %+v", c)
	}
	if c.DBDSN != "data/jiaxiao.db" || c.ObjectsDir() != "data/objects" {
		t.Fatalf("paths: %q %q", c.DBDSN, c.ObjectsDir())
	}
	if c.Location.String() != "Asia/Shanghai" {
		t.Fatalf("location %v", c.Location)
	}
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"JIAXIAO_DB_DRIVER": "postgres"}, "JIAXIAO_DB_DRIVER"},
		{map[string]string{"JIAXIAO_DB_DRIVER": "mysql"}, "JIAXIAO_DB_DSN is required"},
		{map[string]string{"JIAXIAO_STORAGE": "s3"}, "JIAXIAO_STORAGE"},
		{map[string]string{"JIAXIAO_STORAGE": "minio"}, "JIAXIAO_MINIO_ENDPOINT"},
		{map[string]string{"JIAXIAO_STORAGE": "minio", "JIAXIAO_MINIO_ENDPOINT": "http://x:9000", "JIAXIAO_MINIO_ACCESS_KEY": "a", "JIAXIAO_MINIO_SECRET_KEY": "b"}, "without a scheme"},
		{map[string]string{"JIAXIAO_STORAGE": "minio", "JIAXIAO_MINIO_ENDPOINT": "x:9000", "JIAXIAO_MINIO_ACCESS_KEY": "a", "JIAXIAO_MINIO_SECRET_KEY": "b", "JIAXIAO_MINIO_BUCKET": "No_Such"}, "JIAXIAO_MINIO_BUCKET"},
		{map[string]string{"JIAXIAO_TIMEZONE": "Mars/Base"}, "JIAXIAO_TIMEZONE"},
		{map[string]string{"JIAXIAO_SECURE_COOKIES": "yes please"}, "JIAXIAO_SECURE_COOKIES"},
		{map[string]string{"JIAXIAO_ADDR": "8080"}, "JIAXIAO_ADDR"},
		{map[string]string{"JIAXIAO_SENDER": "webhook"}, "JIAXIAO_SENDER_WEBHOOK_URL"},
		{map[string]string{"JIAXIAO_REDIS_URL": "127.0.0.1:6379"}, "JIAXIAO_REDIS_URL must be redis://"},
		{map[string]string{"JIAXIAO_REDIS_URL": "http://127.0.0.1:6379/0"}, "JIAXIAO_REDIS_URL must be redis://"},
		{map[string]string{"JIAXIAO_REDIS_URL": "redis:///0"}, "JIAXIAO_REDIS_URL must be redis://"},
		{map[string]string{"JIAXIAO_REDIS_URL": "redis://127.0.0.1:99999/0"}, "JIAXIAO_REDIS_URL has a bad port"},
		{map[string]string{"JIAXIAO_REDIS_URL": "redis://127.0.0.1:6379/zero"}, "JIAXIAO_REDIS_URL has a bad database number"},
	}
	for _, tc := range cases {
		_, err := Load(env(tc.env))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want mention of %s", tc.env, err, tc.want)
		}
	}
}

func TestLoadRedis(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"redis://127.0.0.1:6379/0", "redis://redis", "rediss://:secret@cache.school.cn:6380/2"} {
		c, err := Load(env(map[string]string{"JIAXIAO_REDIS_URL": u}))
		if err != nil || c.RedisURL != u {
			t.Errorf("%s: %q %v", u, c.RedisURL, err)
		}
	}
	if c, _ := Load(env(nil)); c.RedisURL != "" {
		t.Errorf("Redis is optional: %q", c.RedisURL)
	}
	// A password in a bad URL is not echoed.
	if _, err := Load(env(map[string]string{"JIAXIAO_REDIS_URL": "redis://:hunter2@h:0x/0"})); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("got %v", err)
	}
}

func TestLoadListsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"JIAXIAO_DB_DRIVER": "x", "JIAXIAO_STORAGE": "y"}))
	if err == nil || !strings.Contains(err.Error(), "JIAXIAO_DB_DRIVER") || !strings.Contains(err.Error(), "JIAXIAO_STORAGE") {
		t.Fatalf("want both problems, got %v", err)
	}
}

func TestTrustedProxies(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 2 || !c.TrustedProxies[0].Contains(net.ParseIP("127.0.0.1")) || !c.TrustedProxies[1].Contains(net.ParseIP("::1")) {
		t.Fatalf("default: %v", c.TrustedProxies)
	}
	c, err = Load(env(map[string]string{"JIAXIAO_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 2 || !c.TrustedProxies[0].Contains(net.ParseIP("10.2.3.4")) ||
		!c.TrustedProxies[1].Contains(net.ParseIP("192.168.1.5")) || c.TrustedProxies[1].Contains(net.ParseIP("192.168.1.6")) {
		t.Fatalf("configured: %v", c.TrustedProxies)
	}
	_, err = Load(env(map[string]string{"JIAXIAO_TRUSTED_PROXIES": "10.0.0.0/33,proxy.local"}))
	if err == nil || !strings.Contains(err.Error(), "10.0.0.0/33") || !strings.Contains(err.Error(), "proxy.local") {
		t.Fatalf("bad entries: %v", err)
	}
}
