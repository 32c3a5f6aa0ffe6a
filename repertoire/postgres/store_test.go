package postgres_test

import (
	"sync"
	"testing"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres"
	"github.com/repertoire/repertoire/repertoire/storetest"
)

var _ repertoire.Store = (*postgres.Store)(nil)

// TestConformance runs the store contract's suite on PostgreSQL: the same
// subtests the SQLite store passes. Each subtest has a database of its own,
// so they run in parallel: most of a subtest's time is the server's
// (creating its database), not this process's.
func TestConformance(t *testing.T) {
	var parallel sync.Map
	storetest.Run(t, func(t *testing.T) repertoire.Store {
		if _, again := parallel.LoadOrStore(t, true); !again {
			t.Parallel()
		}
		return open(t)
	})
}
