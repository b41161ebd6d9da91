package auth

import (
	"fmt"
	"net/netip"
	"strings"
)

// Device names the device and browser of a user agent in words a parent
// knows (iPhone · 微信, Windows 电脑 · Edge), for the list of sessions. It
// reads only well-known marks and never guesses: what it does not know
// it leaves out, and an agent it knows nothing of is 未知设备.
func Device(ua string) string {
	dev, app := deviceOf(ua), appOf(ua)
	switch {
	case dev != "" && app != "":
		return dev + " · " + app
	case dev != "":
		return dev
	case app != "":
		return app
	}
	return "未知设备"
}

// marks are checked in order: the first whose every part the agent holds
// names it.
type mark struct {
	parts []string
	name  string
}

var devices = []mark{
	{[]string{"iPad"}, "iPad"},
	{[]string{"iPhone"}, "iPhone"},
	{[]string{"HarmonyOS"}, "鸿蒙设备"},
	{[]string{"OpenHarmony"}, "鸿蒙设备"},
	{[]string{"Android", "Mobile"}, "Android 手机"},
	{[]string{"Android"}, "Android 平板"},
	{[]string{"Windows"}, "Windows 电脑"},
	{[]string{"Macintosh"}, "Mac 电脑"},
	{[]string{"CrOS"}, "Chromebook"},
	{[]string{"Linux"}, "Linux 电脑"},
}

// apps: the apps that carry a browser inside (WeCom's agent names WeChat
// too, every Chrome-based one names Chrome and Safari) come before the
// browsers they are built on.
var apps = []mark{
	{[]string{"wxwork"}, "企业微信"},
	{[]string{"MicroMessenger"}, "微信"},
	{[]string{"DingTalk"}, "钉钉"},
	{[]string{"MQQBrowser"}, "QQ浏览器"},
	{[]string{" QQ/"}, "QQ"},
	{[]string{"UCBrowser"}, "UC浏览器"},
	{[]string{"Quark"}, "夸克"},
	{[]string{"baiduboxapp"}, "百度"},
	{[]string{"HuaweiBrowser"}, "华为浏览器"},
	{[]string{"MiuiBrowser"}, "小米浏览器"},
	{[]string{"HeyTapBrowser"}, "OPPO 浏览器"},
	{[]string{"VivoBrowser"}, "vivo 浏览器"},
	{[]string{"SamsungBrowser"}, "三星浏览器"},
	{[]string{"SogouMobileBrowser"}, "搜狗浏览器"},
	{[]string{"MetaSr"}, "搜狗浏览器"},
	{[]string{"360SE"}, "360 浏览器"},
	{[]string{"QihooBrowser"}, "360 浏览器"},
	{[]string{"Edg"}, "Edge"},
	{[]string{"OPR/"}, "Opera"},
	{[]string{"Firefox"}, "Firefox"},
	{[]string{"FxiOS"}, "Firefox"},
	{[]string{"CriOS"}, "Chrome"},
	{[]string{"Chrome/"}, "Chrome"},
	{[]string{"Version/", "Safari/"}, "Safari"},
}

func deviceOf(ua string) string { return firstMark(ua, devices) }

func appOf(ua string) string { return firstMark(ua, apps) }

func firstMark(ua string, marks []mark) string {
	for _, m := range marks {
		all := true
		for _, p := range m.parts {
			if !strings.Contains(ua, p) {
				all = false
				break
			}
		}
		if all {
			return m.name
		}
	}
	return ""
}

// MaskIP hides the host part of an address, keeping enough to tell a
// home network from a school's or a phone carrier's: 203.0.*.* for IPv4,
// the first two groups for IPv6. An address it cannot read is "".
func MaskIP(ip string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return ""
	}
	a = a.Unmap()
	b := a.As16()
	if a.Is4() {
		return fmt.Sprintf("%d.%d.*.*", b[12], b[13])
	}
	return fmt.Sprintf("%x:%x:*", uint16(b[0])<<8|uint16(b[1]), uint16(b[2])<<8|uint16(b[3]))
}
