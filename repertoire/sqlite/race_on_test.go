//go:build race

package sqlite

// raceOn shortens the property tests under the race detector, which makes
// every SQLite call an order of magnitude slower.
const raceOn = true
