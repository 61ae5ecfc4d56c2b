package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/budgetgrid/budgetgrid/consult"
	"github.com/budgetgrid/budgetgrid/consult/web"
	"github.com/budgetgrid/budgetgrid/demo"
)

func runServe(ctx context.Context, args []string, env Env) error {
	fs := newFlags(env, "serve", "serve [--addr ADDR] [--db FILE|URL] [--base-url URL] [--trust-proxy] [--no-demo] [--metrics ADDR]")
	addr := fs.String("addr", envOr(env, "BUDGETGRID_ADDR", "localhost:8080"), "address to listen on (env BUDGETGRID_ADDR)")
	dbPath := dbFlag(fs, env)
	baseURL := fs.String("base-url", envOr(env, "BUDGETGRID_BASE_URL", ""), "public URL, e.g. https://consult.example.gov.uk; https makes cookies Secure (env BUDGETGRID_BASE_URL)")
	trustDefault, err := envBool(env, "BUDGETGRID_TRUST_PROXY")
	if err != nil {
		return err
	}
	noDemoDefault, err := envBool(env, "BUDGETGRID_NO_DEMO")
	if err != nil {
		return err
	}
	trustProxy := fs.Bool("trust-proxy", trustDefault, "take client addresses from X-Forwarded-For (only behind a reverse proxy that sets it) (env BUDGETGRID_TRUST_PROXY)")
	noDemo := fs.Bool("no-demo", noDemoDefault, "do not load the Fenshire demo into an empty database (env BUDGETGRID_NO_DEMO)")
	metricsAddr := fs.String("metrics", envOr(env, "BUDGETGRID_METRICS", ""), "serve Prometheus metrics at http://ADDR/metrics on a listener of their own, e.g. 127.0.0.1:9100; off when empty (env BUDGETGRID_METRICS)")
	if _, err := parseArgs(fs, args, 0); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(env.Stderr, nil))

	store, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer store.Close()
	if !*noDemo {
		if err := loadDemo(ctx, store, env); err != nil {
			return err
		}
	}
	srv, err := web.New(ctx, web.Config{Store: store, BaseURL: *baseURL, TrustProxy: *trustProxy, Logger: logger, Metrics: *metricsAddr != ""})
	if err != nil {
		return err
	}
	startRetention(ctx, store, logger)
	if *metricsAddr != "" {
		stop, err := serveMetrics(*metricsAddr, srv.MetricsHandler(), env)
		if err != nil {
			return err
		}
		defer stop()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	url := *baseURL
	if url == "" {
		url = "http://" + ln.Addr().String() + "/"
	}
	fmt.Fprintf(env.Stdout, "budgetgrid is running at %s (database %s). Press Ctrl+C to stop.\n", url, displayDB(*dbPath))
	if env.Listening != nil {
		env.Listening(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	go srv.RunPurge(ctx) // abandoned in-progress responses, after web.DefaultPurgeAfter
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Finish in-flight requests, then stop.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(env.Stdout, "budgetgrid stopped.")
	return nil
}

// loadDemo loads the Fenshire demo into a database with no consultations.
func loadDemo(ctx context.Context, store consult.Store, env Env) error {
	all, err := store.Consultations(ctx)
	if err != nil {
		return err
	}
	if len(all) > 0 {
		return nil
	}
	c, err := demo.Fenshire()
	if err != nil {
		return fmt.Errorf("demo consultation: %w", err)
	}
	if err := store.CreateConsultation(ctx, c); err != nil {
		return fmt.Errorf("load demo consultation: %w", err)
	}
	fmt.Fprintf(env.Stdout, "Loaded the demo consultation %q.\n", c.Slug)
	return nil
}
