package sqlite

import (
	"errors"
	"strconv"
)

// Skipping the visibility checks. A search asks the entries table whether
// the asking channel may see an entry (and the filters keep it) before the
// entry may enter the top k: a statement per batch of candidates, and
// candidates wait in a buffer for it, so the k-th score rises late and
// the walk prunes less. When no entry lies outside the asker's
// visibility clause and the query has no filter, no check can drop a
// candidate: the search admits what it scores at once and reads the rows
// of the final top k only. Whether that holds is read from entry_scopes
// (migration 0033: entries per platform, space, channel and visibility,
// kept by triggers in the writing transaction), by the lookup statement,
// in the search's own read transaction, so an entry saved private
// meanwhile is either in the scopes the search reads or in none of the
// postings it walks.

// scopesRow is the kind of the lookup statement's row that says whether
// every entry is visible (in its second column, 1 or 0).
const scopesRow = 2

// scopesPart is lookupQuery's third part for a search without filters:
// one row of kind scopesRow, true when no channel holding entries lies
// outside vis, the visibility clause over the table aliased e (its
// columns platform, space, channel_id and private are entry_scopes'). The
// clause counts as false where it is NULL. Its parameters are plain "?":
// SQLite numbers each one past the largest assigned before it, so after
// lookupQuery's ?1 and ?2 they are ?3 on, the visibility arguments
// following the lookup's two.
func scopesPart(vis string) string {
	return `
	UNION ALL
	SELECT ` + strconv.Itoa(scopesRow) + `, NOT EXISTS (SELECT 1 FROM entry_scopes e WHERE e.n > 0 AND NOT coalesce((` + vis + `), 0)),
		0, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`
}

// errUnchecked: a hit admitted without a check has no row (its postings
// outlived it: written around the store); the search runs again with the
// checks, which pass over such an entry.
var errUnchecked = errors.New("search: a hit admitted unchecked has no row")
