package slack_test

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkSocketModeEvents pushes message events through the loopback
// Slack's websocket into the real adapter and the real core (SQLite file)
// and reports the events per second applied and the p50/p99 time from an
// envelope leaving the server to its ack arriving back.
func BenchmarkSocketModeEvents(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchEvents(b, false) })
	b.Run("inbox", func(b *testing.B) { benchEvents(b, true) })
}

func benchEvents(b *testing.B, inbox bool) {
	e := startWith(b, true, inbox)
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
	b.Run("memory", func(b *testing.B) { benchAck(b, false) })
	b.Run("inbox", func(b *testing.B) { benchAck(b, true) })
}

func benchAck(b *testing.B, inbox bool) {
	e := startWith(b, true, inbox)
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

// BenchmarkSocketModeCaptures streams captures over Socket Mode as fast as
// the loopback Slack sends them: each op is a message and a 💡 reaction on
// it by another member, so each op saves one entry. It reports captures per
// second (entries saved, counted in the store) and the ack p50/p99 of every
// envelope, without and with the durable inbox.
func BenchmarkSocketModeCaptures(b *testing.B) {
	b.Run("memory", func(b *testing.B) { benchCaptures(b, false) })
	b.Run("inbox", func(b *testing.B) { benchCaptures(b, true) })
}

func benchCaptures(b *testing.B, inbox bool) {
	e := startWith(b, true, inbox)
	go func() { // the env's handler reports every event; nobody else reads them here
		for range e.applied {
		}
	}()
	chans := []string{"C1", "C2", "C3", "C4"}
	for _, c := range chans[1:] {
		e.fake.AddChannel(c, false)
	}
	frames := make([]map[string]any, 0, 2*b.N)
	for i := range b.N {
		c := chans[i%len(chans)]
		ts, f := e.fake.Say(c, "U1", "restart the worker pool after a config reload, it keeps stale sockets", "")
		frames = append(frames, f, e.fake.React(c, ts, "U2", "bulb"))
	}
	b.ResetTimer()
	startAt := time.Now()
	for _, f := range frames {
		e.fake.Event(f)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := e.store.Stats(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if st.Entries >= int64(b.N) {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d captures saved within 2 minutes", st.Entries, b.N)
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(startAt)
	b.StopTimer()
	acks := e.fake.AckTimes()
	slices.Sort(acks)
	if len(acks) == 0 {
		b.Fatal("no acks recorded")
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "captures/s")
	b.ReportMetric(float64(acks[len(acks)/2].Microseconds()), "p50-ack-µs")
	b.ReportMetric(float64(acks[len(acks)*99/100].Microseconds()), "p99-ack-µs")
}
