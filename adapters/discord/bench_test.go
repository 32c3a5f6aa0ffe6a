package discord_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/discord/discordtest"
)

// BenchmarkCaptureThroughGateway drives b.N captures (question, reply, 💡)
// through the loopback gateway, the real discordgo client, the adapter and
// the core on SQLite, all dispatched at once. It reports gateway events
// applied per second and the p99 latency from the 💡 dispatch to the bot's
// 📚 acknowledgement arriving at the fake.
//
//	go test ./adapters/discord -run '^$' -bench CaptureThroughGateway -benchtime 300x
//
// In one channel the figure is bound by Discord's reaction limit, which
// discordgo enforces (one reaction per 200 ms per channel); across 50
// channels it shows the adapter and core.
func BenchmarkCaptureThroughGateway(b *testing.B) {
	for _, n := range []int{1, 50} {
		b.Run(fmt.Sprintf("channels=%d", n), func(b *testing.B) { benchCapture(b, n) })
	}
}

func benchCapture(b *testing.B, channels int) {
	ids := make([]string, channels)
	h := start(b, options{server: func(srv *discordtest.Server) {
		for i := range ids {
			ids[i] = fmt.Sprintf("4177198342314%04d", 5000+i)
			srv.AddChannel(discordtest.Channel{ID: ids[i], Name: fmt.Sprintf("bench-%d", i)})
		}
	}})
	h.srv.AwaitTimeout = 5 * time.Minute
	sent := make(map[string]time.Time, b.N)
	b.ResetTimer()
	began := time.Now()
	for i := range b.N {
		ch := ids[i%channels]
		q := h.srv.Post(alice, ch, fmt.Sprintf("How do I rotate certificate number %d?", i), "")
		a := h.srv.Post(nelly, ch, fmt.Sprintf("Run certbot renew for host %d, then reload nginx", i), q)
		sent[a] = time.Now()
		h.srv.React(carol, ch, a, "💡", false)
	}
	h.srv.Await(b, "every capture acknowledged", func() bool { return len(h.srv.Reactions()) >= b.N })
	elapsed := time.Since(began)
	b.StopTimer()
	var lat []time.Duration
	for _, r := range h.srv.Reactions() {
		if at, ok := sent[r.Message]; ok {
			lat = append(lat, r.At.Sub(at))
		}
	}
	slices.Sort(lat)
	p99 := lat[min(len(lat)-1, len(lat)*99/100)]
	b.ReportMetric(float64(3*b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}
