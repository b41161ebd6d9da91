package memo_test

import (
	"errors"
	"testing"
	"time"

	"jiaxiao/app/memo"
)

func TestKeyedKeepsUntilDropped(t *testing.T) {
	t.Parallel()
	c := memo.NewKeyed[int, string](time.Hour, 100)
	reads := 0
	read := func(v string) func() (string, error) {
		return func() (string, error) { reads++; return v, nil }
	}
	if v, _ := c.Get(1, read("a")); v != "a" || reads != 1 {
		t.Fatalf("first get: %q after %d reads", v, reads)
	}
	if v, _ := c.Get(1, read("b")); v != "a" || reads != 1 {
		t.Fatalf("kept value: %q after %d reads", v, reads)
	}
	c.Drop(1)
	if v, _ := c.Get(1, read("c")); v != "c" || reads != 2 {
		t.Fatalf("after Drop: %q after %d reads", v, reads)
	}
	c.Get(2, read("x"))
	c.DropAll()
	if v, _ := c.Get(2, read("y")); v != "y" {
		t.Fatalf("after DropAll: %q", v)
	}
	if _, err := c.Get(3, func() (string, error) { return "", errors.New("down") }); err == nil {
		t.Fatal("error not returned")
	}
	if v, _ := c.Get(3, read("z")); v != "z" {
		t.Fatalf("an error was kept: %q", v)
	}
}

// A read that a drop overtakes is returned to its caller but not kept.
func TestKeyedRacingReadIsNotKept(t *testing.T) {
	t.Parallel()
	for _, drop := range map[string]func(c *memo.Keyed[int, string]){
		"Drop":    func(c *memo.Keyed[int, string]) { c.Drop(1) },
		"DropAll": func(c *memo.Keyed[int, string]) { c.DropAll() },
	} {
		c := memo.NewKeyed[int, string](time.Hour, 100)
		c.Drop(2) // the first Drop starts the generations: past that case
		v, _ := c.Get(1, func() (string, error) { drop(c); return "stale", nil })
		if v != "stale" {
			t.Fatalf("the reader got %q", v)
		}
		if v, _ := c.Get(1, func() (string, error) { return "fresh", nil }); v != "fresh" {
			t.Fatalf("a read overtaken by a drop was kept: %q", v)
		}
	}
}

func TestKeyedAgeAndSize(t *testing.T) {
	t.Parallel()
	c := memo.NewKeyed[int, int](20*time.Millisecond, 2)
	c.Get(1, func() (int, error) { return 1, nil })
	time.Sleep(30 * time.Millisecond) // past maxAge: the age is the thing tested
	if v, _ := c.Get(1, func() (int, error) { return 2, nil }); v != 2 {
		t.Fatalf("an old value was served: %d", v)
	}
	big := memo.NewKeyed[int, int](time.Hour, 2)
	for k := range 3 {
		big.Get(k, func() (int, error) { return k, nil })
	}
	reads := 0
	for k := range 3 {
		big.Get(k, func() (int, error) { reads++; return k, nil })
	}
	if reads == 0 {
		t.Fatal("more values kept than the cache may hold")
	}
	one := memo.NewOne[string](time.Hour)
	one.Get(func() (string, error) { return "a", nil })
	one.Drop()
	if v, _ := one.Get(func() (string, error) { return "b", nil }); v != "b" {
		t.Fatalf("One after Drop: %q", v)
	}
}
