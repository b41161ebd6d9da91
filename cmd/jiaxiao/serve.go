package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"gorm.io/gorm"

	"jiaxiao/app/db"
	"jiaxiao/app/demo"
	"jiaxiao/app/event"
	"jiaxiao/app/services"
	"jiaxiao/app/web"
	"jiaxiao/storage"
)

func (e *env) serve(ctx context.Context, args []string) error {
	fs := flags("serve")
	loadDemo := fs.Bool("demo", false, "load the demo school before serving")
	if err := parse(fs, args); err != nil {
		return err
	}
	g, store, svc, err := e.boot(ctx)
	if err != nil {
		return err
	}
	defer db.Close(g)
	if *loadDemo {
		if err := e.printDemo(ctx, svc); err != nil {
			return err
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var broker event.Broker
	live := "polling the database"
	if e.cfg.RedisURL != "" {
		r, err := event.NewRedis(ctx, e.cfg.RedisURL, "")
		if err != nil {
			return err
		}
		defer r.Close()
		broker, live = r, "redis "+r.Addr()
	}
	bg := svc.Background(services.BackgroundOptions{Sender: e.sender(), Broker: broker, Metrics: reg})
	hub := bg.Hub
	wo := web.OptionsFor(svc, hub)
	wo.Metrics, wo.SecureCookies, wo.TrustedProxies = reg, e.cfg.SecureCookies, e.cfg.TrustedProxies
	handler := web.New(wo)

	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", e.cfg.Addr, err)
	}
	e.log.Info("jiaxiao serving", "addr", ln.Addr().String(), "db", e.cfg.DBDriver, "storage", store.Name(), "live_events", live)

	bctx, stopBG := context.WithCancel(context.Background())
	waitBG := services.Start(bctx, bg.Worker, bg.Outbox, hub, bg.Housekeeping)

	srv := handler.Server
	srv.Handler = handler
	// Open event streams never end by themselves, and Shutdown waits for
	// every request: it used to wait out its whole timeout on a single
	// open page and then fail. Closing the hub when Shutdown begins (after
	// the listener is closed) ends every stream at once; the pages
	// reconnect to another instance and catch up from their last event id.
	srv.RegisterOnShutdown(hub.Close)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		e.log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
		if err != nil {
			_ = srv.Close()
			err = fmt.Errorf("shutdown: requests still running after 10 s: %w", err)
		}
	}
	// The worker claims nothing more and waits for the jobs it is running.
	stopBG()
	waitBG()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err == nil {
		e.log.Info("stopped")
	}
	return err
}

func (e *env) demo(ctx context.Context, args []string) error {
	if err := parse(flags("demo"), args); err != nil {
		return err
	}
	g, _, svc, err := e.boot(ctx)
	if err != nil {
		return err
	}
	defer db.Close(g)
	return e.printDemo(ctx, svc)
}

// boot opens the database (migrated) and object storage, wires the
// services and loads the default word list on a new school.
func (e *env) boot(ctx context.Context) (*gorm.DB, storage.Store, *services.Services, error) {
	g, err := e.openDB(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	store, err := e.openStore(ctx)
	if err != nil {
		_ = db.Close(g)
		return nil, nil, nil, err
	}
	svc := e.services(g, store)
	if err := svc.Words.SeedDefaults(ctx); err != nil {
		_ = db.Close(g)
		return nil, nil, nil, err
	}
	return g, store, svc, nil
}

func (e *env) printDemo(ctx context.Context, s *services.Services) error {
	logins, err := demo.Load(ctx, demo.Services{Auth: s.Auth, School: s.School, Groups: s.Groups, Messages: s.Messages, Notices: s.Notices,
		NoticesAt: s.NoticesAt, DB: s.DB, Location: e.cfg.Location, Privacy: s.Privacy, Words: s.Words, Files: s.Files, Calendars: s.Settings})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "demo school loaded; every account's password is %s\n", demo.Password)
	fmt.Fprintf(e.stdout, "role\tname\tphone\tnote\n")
	for _, l := range logins {
		fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", l.Role.Label(), l.Name, l.Phone, l.Note)
	}
	return nil
}
