// Package notify renders the notification centre (提醒).
package notify

import "strconv"

func unreadNote(n int) string { return strconv.Itoa(n) + " 条未读，点开即标为已读" }
