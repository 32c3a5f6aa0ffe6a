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

// WithMergeAt sets how many pending postings wake the background merge
// (negative: never).
func WithMergeAt(n int) Option { return func(s *Store) { s.merge.at = n } }

// MergeStepForTest moves at most rows pending postings into the chunks.
func (s *Store) MergeStepForTest(ctx context.Context, rows int) (int, error) {
	return s.mergeStep(ctx, rows)
}

// MergeForTest moves every pending posting into the chunks.
func (s *Store) MergeForTest(ctx context.Context) error { return s.mergePending(ctx) }

// WithBulkBuildAt sets how many entries a fold takes to build an empty
// index in one pass.
func WithBulkBuildAt(n int) Option { return func(s *Store) { s.buildAt = n } }
