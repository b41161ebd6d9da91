package notice_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"jiaxiao/app/apptest"
	"jiaxiao/app/notice"
)

// BenchmarkPublish5000 publishes a notice to a class group of 5,000 parents
// on MySQL: receipts, notifications and live events for each, the archive
// entry and the jobs, in one transaction.
func BenchmarkPublish5000(b *testing.B) {
	w := apptest.NewLiveWorld(b, apptest.MySQL(b))
	ctx := context.Background()
	w.BigClass(5000)
	w.Staff("姓名,手机,角色,部门,任教班级,班主任\n李芳,13800000002,教师,语文教研组,3年级2班,3年级2班\n")
	if err := w.Words.SeedDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	head := w.ByPhone("13800000002")
	cg := w.ClassGroup(3, 2)
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		n, err := w.Notices.Compose(ctx, head, notice.ComposeInput{Title: "期末考试安排", Body: "1月15日期末考试。", Category: "通知",
			GroupIDs: []uint64{cg.ID}, RequiresAck: true})
		times = append(times, time.Since(start))
		if err != nil || n.Recipients != 5000 {
			b.Fatalf("%+v %v", n, err)
		}
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "p90-ms")
}
