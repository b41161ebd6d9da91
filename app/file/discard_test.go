package file_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"jiaxiao/app/apptest"
	"jiaxiao/app/file"
	"jiaxiao/app/file/filetest"
	"jiaxiao/storage"
)

// Uploads kept for a change that does not happen go again: SaveAllOrStage
// discards those it kept when a later one fails, and Discard takes the
// records away and queues the objects' deletion, on both databases.
func TestSaveAllDiscardsOnFailure(t *testing.T) {
	t.Parallel()
	apptest.EachDB(t, func(t *testing.T, g *gorm.DB) {
		store, err := storage.NewFile(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		s := file.NewService(g, store, nil)
		ctx := context.Background()
		count := func(table string) int64 {
			var n int64
			if err := g.Table(table).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			return n
		}
		good, err := file.Prepare("file", "a.pdf", []byte("%PDF-1.4 kept"))
		if err != nil {
			t.Fatal(err)
		}
		png := filetest.PNG(16, 12, 8, 2)
		broken, err := file.Prepare("file", "b.png", png[:len(png)/2]) // its headers pass, its pixels do not
		if err != nil {
			t.Fatalf("the broken photo's headers: %v", err)
		}
		if _, err := s.SaveAllOrStage(ctx, 1, []file.Prepared{good, broken}); err == nil {
			t.Fatal("a broken photo was kept")
		}
		if n := count("files"); n != 0 {
			t.Fatalf("%d files kept from a refused change", n)
		}
		if n := count("jobs"); n != 1 {
			t.Fatalf("%d jobs queued to delete the kept object, want 1", n)
		}

		ids, err := s.SaveAllOrStage(ctx, 1, []file.Prepared{good})
		if err != nil || len(ids) != 1 {
			t.Fatalf("save: %v %v", ids, err)
		}
		s.Discard(ctx, ids)
		if n := count("files"); n != 0 {
			t.Fatalf("%d files after Discard", n)
		}
	})
}
