package postgres

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
)

// The store's SQL is written with SQLite's placeholders (? and ?N), as in
// the SQLite store, and rewritten to PostgreSQL's $N once per statement
// text. Booleans are bound as 0 and 1: flags are integer columns in both
// stores, so a row reads the same from either.

// db is the pool as database/sql sees it, with placeholders rewritten.
type db struct {
	*sql.DB
	rb *rebinder
}

// BeginTx begins a transaction; a read-only one runs in one REPEATABLE READ
// snapshot, as a SQLite read transaction does.
func (d *db) BeginTx(ctx context.Context, opts *sql.TxOptions) (*dbTx, error) {
	if opts != nil && opts.ReadOnly {
		opts = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
	}
	tx, err := d.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &dbTx{tx, d.rb}, nil
}

func (d *db) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.DB.ExecContext(ctx, d.rb.rebind(query), bindArgs(args)...)
}

func (d *db) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, d.rb.rebind(query), bindArgs(args)...)
}

func (d *db) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, d.rb.rebind(query), bindArgs(args)...)
}

// dbTx is a transaction with placeholders rewritten.
type dbTx struct {
	*sql.Tx
	rb *rebinder
}

func (t *dbTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.rb.rebind(query), bindArgs(args)...)
}

func (t *dbTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.rb.rebind(query), bindArgs(args)...)
}

func (t *dbTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.rb.rebind(query), bindArgs(args)...)
}

func (t *dbTx) PrepareContext(ctx context.Context, query string) (*dbStmt, error) {
	st, err := t.Tx.PrepareContext(ctx, t.rb.rebind(query))
	if err != nil {
		return nil, err
	}
	return &dbStmt{st}, nil
}

// dbStmt is a prepared statement that binds booleans as integers.
type dbStmt struct{ *sql.Stmt }

func (s *dbStmt) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return s.Stmt.ExecContext(ctx, bindArgs(args)...)
}

func (s *dbStmt) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return s.Stmt.QueryRowContext(ctx, bindArgs(args)...)
}

func (s *dbStmt) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return s.Stmt.QueryContext(ctx, bindArgs(args)...)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// bindArgs binds booleans as 0 and 1.
func bindArgs(args []any) []any {
	var out []any
	for i, a := range args {
		var v any
		switch a := a.(type) {
		case bool:
			v = int64(0)
			if a {
				v = int64(1)
			}
		}
		if v == nil {
			if out != nil {
				out[i] = a
			}
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = v
	}
	if out == nil {
		return args
	}
	return out
}

// rebinder caches rewritten statements; dynamic ones (filters) vary little.
type rebinder struct {
	mu sync.Mutex
	m  map[string]string
}

const maxRebound = 4096

// rebind rewrites SQLite placeholders (? and ?N) as $N, outside quoted
// text. A bare ? takes the number after the largest one so far, as SQLite
// numbers it.
func (r *rebinder) rebind(q string) string {
	r.mu.Lock()
	v, ok := r.m[q]
	r.mu.Unlock()
	if ok {
		return v
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	largest := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		if quote != 0 {
			b.WriteByte(c)
			if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
			b.WriteByte(c)
		case '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n := largest + 1
			if j > i+1 {
				n, _ = strconv.Atoi(q[i+1 : j])
			}
			largest = max(largest, n)
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	r.mu.Lock()
	if r.m == nil {
		r.m = map[string]string{}
	}
	if len(r.m) < maxRebound {
		r.m[q] = out
	}
	r.mu.Unlock()
	return out
}
