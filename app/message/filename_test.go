package message_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apperr"
	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/file"
	"jiaxiao/app/filter"
	"jiaxiao/app/group"
	"jiaxiao/app/message"
)

// TestPostFileNameFiltered: an uploaded file's name passes the filter like
// the text — refused with the category named, held, or masked — evasions
// included, with the staff exemptions for phone numbers.
func TestPostFileNameFiltered(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		f := setup(t, g)
		ctx := context.Background()
		post := func(u *auth.User, grp group.Group, body, name string) (message.Message, error) {
			t.Helper()
			p, err := file.Prepare("file", name, []byte("%PDF-1.4 "+name))
			if err != nil {
				t.Fatalf("prepare %q: %v", name, err)
			}
			return f.Messages.Post(ctx, u, grp.ID, message.PostInput{Body: body, File: &p})
		}
		storedName := func(m message.Message) string {
			t.Helper()
			if m.FileID == nil {
				t.Fatalf("no file on %+v", m)
			}
			var name string
			if err := g.Table("files").Where("id = ?", *m.FileID).Pluck("name", &name).Error; err != nil {
				t.Fatal(err)
			}
			return name
		}
		count := func() (n int64) {
			if err := g.Model(&message.Message{}).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		// block: refused, the file name and category named, nothing stored.
		for _, c := range []struct {
			name     string
			category filter.Category
		}{
			{"兼职刷单日结.pdf", filter.Ads},
			{"兼职刷\u200b单.pdf", filter.Ads},
			{"代\u3164開\u2060發票.pdf", filter.Illegal},
			{"代開發票.pdf", filter.Illegal},
			{"群里⼝交.pdf", filter.Porn},
		} {
			name := c.name
			_, err := post(f.dad, f.c32, "", name)
			var be *message.BlockedError
			if !errors.As(err, &be) || !be.FileName || be.Category != c.category {
				t.Fatalf("%q: want a refusal of the file name as %s, got %v", name, c.category, err)
			}
			if !strings.Contains(err.Error(), "文件名") || !strings.Contains(err.Error(), be.Category.Label()) {
				t.Fatalf("%q: message %q does not name the file and the category", name, err)
			}
			v, ok := apperr.AsValidation(err)
			if !ok || v.Fields["file"] == "" {
				t.Fatalf("%q: want a validation error on the file field, got %v", name, err)
			}
		}
		if _, err := post(f.dad, f.c32, "请看附件", "兼职刷单.pdf"); err == nil {
			t.Fatal("a clean text does not let a banned file name through")
		}
		if n := count(); n != before {
			t.Fatalf("refused posts stored: %d → %d", before, n)
		}
		// review: held, seen only by the author and moderators.
		m, err := post(f.dad, f.c32, "", "帮我砍一刀.pdf")
		if err != nil || m.Status != message.Held || !strings.Contains(m.HeldReason, "文件名") {
			t.Fatalf("review: %+v %v", m, err)
		}
		if got := strings.Join(f.visibleTo(t, f.wang, f.c32), "|"); strings.Contains(got, "held") {
			t.Fatalf("held file shown to another parent: %s", got)
		}
		// mask: stored under the masked name.
		m, err = post(f.wang, f.c32, "作业", "傻逼.pdf")
		if err != nil || m.Status != message.Visible || storedName(m) != "＊＊.pdf" {
			t.Fatalf("mask: %+v %v", m, err)
		}
		// A parent's phone number in a file name is masked; a teacher's is not.
		m, err = post(f.wang, f.c32, "", "联系13912345678.pdf")
		if err != nil || storedName(m) != "联系＊＊＊＊＊＊＊＊＊＊＊.pdf" {
			t.Fatalf("parent's phone in a file name: %+v %v", m, err)
		}
		m, err = post(f.head, f.c32, "", "联系13912345678.pdf")
		if err != nil || storedName(m) != "联系13912345678.pdf" {
			t.Fatalf("teacher's phone in a file name: %+v %v", m, err)
		}
		// Ordinary names pass unchanged.
		for _, name := range []string{"三年级2班数学作业3.5.pdf", "成绩单_2024.pdf", "a.m.讲义v1.2.pdf"} {
			m, err = post(f.dad, f.c32, "", name)
			if err != nil || m.Status != message.Visible || storedName(m) != name {
				t.Fatalf("%q: %+v %v", name, m, err)
			}
		}
	})
}
