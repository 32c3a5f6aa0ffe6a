package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// routeProvider is an adapter that serves HTTP routes on the program's
// listener (Slack's Events API at /slack/events).
type routeProvider interface {
	Routes() map[string]http.Handler
}

// newMux serves /healthz and the adapters' routes (/metrics among them when
// asked for). /healthz
// answers 503 while the store does not answer or a ready check fails (the
// inbox is too deep, the store cannot write).
func newMux(store repertoire.Store, routes map[string]http.Handler, ready ...func(context.Context) error) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		for _, check := range ready {
			if err := check(ctx); err != nil {
				http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ok")
	})
	for pattern, h := range routes {
		mux.Handle(pattern, h)
	}
	return mux
}

// serveHTTP listens on addr until ctx is done, then shuts down gracefully.
// ready, when not nil, receives the bound address (tests listen on :0).
func serveHTTP(ctx context.Context, addr string, h http.Handler, log *slog.Logger, ready chan<- string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("REPERTOIRE_HTTP_ADDR: listen on %s: %w", addr, err)
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("HTTP listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http shutdown: %w", err)
	}
	return nil
}
