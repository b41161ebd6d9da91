package auth

import "testing"

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"13800138000", "13800138000", true},
		{" 138-0013-8000 ", "13800138000", true},
		{"+8613800138000", "13800138000", true},
		{"8613800138000", "13800138000", true},
		{"１３８００１３８０００", "13800138000", true},
		{"19912345678", "19912345678", true},
		{"12800138000", "", false}, // second digit 2
		{"1380013800", "", false},  // 10 digits
		{"138001380001", "", false},
		{"1380013800a", "", false},
		{"", "", false},
		{"02112345678", "", false},
	}
	for _, c := range cases {
		got, ok := NormalizePhone(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"张三", "张三", true},
		{"  欧阳娜娜 ", "欧阳娜娜", true},
		{"阿依古丽·买买提", "阿依古丽·买买提", true},
		{"阿依古丽•买买提", "阿依古丽·买买提", true},
		{"阿依古丽・买买提", "阿依古丽·买买提", true},
		{"John  Smith", "John Smith", true},
		{"Li", "Li", true},
		{"张", "", false},                     // one character
		{"张三三三三三三三三三三三三三三三三三三三三", "", false}, // 21
		{"张 三", "", false},
		{"·张三", "", false},
		{"张三·", "", false},
		{"张··三", "", false},
		{"张三John", "", false},
		{"张三3", "", false},
		{"小明妈妈😀", "", false},
		{"John-Smith", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := NormalizeName(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
