package filter_test

import (
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cloudflare/ahocorasick"

	"jiaxiao/app/filter"
)

// Common characters of school chat, and English words.
var (
	hanChars = []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质信展口")
	enWords  = []string{"homework", "teacher", "class", "tomorrow", "please", "math", "exam", "school", "thanks", "ok", "parents", "meeting", "bus", "lunch", "sports", "reading", "notice", "photo", "hello", "today"}
	noise    = []string{"，", "。", "！", "？", " ", "～", "😀", "、", "\n", "..."}
)

// patterns returns n distinct patterns: mostly 2–4 character Chinese words,
// one in ten an English word with a suffix.
func patterns(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		var p string
		if len(out)%10 == 9 {
			p = enWords[rng.IntN(len(enWords))] + string(rune('a'+rng.IntN(26))) + string(rune('a'+rng.IntN(26)))
		} else {
			k := 2 + rng.IntN(3)
			var b strings.Builder
			for range k {
				b.WriteRune(hanChars[rng.IntN(len(hanChars))])
			}
			p = b.String()
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// chat returns about size bytes of mixed Chinese/English chat text.
func chat(size int, seed uint64) string {
	rng := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	for b.Len() < size {
		switch x := rng.IntN(10); {
		case x < 7:
			for range 1 + rng.IntN(6) {
				b.WriteRune(hanChars[rng.IntN(len(hanChars))])
			}
		case x < 9:
			b.WriteString(enWords[rng.IntN(len(enWords))])
			b.WriteByte(' ')
		default:
			b.WriteString(noise[rng.IntN(len(noise))])
		}
	}
	return b.String()
}

func compileN(b *testing.B, pats []string) *filter.Filter {
	rules := make([]filter.Rule, len(pats))
	for i, p := range pats {
		rules[i] = filter.Rule{Pattern: p, Category: filter.Categories[i%len(filter.Categories)], Action: filter.Block}
	}
	f, errs := filter.Compile(rules)
	if len(errs) > 0 {
		b.Fatal(errs[0])
	}
	return f
}

// BenchmarkFilter1MB: our filter, normalization and detectors included,
// with 10,000 patterns over 1 MB of chat.
func BenchmarkFilter1MB(b *testing.B) {
	pats, text := patterns(10000), chat(1<<20, 1)
	f := compileN(b, pats)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		f.Check(text)
	}
}

// BenchmarkCloudflareAhoCorasick1MB: github.com/cloudflare/ahocorasick with
// the same patterns over the same raw text, for comparison.
func BenchmarkCloudflareAhoCorasick1MB(b *testing.B) {
	pats, text := patterns(10000), []byte(chat(1<<20, 1))
	m := ahocorasick.NewStringMatcher(pats)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		m.Match(text)
	}
}

// BenchmarkMessage200 checks 200-character messages one at a time and
// reports the median and 99th-percentile time per message.
func BenchmarkMessage200(b *testing.B) {
	f := compileN(b, patterns(10000))
	corpus := []rune(chat(4<<20, 3))
	msgs := make([]string, 2000)
	for i := range msgs {
		msgs[i] = string(corpus[i*200 : (i+1)*200])
	}
	var times []time.Duration
	b.ResetTimer()
	i := 0
	for b.Loop() {
		start := time.Now()
		f.Check(msgs[i%len(msgs)])
		times = append(times, time.Since(start))
		i++
	}
	b.StopTimer()
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(times[len(times)*99/100].Nanoseconds())/1000, "p99-µs")
}

// BenchmarkCompile10k is the cost of rebuilding the filter after a word-list edit.
func BenchmarkCompile10k(b *testing.B) {
	pats := patterns(10000)
	for b.Loop() {
		compileN(b, pats)
	}
}
