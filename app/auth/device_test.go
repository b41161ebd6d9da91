package auth_test

import (
	"testing"

	"jiaxiao/app/auth"
)

func TestDevice(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ ua, want string }{
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003137) NetType/WIFI Language/zh_CN", "iPhone · 微信"},
		{"Mozilla/5.0 (Linux; Android 13; V2219A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 wxwork/4.1.22 MicroMessenger/7.0.1", "Android 手机 · 企业微信"},
		{"Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.5.302 Mobile Safari/537.36", "鸿蒙设备 · 华为浏览器"},
		{"Mozilla/5.0 (Linux; Android 11; M2012K11AC) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.116 Mobile Safari/537.36 XiaoMi/MiuiBrowser/17.8.90", "Android 手机 · 小米浏览器"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0", "Windows 电脑 · Edge"},
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36", "Windows 电脑 · Chrome"},
		{"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15", "Mac 电脑 · Safari"},
		{"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0 Mobile/15E148 Safari/604.1", "iPad · Chrome"},
		{"Mozilla/5.0 (Linux; Android 10; SM-T510) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "Android 平板 · Chrome"},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0", "Linux 电脑 · Firefox"},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 DingTalk/7.0.50", "iPhone · 钉钉"},
		{"Go-http-client/1.1", "未知设备"},
		{"", "未知设备"},
	} {
		if got := auth.Device(c.ua); got != c.want {
			t.Errorf("Device(%.60q…) = %q, want %q", c.ua, got, c.want)
		}
	}
}

func TestMaskIP(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ ip, want string }{
		{"203.0.113.45", "203.0.*.*"},
		{"::ffff:10.1.2.3", "10.1.*.*"},
		{"2001:db8:85a3::8a2e:370:7334", "2001:db8:*"},
		{"", ""},
		{"not an ip", ""},
	} {
		if got := auth.MaskIP(c.ip); got != c.want {
			t.Errorf("MaskIP(%q) = %q, want %q", c.ip, got, c.want)
		}
	}
}
