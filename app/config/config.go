// Package config reads jiaxiao's configuration from the environment and
// validates it. Nothing here is package-level state: Load returns a value
// that main hands to whoever needs it.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of one jiaxiao process.
type Config struct {
	Addr          string
	DataDir       string
	DBDriver      string // "sqlite" or "mysql"
	DBDSN         string
	Storage       string // "file" or "minio"
	MinIO         MinIO
	Timezone      string
	Location      *time.Location
	SecureCookies bool
	Sender        string // "log" or "webhook"
	WebhookURL    string
	// RedisURL (redis://[user:password@]host:port[/db], or rediss:// for
	// TLS) is the broker through which instances wake each other; empty:
	// each instance polls the database alone.
	RedisURL string
	// TrustedProxies are the addresses whose X-Forwarded-For is believed
	// for the client's address (throttles, logs); loopback by default.
	TrustedProxies []*net.IPNet
}

// MinIO is the object-storage connection used when Storage is "minio".
type MinIO struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Bucket    string
	Secure    bool
}

// ObjectsDir is where the file storage backend keeps objects.
func (c Config) ObjectsDir() string { return filepath.Join(c.DataDir, "objects") }

// Load reads the configuration through getenv (os.Getenv in production) and
// validates it. The error lists every bad variable on one line.
func Load(getenv func(string) string) (Config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	var errs []string
	boolean := func(key string) bool {
		v := get(key, "false")
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s=%q is not true or false", key, v))
		}
		return b
	}
	c := Config{
		Addr:          get("JIAXIAO_ADDR", ":8080"),
		DataDir:       get("JIAXIAO_DATA_DIR", "./data"),
		DBDriver:      get("JIAXIAO_DB_DRIVER", "sqlite"),
		Storage:       get("JIAXIAO_STORAGE", "file"),
		Timezone:      get("JIAXIAO_TIMEZONE", "Asia/Shanghai"),
		SecureCookies: boolean("JIAXIAO_SECURE_COOKIES"),
		Sender:        get("JIAXIAO_SENDER", "log"),
		WebhookURL:    get("JIAXIAO_SENDER_WEBHOOK_URL", ""),
		RedisURL:      get("JIAXIAO_REDIS_URL", ""),
		MinIO: MinIO{
			Endpoint:  get("JIAXIAO_MINIO_ENDPOINT", ""),
			AccessKey: get("JIAXIAO_MINIO_ACCESS_KEY", ""),
			SecretKey: get("JIAXIAO_MINIO_SECRET_KEY", ""),
			Bucket:    get("JIAXIAO_MINIO_BUCKET", "jiaxiao"),
			Secure:    boolean("JIAXIAO_MINIO_SECURE"),
		},
	}
	c.DBDSN = get("JIAXIAO_DB_DSN", filepath.Join(c.DataDir, "jiaxiao.db"))

	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Sprintf("JIAXIAO_ADDR=%q is not host:port", c.Addr))
	}
	switch c.DBDriver {
	case "sqlite":
	case "mysql":
		if getenv("JIAXIAO_DB_DSN") == "" {
			errs = append(errs, "JIAXIAO_DB_DSN is required when JIAXIAO_DB_DRIVER=mysql")
		}
	default:
		errs = append(errs, fmt.Sprintf("JIAXIAO_DB_DRIVER=%q must be sqlite or mysql", c.DBDriver))
	}
	switch c.Storage {
	case "file":
	case "minio":
		m := c.MinIO
		if m.Endpoint == "" || m.AccessKey == "" || m.SecretKey == "" {
			errs = append(errs, "JIAXIAO_MINIO_ENDPOINT, JIAXIAO_MINIO_ACCESS_KEY and JIAXIAO_MINIO_SECRET_KEY are required when JIAXIAO_STORAGE=minio")
		} else if strings.Contains(m.Endpoint, "/") {
			errs = append(errs, fmt.Sprintf("JIAXIAO_MINIO_ENDPOINT=%q must be host:port without a scheme (use JIAXIAO_MINIO_SECURE for TLS)", m.Endpoint))
		}
		if !validBucket(m.Bucket) {
			errs = append(errs, fmt.Sprintf("JIAXIAO_MINIO_BUCKET=%q is not a valid bucket name (3-63 lowercase letters, digits, dots, hyphens)", m.Bucket))
		}
	default:
		errs = append(errs, fmt.Sprintf("JIAXIAO_STORAGE=%q must be file or minio", c.Storage))
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		errs = append(errs, fmt.Sprintf("JIAXIAO_TIMEZONE=%q is not a known time zone", c.Timezone))
	}
	c.Location = loc
	switch c.Sender {
	case "log":
	case "webhook":
		u, err := url.Parse(c.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, "JIAXIAO_SENDER_WEBHOOK_URL must be an http(s) URL when JIAXIAO_SENDER=webhook")
		}
	default:
		errs = append(errs, fmt.Sprintf("JIAXIAO_SENDER=%q must be log or webhook", c.Sender))
	}
	if c.RedisURL != "" {
		if msg := checkRedisURL(c.RedisURL); msg != "" {
			errs = append(errs, "JIAXIAO_REDIS_URL "+msg)
		}
	}
	proxies, bad := parseProxies(get("JIAXIAO_TRUSTED_PROXIES", "127.0.0.0/8,::1"))
	for _, b := range bad {
		errs = append(errs, fmt.Sprintf("JIAXIAO_TRUSTED_PROXIES: %q is not an address or CIDR", b))
	}
	c.TrustedProxies = proxies
	if len(errs) > 0 {
		return c, errors.New("config: " + strings.Join(errs, "; "))
	}
	return c, nil
}

// checkRedisURL says what is wrong with a Redis URL, or "" if nothing
// is. The URL is not repeated in the message: it may hold a password.
func checkRedisURL(raw string) string {
	const form = "must be redis://host:port/db (or rediss:// for TLS)"
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Hostname() == "" || u.Opaque != "" {
		return form
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("has a bad port %q", p)
		}
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		if n, err := strconv.Atoi(db); err != nil || n < 0 {
			return fmt.Sprintf("has a bad database number %q (%s)", db, form)
		}
	}
	return ""
}

func validBucket(b string) bool {
	if len(b) < 3 || len(b) > 63 {
		return false
	}
	for _, r := range b {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// parseProxies reads a comma-separated list of addresses and CIDRs; a
// lone address stands for itself. It returns what it could read and the
// entries it could not.
func parseProxies(list string) (nets []*net.IPNet, bad []string) {
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			ip := net.ParseIP(f)
			if ip == nil {
				bad = append(bad, f)
				continue
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(f)
		if err != nil {
			bad = append(bad, f)
			continue
		}
		nets = append(nets, n)
	}
	return nets, bad
}
