package sqlite

import (
	"context"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/internal/sqlcore"
)

// docFrequency counts the entries whose text holds term, a single word
// (DocFrequencies), from the search index: the stem's merged postings
// (search_terms.df) and its pending ones. Both are read through their
// primary keys, so the count costs the same whatever the repertoire's size;
// counting FTS5 matches read every posting of the word (a common word's
// 100,000 at 100,000 entries), and every capture asks it for a dozen words.
func docFrequency(ctx context.Context, q sqlcore.Reader, term string) (int, bool, error) {
	words := repertoire.Terms(term)
	if len(words) != 1 {
		return 0, false, nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT coalesce((SELECT df FROM search_terms WHERE term = ?1), 0)
		+ (SELECT count(*) FROM search_pending WHERE term = ?1)`, repertoire.StemOf(words[0])).Scan(&n)
	if err != nil {
		return 0, false, err
	}
	return n, true, nil
}
