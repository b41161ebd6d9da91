package notice_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/file"
	"jiaxiao/app/notice"
)

// TestComposeAttachmentNamesFiltered: attachments' names pass the filter
// like the title and body: a banned or held name refuses the notice with
// the category named, evasions included; a masked one is stored masked;
// a teacher's links and phone numbers pass, as in the text.
func TestComposeAttachmentNamesFiltered(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		compose := func(names ...string) (notice.Notice, error) {
			var files []file.Prepared
			for _, n := range names {
				files = append(files, attachment(t, n, n))
			}
			return f.Notices.Compose(ctx, f.head, notice.ComposeInput{Title: "期中考试安排", Body: "见附件。", Category: "通知",
				GroupIDs: []uint64{f.c32.ID}, Files: files})
		}
		count := func() (n int64) {
			if err := g.Model(&notice.Notice{}).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		for _, c := range []struct {
			names []string
			label string
		}{
			{[]string{"考试安排.pdf", "兼职刷单.pdf"}, "商业广告"},
			{[]string{"代\u200b開\u3164發票.pdf"}, "违法"},
			{[]string{"群里⼝交.pdf"}, "色情"},
			{[]string{"帮我砍一刀.pdf"}, "与教学无关"},
		} {
			_, err := compose(c.names...)
			v, ok := apperr.AsValidation(err)
			if !ok || !strings.Contains(v.Fields["file"], "文件名") || !strings.Contains(v.Fields["file"], c.label) {
				t.Fatalf("%q: want a refusal naming the file name and %s, got %v", c.names, c.label, err)
			}
		}
		if n := count(); n != before {
			t.Fatalf("refused notices stored: %d → %d", before, n)
		}
		in := []string{"傻逼.pdf", "联系13800000002.pdf", "讲义见school.example.cn.pdf", "三年级2班作业3.5.pdf"}
		n, err := compose(in...)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		if err := g.Table("files").Joins("JOIN notice_files nf ON nf.file_id = files.id").Where("nf.notice_id = ?", n.ID).
			Order("nf.position").Pluck("files.name", &names).Error; err != nil {
			t.Fatal(err)
		}
		want := []string{"＊＊.pdf", "联系13800000002.pdf", "讲义见school.example.cn.pdf", "三年级2班作业3.5.pdf"}
		if strings.Join(names, "|") != strings.Join(want, "|") {
			t.Fatalf("stored names %q, want %q", names, want)
		}
	})
}
