package privacy_test

import (
	"context"
	"fmt"
	"testing"

	"jiaxiao/app/apptest"
	"jiaxiao/app/auth"
	"jiaxiao/app/privacy"
)

// BenchmarkViewed is the access log's write for a page showing n
// children (a class sheet, a whole grade's receipts), on SQLite: one
// audit row and n pii_views rows, upserted, in one transaction.
func BenchmarkViewed(b *testing.B) {
	for _, n := range []int{50, 200, 1000} {
		b.Run(fmt.Sprintf("students=%d", n), func(b *testing.B) {
			w := apptest.NewWorld(b, apptest.SQLite(b))
			head := w.User(auth.RoleTeacher, "李芳", "13800000002")
			shown := privacy.Shown{Kind: privacy.KindClass, Ref: "class:1", Label: "三年级(2)班"}
			for i := range n {
				shown.Students = append(shown.Students, uint64(i+1))
			}
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				if err := w.Privacy.Viewed(ctx, head, shown); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
