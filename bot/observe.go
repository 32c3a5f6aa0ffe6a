package bot

import "time"

// Observer hears what the core did, for metrics: cmd wires the Prometheus
// side (internal/metrics) in through Config.Observer. Its methods are
// called on the event's goroutine and must be quick and safe for
// concurrent use.
type Observer interface {
	// Recalled reports one recall question: how long finding the entries
	// took, and whether any entry was shown (answered) or the question was
	// recorded as open.
	Recalled(d time.Duration, answered bool)
	// Digest reports the outcome of a scheduled digest of a channel on
	// platform: "posted", "skipped" (a quiet period) or "failed".
	Digest(platform, outcome string)
}

// Digest outcomes reported to Observer.Digest.
const (
	DigestPosted  = "posted"
	DigestSkipped = "skipped"
	DigestFailed  = "failed"
)

type noObserver struct{}

func (noObserver) Recalled(time.Duration, bool) {}
func (noObserver) Digest(string, string)        {}
