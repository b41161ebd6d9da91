package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/file"
	"jiaxiao/app/file/filetest"
)

// uploadBudget is the most the heap may grow while the server refuses one
// hostile upload: the multipart copy and the read bytes of a file under
// 1 MB, far from the hundreds of megabytes the files decode to.
const uploadBudget = 48 << 20

// TestUploadAttacks runs issue 10's image attacks against the real server:
// each is answered 4xx within a second or two, and the heap stays within
// uploadBudget, because the headers are checked before any decoding and
// decoding waits until the poster's permission is checked.
func TestUploadAttacks(t *testing.T) {
	apptest.EachDBInTurn(t, func(t *testing.T, g *gorm.DB) {
		s := newSchool(t, g)
		parent, owner := s.clients["parent-member"], s.clients["owner"]
		feed := fmt.Sprintf("/groups/%d", s.c32.ID)
		parent.Get(feed)
		owner.Get("/notices/new")
		attacks := []struct {
			name string
			data []byte
			want string
		}{
			{"动图.gif", filetest.GIF(2000, 2000, 150), "动图过大"},           // 4 MP a frame, 600 MP in all
			{"深色.png", filetest.PNG(6000, 6000, 16, 6), "16 位 PNG"},     // 280 KB, 288 MB decoded
			{"巨图.png", filetest.PNG(16000, 16000, 8, 6), "最大 4000 万像素"}, // 1 GB decoded
			{"宽帧.gif", filetest.GIF(2000, 2000, 11), "所有帧合计"},
			{"帧多.gif", filetest.GIF(64, 64, 500), "帧数过多"}, // 44 MP of frames
		}
		for _, a := range attacks {
			for _, post := range []struct {
				c    *apptest.Client
				path string
				form map[string]string
			}{
				{parent, feed + "/messages", map[string]string{"body": "看图"}},
				{owner, "/notices", map[string]string{"title": "春游照片", "body": "见附件", "category": "活动", "group_id": fmt.Sprint(s.c32.ID)}},
			} {
				var status int
				var body string
				start := time.Now()
				grew := heapRise(func() {
					r := multipartForm(t, post.c, post.path, post.form, a.name, a.data)
					status, body = r.StatusCode, r.Body
				})
				took := time.Since(start)
				t.Logf("%s (%d KB) to %s: %d in %v, heap +%d MB", a.name, len(a.data)>>10, post.path, status, took.Round(time.Millisecond), grew>>20)
				if status != 422 || !strings.Contains(body, a.want) {
					t.Errorf("%s to %s: %d, want 422 saying %q", a.name, post.path, status, a.want)
				}
				if took > 3*time.Second || grew > uploadBudget {
					t.Errorf("%s to %s: %v and %d MB", a.name, post.path, took, grew>>20)
				}
			}
		}
		// An image within the budgets but costly to decode (36 MP, 144 MB
		// decoded, 140 KB sent) to a group that does not exist, or one the
		// parent is not in: 404 at once, nothing decoded.
		costly := filetest.PNG(6000, 6000, 8, 6)
		for _, path := range []string{"/groups/999999/messages", fmt.Sprintf("/groups/%d/messages", s.c33.ID)} {
			var status int
			start := time.Now()
			grew := heapRise(func() {
				status = multipartForm(t, parent, path, map[string]string{"body": "看图"}, "大图.png", costly).StatusCode
			})
			took := time.Since(start)
			t.Logf("costly image to %s: %d in %v, heap +%d MB", path, status, took.Round(time.Millisecond), grew>>20)
			if status != 404 || took > 2*time.Second || grew > uploadBudget {
				t.Errorf("costly image to %s: %d in %v, heap +%d MB; want 404 fast", path, status, took, grew>>20)
			}
		}
		// A photo the parent may post is still cleaned and stored.
		r := multipartForm(t, parent, feed+"/messages", map[string]string{"body": "作业照片"}, "作业.png", filetest.PNG(64, 48, 8, 2))
		if r.StatusCode != 303 {
			t.Fatalf("small photo: %d %s", r.StatusCode, r.TestID("alert-error"))
		}
		var f file.File
		if err := g.Where("name = ?", "作业.png").Take(&f).Error; err != nil || f.ContentType != "image/png" {
			t.Fatalf("stored photo %+v: %v", f, err)
		}
	})
}
