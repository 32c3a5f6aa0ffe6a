package postgres

import "context"

// WithBoundPage sets how many recall candidates a read takes.
func WithBoundPage(n int) Option { return func(s *Store) { s.boundPage = n } }

// QueryRowForTest runs one query on the store's pool.
func (s *Store) QueryRowForTest(ctx context.Context, q string, dest any, args ...any) error {
	return s.w.DB.QueryRowContext(ctx, q, args...).Scan(dest)
}
