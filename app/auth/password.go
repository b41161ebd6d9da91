package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Cost is what one argon2id hash costs. The parameters are written into
// each hash, so a password is always checked at the cost it was hashed
// with.
type Cost struct {
	Time      uint32 // passes
	MemoryKiB uint32
	Threads   uint8
}

// DefaultCost is RFC 9106's second recommendation, scaled for a 2-core
// school server: about 40 ms and 32 MiB per hash.
var DefaultCost = Cost{Time: 2, MemoryKiB: 32 * 1024, Threads: 2}

const argonKeyLen = 32

// HashPassword returns an encoded argon2id hash of pw at DefaultCost.
func HashPassword(pw string) (string, error) { return DefaultCost.Hash(pw) }

// Hash returns an encoded argon2id hash of pw at cost c.
func (c Cost) Hash(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, c.Time, c.MemoryKiB, c.Threads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.MemoryKiB, c.Time, c.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the encoded hash.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var mem uint32
	var iters uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &iters, &threads); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, iters, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against when the phone is unknown, so that a wrong
// phone and a wrong password take the same time.
func dummyHash(c Cost) string {
	h, _ := c.Hash("jiaxiao-timing-equalizer")
	return h
}
