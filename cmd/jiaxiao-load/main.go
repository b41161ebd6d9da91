// Command jiaxiao-load plays a school's Monday morning against the real
// jiaxiao server and prints one markdown table.
//
// It builds the jiaxiao binary and a school on MySQL/MariaDB (a database of
// its own, dropped at the end): 2,000 students in 48 classes (grades 1–6,
// 8 classes each), 120 staff, two approved guardians per student (4,000
// parents), messages in every feed and a few notices. It then starts
// `jiaxiao serve` as a child process on 127.0.0.1 and plays:
//
//   - page throughput at 64 connections for a fixed time each: a static CSS
//     file, the home page, a class feed, the notice list and a whole-school
//     notice's receipts, each with its ratio to the static rate;
//   - N streams (default 5,000) watching the school group over /events while
//     staff post M messages: POST latency, delivery latency from the start
//     of the POST to each stream, deliveries missing, the server's memory;
//   - a notice to the whole school followed at once by a message in a class
//     group: how long that message takes to reach a stream on that group;
//   - every parent opening and acknowledging that notice at 64 connections;
//   - a second instance on the same database, without and with
//     JIAXIAO_REDIS_URL: a message posted on one reaching a stream on the
//     other;
//   - SIGTERM with 1,000 open streams: time until exit and the exit code;
//   - the page rows again on the same school loaded into SQLite.
//
// Everything runs on loopback; every phase has a timeout and reports FAIL
// or timeout instead of hanging. Sessions are minted in the database
// (auth.Service.OpenSession) rather than by logging thousands of users in.
// `-quick` plays a smaller school for a run of about a minute.
//
//	go run ./cmd/jiaxiao-load            # the full morning (about 10 minutes on 2 cores)
//	go run ./cmd/jiaxiao-load -quick     # a quick run while developing
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// options are the flags.
type options struct {
	quick        bool
	students     int
	feedMessages int
	conns        int
	pageDur      time.Duration
	streams      int
	messages     int
	msgEvery     time.Duration
	ackParents   int
	crossStreams int
	crossMsgs    int
	termStreams  int
	phaseTimeout time.Duration
	mysqlDSN     string
	redisURL     string
	bin          string
	sqlite       bool
	mysql        bool
	keep         bool
	verbose      bool
	label        string
}

func main() {
	var o options
	fs := flag.NewFlagSet("jiaxiao-load", flag.ContinueOnError)
	fs.BoolVar(&o.quick, "quick", false, "a smaller school and shorter phases (about a minute), for development")
	fs.IntVar(&o.students, "students", 2000, "students (two parents each), spread over 48 classes")
	fs.IntVar(&o.feedMessages, "feed-messages", 30, "messages in each class feed before the run")
	fs.IntVar(&o.conns, "conns", 64, "concurrent connections for page and acknowledgement phases")
	fs.DurationVar(&o.pageDur, "page-duration", 10*time.Second, "how long each page is loaded")
	fs.IntVar(&o.streams, "streams", 5000, "SSE streams watching the school group")
	fs.IntVar(&o.messages, "messages", 20, "messages posted while the streams watch")
	fs.DurationVar(&o.msgEvery, "message-every", 500*time.Millisecond, "pause between those messages")
	fs.IntVar(&o.ackParents, "ack-parents", 0, "parents who open and acknowledge the notice (0: all)")
	fs.IntVar(&o.crossStreams, "cross-streams", 20, "streams on the second instance")
	fs.IntVar(&o.crossMsgs, "cross-messages", 10, "messages posted on the first instance for the second")
	fs.IntVar(&o.termStreams, "term-streams", 1000, "streams open when SIGTERM is sent")
	fs.DurationVar(&o.phaseTimeout, "phase-timeout", 90*time.Second, "the longest any phase may take")
	fs.StringVar(&o.mysqlDSN, "mysql", "root:@tcp(127.0.0.1:3306)/", "MySQL/MariaDB DSN without a database")
	fs.StringVar(&o.redisURL, "redis", "redis://127.0.0.1:6379/0", "JIAXIAO_REDIS_URL for the broker phase (empty: skip it)")
	fs.StringVar(&o.bin, "bin", "", "a jiaxiao binary to run (default: go build ./cmd/jiaxiao)")
	fs.BoolVar(&o.sqlite, "sqlite", true, "also load the school into SQLite for the page rows")
	fs.BoolVar(&o.mysql, "mysql-phases", true, "play the MySQL phases")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory and the database")
	fs.BoolVar(&o.verbose, "v", false, "log progress in more detail")
	fs.StringVar(&o.label, "label", "", "what was measured, for the table's heading (default: git describe of the working tree)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if o.quick {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		def := func(name string, apply func()) {
			if !set[name] {
				apply()
			}
		}
		def("students", func() { o.students = 480 })
		def("feed-messages", func() { o.feedMessages = 10 })
		def("page-duration", func() { o.pageDur = 2 * time.Second })
		def("streams", func() { o.streams = 500 })
		def("messages", func() { o.messages = 5 })
		def("message-every", func() { o.msgEvery = 200 * time.Millisecond })
		def("ack-parents", func() { o.ackParents = 300 })
		def("cross-messages", func() { o.crossMsgs = 5 })
		def("term-streams", func() { o.termStreams = 200 })
		def("phase-timeout", func() { o.phaseTimeout = 45 * time.Second })
	}
	if o.students < 48 || o.conns < 1 || o.streams < 1 || o.messages < 1 {
		fmt.Fprintln(os.Stderr, "jiaxiao-load: -students must be at least 48, -conns, -streams and -messages at least 1")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	r := &runner{o: o, log: log, quiet: slog.New(slog.NewTextHandler(io.Discard, nil)), loadStart: loadAvg()}
	err := r.run(ctx)
	stop()
	r.table.print(os.Stdout, r.header())
	if err != nil {
		fmt.Fprintln(os.Stderr, "jiaxiao-load:", err)
		os.Exit(1)
	}
}

// raiseNoFile lifts the open-file limit to its hard maximum: thousands of
// streams are thousands of sockets on each side.
func raiseNoFile() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur < lim.Max {
		lim.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			return 0, err
		}
	}
	return lim.Cur, nil
}
