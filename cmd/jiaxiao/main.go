// Command jiaxiao runs the jiaxiao home–school platform and its
// administrative commands. Configuration comes from JIAXIAO_* environment
// variables (see README.md).
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

	"gorm.io/gorm"

	"jiaxiao/app/config"
	"jiaxiao/app/db"
	"jiaxiao/app/notify"
	"jiaxiao/app/services"
	"jiaxiao/storage"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// env is what every command gets.
type env struct {
	cfg    config.Config
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
}

// usageError is a bad flag or value: exit 2 with one line.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `usage: jiaxiao [command]

commands:
  serve                 run migrations, the web server and the background worker (default)
  migrate               apply pending migrations and exit
  demo                  load the demo school and print its logins
  user add              create an account: --role admin|teacher|parent --name NAME --phone PHONE --password PW [--department DEPT]
  roster import FILE    import students (or staff with --staff) from .csv (UTF-8 or GBK) or .xlsx;
                        --confirm-leavers marks enrolled students missing from the file as transferred;
                        --dry-run checks and counts without changing anything
  group list            list groups as TSV: id, kind, name, invite_code, members
  attendance import FILE
                        import terminal punches (手机,姓名,打卡时间) from .csv or .xlsx; importing twice adds nothing

configuration comes from JIAXIAO_* environment variables; see README.md.
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "jiaxiao:", err)
		return exitUsage
	}
	e := &env{cfg: cfg, stdout: stdout, stderr: stderr, log: slog.New(slog.NewTextHandler(stderr, nil))}
	switch cmd {
	case "serve":
		err = e.serve(ctx, args)
	case "migrate":
		err = e.migrate(ctx, args)
	case "demo":
		err = e.demo(ctx, args)
	case "user":
		err = e.user(ctx, args)
	case "roster":
		err = e.roster(ctx, args)
	case "group":
		err = e.group(ctx, args)
	case "attendance":
		err = e.attendanceCmd(ctx, args)
	default:
		err = usagef("unknown command %q (try jiaxiao help)", cmd)
	}
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "jiaxiao:", ue.msg)
		return exitUsage
	default:
		fmt.Fprintln(stderr, "jiaxiao:", err)
		return exitFail
	}
}

// flags returns a flag set whose errors become usage errors.
func flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return usagef("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// openDB connects and migrates.
func (e *env) openDB(ctx context.Context) (*gorm.DB, error) {
	g, err := db.Open(ctx, db.Options{Driver: e.cfg.DBDriver, DSN: e.cfg.DBDSN, Logger: e.log})
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx, g)
	if err != nil {
		_ = db.Close(g)
		return nil, err
	}
	if n > 0 {
		e.log.Info("migrations applied", "count", n)
	}
	return g, nil
}

// openStore connects to object storage, giving up after 15 seconds.
func (e *env) openStore(ctx context.Context) (storage.Store, error) {
	if e.cfg.Storage == "file" {
		return storage.NewFile(e.cfg.ObjectsDir())
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	m := e.cfg.MinIO
	return storage.NewMinIO(ctx, storage.MinIOOptions{Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey, Bucket: m.Bucket, Secure: m.Secure})
}

func (e *env) sender() notify.Sender {
	if e.cfg.Sender == "webhook" {
		return notify.NewWebhookSender(e.cfg.WebhookURL)
	}
	return notify.LogSender{Log: e.log}
}

// services wires the domain services (app/services); store may be nil for
// commands that touch no files.
func (e *env) services(g *gorm.DB, store storage.Store) *services.Services {
	return services.New(services.Options{DB: g, Store: store, Location: e.cfg.Location, Log: e.log})
}

func (e *env) migrate(ctx context.Context, args []string) error {
	if err := parse(flags("migrate"), args); err != nil {
		return err
	}
	g, err := e.openDB(ctx)
	if err != nil {
		return err
	}
	return db.Close(g)
}
