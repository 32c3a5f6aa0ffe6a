package postgres

import "context"

// WithChunkSize sets the postings per chunk of the search index.
func WithChunkSize(n int) Option { return func(s *Store) { s.chunk = n } }

// WithChunkReads sets how many chunks a search reads at once.
func WithChunkReads(n int) Option { return func(s *Store) { s.prune.reads = n } }

// WithChunksRead calls fn after each search that pruned by chunks with how
// many chunks of the query's stems it read, of how many.
func WithChunksRead(fn func(read, total int)) Option { return func(s *Store) { s.prune.onDone = fn } }

// QueryRowForTest runs one query on the store's pool.
func (s *Store) QueryRowForTest(ctx context.Context, q string, dest any, args ...any) error {
	return s.w.DB.QueryRowContext(ctx, q, args...).Scan(dest)
}
