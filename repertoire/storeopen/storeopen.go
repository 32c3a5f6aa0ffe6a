// Package storeopen opens the store that configuration names: REPERTOIRE_DB
// is an SQLite file path or a PostgreSQL URL. It is the one place that
// knows every store; the rest of the program takes a repertoire.Store.
package storeopen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// IsPostgres reports whether dsn names a PostgreSQL server (a postgres:// or
// postgresql:// URL) rather than an SQLite file.
func IsPostgres(dsn string) bool {
	l := strings.ToLower(dsn)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// Open opens (creating and migrating as needed) the store dsn names: the
// PostgreSQL store for a postgres:// or postgresql:// URL, else the SQLite
// file at the path dsn.
func Open(ctx context.Context, dsn string, log *slog.Logger) (repertoire.Store, error) {
	return open(ctx, dsn, log)
}

// OpenForReading is Open for a read-only command: a SQLite store starts
// none of its background writes (sqlite.ForReading).
func OpenForReading(ctx context.Context, dsn string, log *slog.Logger) (repertoire.Store, error) {
	return open(ctx, dsn, log, sqlite.ForReading())
}

func open(ctx context.Context, dsn string, log *slog.Logger, opts ...sqlite.Option) (repertoire.Store, error) {
	if IsPostgres(dsn) {
		s, err := postgres.Open(ctx, dsn, log)
		if err != nil {
			return nil, fmt.Errorf("open store %s: %w", Redact(dsn), redactErr(err, dsn))
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, dsn, log, opts...)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Redact is dsn fit for logs and messages: a URL's password is replaced by
// "xxxxx"; a file path is returned as it is.
func Redact(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable URL)"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// Password is the password a PostgreSQL URL carries (in its user info or
// its query), for redactors; "" for a file path or a URL without one.
func Password(dsn string) string {
	if !IsPostgres(dsn) {
		return ""
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	if p, ok := u.User.Password(); ok {
		return p
	}
	return u.Query().Get("password")
}

// redactErr keeps the URL's password out of a driver's error text.
func redactErr(err error, dsn string) error {
	if p := Password(dsn); p != "" && strings.Contains(err.Error(), p) {
		return errors.New(strings.ReplaceAll(err.Error(), p, "xxxxx"))
	}
	return err
}
