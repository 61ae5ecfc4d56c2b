package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// serveMetrics serves the metrics handler at /metrics on addr, a listener
// apart from the public one so that metrics are never public by accident.
// It returns a function that stops it.
func serveMetrics(addr string, h http.Handler, env Env) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	fmt.Fprintf(env.Stdout, "Metrics at http://%s/metrics.\n", ln.Addr())
	if env.MetricsListening != nil {
		env.MetricsListening(ln.Addr().String())
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
	}, nil
}
