package slack_test

import (
	"slices"
	"testing"
	"time"
)

// BenchmarkSocketModeEvents pushes message events through the loopback
// Slack's websocket into the real adapter and the real core (SQLite file)
// and reports the events per second applied and the p50/p99 time from an
// envelope leaving the server to its ack arriving back.
func BenchmarkSocketModeEvents(b *testing.B) {
	e := start(b, true)
	frames := make([]map[string]any, b.N)
	for i := range frames {
		_, frames[i] = e.fake.Say("C1", "U1", "a message about TLS certificates and nginx reloads", "")
	}
	done := make(chan struct{})
	go func() {
		for range b.N {
			<-e.applied
		}
		close(done)
	}()
	b.ResetTimer()
	startAt := time.Now()
	for _, f := range frames {
		e.fake.Event(f)
	}
	select {
	case <-done:
	case <-time.After(time.Minute):
		b.Fatal("events not applied within a minute")
	}
	elapsed := time.Since(startAt)
	b.StopTimer()
	acks := e.fake.AckTimes()
	slices.Sort(acks)
	if len(acks) == 0 {
		b.Fatal("no acks recorded")
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(acks[len(acks)/2].Microseconds()), "p50-ack-µs")
	b.ReportMetric(float64(acks[len(acks)*99/100].Microseconds()), "p99-ack-µs")
}

// BenchmarkSocketModeAck sends one envelope at a time, the next once the
// previous one is acked and applied: the ack latency of an adapter whose
// queue is empty, as it is at chat's usual pace.
func BenchmarkSocketModeAck(b *testing.B) {
	e := start(b, true)
	frames := make([]map[string]any, b.N)
	for i := range frames {
		_, frames[i] = e.fake.Say("C1", "U1", "a message about TLS certificates and nginx reloads", "")
	}
	b.ResetTimer()
	for _, f := range frames {
		_, env := e.fake.Event(f)
		if err := e.fake.WaitAck(env, 5*time.Second); err != nil {
			b.Fatal(err)
		}
		select {
		case <-e.applied:
		case <-time.After(5 * time.Second):
			b.Fatal("event not applied within 5 s")
		}
	}
	b.StopTimer()
	acks := e.fake.AckTimes()
	slices.Sort(acks)
	b.ReportMetric(float64(acks[len(acks)/2].Microseconds()), "p50-ack-µs")
	b.ReportMetric(float64(acks[len(acks)*99/100].Microseconds()), "p99-ack-µs")
}
