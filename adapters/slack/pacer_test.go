package slack

import (
	"testing"
	"time"
)

// TestPacerOnePerSecondPerChannel: posts to one channel are spaced a second
// apart, other channels are not held up, and an idle channel posts at once.
func TestPacerOnePerSecondPerChannel(t *testing.T) {
	p := newPacer(time.Second)
	t0 := time.Unix(1_700_000_000, 0)
	for i, c := range []struct {
		key  string
		at   time.Time
		want time.Duration
	}{
		{"C1", t0, 0},
		{"C1", t0, time.Second},
		{"C1", t0.Add(500 * time.Millisecond), 1500 * time.Millisecond},
		{"C2", t0, 0},
		{"C1", t0.Add(10 * time.Second), 0},
	} {
		if got := p.reserve(c.key, c.at); got != c.want {
			t.Errorf("%d: %s waits %v, want %v", i, c.key, got, c.want)
		}
	}
}

func TestSeenSetForgetsOldest(t *testing.T) {
	s := newSeenSet(2)
	for i, c := range []struct {
		id   string
		want bool
	}{{"a", true}, {"a", false}, {"b", true}, {"c", true}, {"a", true}, {"c", false}} {
		if got := s.add(c.id); got != c.want {
			t.Errorf("%d: add(%s) = %v", i, c.id, got)
		}
	}
}
