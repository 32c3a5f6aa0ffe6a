package sqlite

import (
	"context"
	"sync"

	"github.com/repertoire/repertoire/repertoire"
)

var _ repertoire.Store = (*Store)(nil)

// Transient reports whether err is the database being busy or locked by
// another writer (see the package function Transient).
func (s *Store) Transient(err error) bool { return Transient(err) }

// locks are the single-replica jobs' locks of one Store. One process owns
// an SQLite file for the bot's jobs, so a lock held in process is enough:
// it keeps two runs of a job in this process apart, and it goes with the
// process.
type locks struct {
	mu   sync.Mutex
	held map[string]bool
}

// TryLock takes the named lock if nobody in this process holds it.
func (s *Store) TryLock(ctx context.Context, name string) (func(), bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	s.locks.mu.Lock()
	defer s.locks.mu.Unlock()
	if s.locks.held[name] {
		return nil, false, nil
	}
	if s.locks.held == nil {
		s.locks.held = map[string]bool{}
	}
	s.locks.held[name] = true
	var once sync.Once
	return func() {
		once.Do(func() {
			s.locks.mu.Lock()
			delete(s.locks.held, name)
			s.locks.mu.Unlock()
		})
	}, true, nil
}
