// Package recent holds a small map of the latest values by key, bounded in
// size, for state an adapter keeps only to improve what a member sees (such
// as which buttons of a message were pressed) and may lose at any time.
package recent

import "sync"

// Map keeps values by key for a while. When it holds Max entries, the next
// Put starts it afresh: nothing it held is needed for correctness. The zero
// value is ready to use and keeps up to 1,000 entries. It is safe for
// concurrent use.
type Map[V any] struct {
	Max int // entries held before starting afresh; 0 means 1,000

	mu sync.Mutex
	m  map[string]V
}

// Put stores v under key.
func (c *Map[V]) Put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	limit := c.Max
	if limit <= 0 {
		limit = 1000
	}
	if c.m == nil || len(c.m) >= limit {
		c.m = map[string]V{}
	}
	c.m[key] = v
}

// Get returns the value stored under key, if it is still held.
func (c *Map[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}
