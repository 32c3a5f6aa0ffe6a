package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/repertoire/repertoire/internal/metrics"
	"github.com/repertoire/repertoire/repertoire"
)

// parseMetrics reads REPERTOIRE_METRICS: off by default; "true" serves
// /metrics on REPERTOIRE_HTTP_ADDR; an address ("127.0.0.1:9090") serves it
// on a listener of its own, so it can stay off the public interface.
func parseMetrics(c *Config, getenv func(string) string) error {
	v := strings.TrimSpace(getenv("REPERTOIRE_METRICS"))
	if v == "" {
		return nil
	}
	if on, err := strconv.ParseBool(v); err == nil {
		if on && c.HTTPAddr == "" {
			return fmt.Errorf("REPERTOIRE_METRICS: true serves /metrics on REPERTOIRE_HTTP_ADDR, which is not set; set it, or give metrics an address of their own such as 127.0.0.1:9090")
		}
		c.Metrics = on
		return nil
	}
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		return fmt.Errorf("REPERTOIRE_METRICS: %q is neither true, false nor a listen address such as 127.0.0.1:9090", v)
	}
	c.Metrics, c.MetricsAddr = true, v
	if c.MetricsAddr == c.HTTPAddr {
		c.MetricsAddr = ""
	}
	return nil
}

// newMetrics returns the metrics when they are asked for, nil otherwise
// (a nil *metrics.Metrics measures nothing).
func newMetrics(cfg Config, store repertoire.Store, log *slog.Logger) *metrics.Metrics {
	if !cfg.Metrics {
		return nil
	}
	if log != nil {
		log = log.With("component", "metrics")
	}
	return metrics.New(store, log)
}

// watchInbox reports the inbox's pending deliveries and the age of the
// oldest at each scrape.
func watchInbox(m *metrics.Metrics, store repertoire.Store) {
	depth := func() (float64, float64) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n, oldest, err := store.InboxDepth(ctx)
		if err != nil {
			return -1, -1
		}
		age := 0.0
		if !oldest.IsZero() {
			age = time.Since(oldest).Seconds()
		}
		return float64(n), age
	}
	m.Gauge("inbox_pending", "Deliveries acknowledged to the platform and not applied yet (-1: the store did not answer).",
		func() float64 { n, _ := depth(); return n })
	m.Gauge("inbox_oldest_pending_seconds", "Age of the oldest delivery not applied yet (0 when none).",
		func() float64 { _, a := depth(); return a })
}

// serveMetrics serves /metrics on its own listener until ctx is done.
func serveMetrics(ctx context.Context, addr string, m *metrics.Metrics, log *slog.Logger, ready chan<- string) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return serveHTTP(ctx, addr, mux, log.With("listener", "metrics"), ready)
}
