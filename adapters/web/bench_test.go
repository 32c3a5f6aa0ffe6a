package web_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/repertoire"
)

// benchWords is a small technical vocabulary drawn with a Zipf law, so a
// few words are in most entries and most are rare, as in chat.
var benchWords = strings.Fields(`deploy build test cache docker image container kubernetes pod node
	service ingress certificate tls nginx proxy timeout retry queue worker database index query migration
	schema backup restore replica lag vacuum config secret token vault rotate renew release branch merge
	rebase commit hook lint format compile linker module version dependency upgrade rollback canary metric
	alert dashboard log trace span latency memory leak goroutine mutex deadlock panic stack profile cpu
	flame benchmark fuzz race channel context cancel deadline http grpc json yaml protobuf header`)

func benchText(r *rand.Rand, z *rand.Zipf, n int) string {
	words := make([]string, n)
	for i := range words {
		k := z.Uint64()
		if k < uint64(len(benchWords)) {
			words[i] = benchWords[k]
		} else {
			words[i] = fmt.Sprintf("w%d", k)
		}
	}
	return strings.Join(words, " ")
}

// fill imports n entries spread over the last year: 40 public channels and
// 10 private ones of the shell's space, a few hundred members, tags, kinds,
// savers and voters, and some open questions, recall uses and digests.
func fill(b *testing.B, store *sqlite.Store, n int, now time.Time) {
	b.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(r, 1.1, 2, 20000)
	kinds := []repertoire.Kind{repertoire.Tip, repertoire.Solution, repertoire.Story, repertoire.HowWeDo}
	const batch = 5000
	for start := 0; start < n; start += batch {
		var recs []repertoire.Record
		var qs []repertoire.OpenQuestion
		for i := start; i < min(start+batch, n); i++ {
			c := i % 50
			ch := repertoire.Channel{Platform: "shell", Space: "local", ID: fmt.Sprint("c", c), Name: fmt.Sprint("c", c)}
			if c >= 40 {
				ch.ID, ch.Name, ch.Private = fmt.Sprint("p", c), fmt.Sprint("p", c), true
			}
			at := now.Add(-time.Duration(n-i) * (365 * 24 * time.Hour / time.Duration(n)))
			author := repertoire.Person{ID: fmt.Sprint("U-m", r.IntN(300)), Name: fmt.Sprint("m", r.IntN(300))}
			saver := repertoire.Endorsement{Person: repertoire.Person{ID: fmt.Sprint("U-m", r.IntN(300))}, At: at}
			rec := repertoire.Record{Channel: ch, SourceID: fmt.Sprint("s", i), Kind: kinds[r.IntN(4)],
				Question: benchText(r, z, 10) + "?", Answer: benchText(r, z, 50), Author: author,
				Tags: []string{benchWords[r.IntN(30)], benchWords[r.IntN(len(benchWords))]}, Savers: []repertoire.Endorsement{saver},
				CreatedAt: at}
			for v := range r.IntN(4) {
				rec.Voters = append(rec.Voters, repertoire.Endorsement{Person: repertoire.Person{ID: fmt.Sprint("U-v", v, "-", i%97)}, At: at})
			}
			recs = append(recs, rec)
			if i%20 == 0 {
				qs = append(qs, repertoire.OpenQuestion{Channel: ch, Asker: author, Text: benchText(r, z, 8) + "?", AskedAt: at})
			}
		}
		if _, err := store.ImportBatch(ctx, repertoire.Batch{Import: "bench", Records: recs, OpenQuestions: qs}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 2000 {
		ch := repertoire.Channel{Platform: "shell", Space: "local", ID: fmt.Sprint("c", i%40)}
		if err := store.RecordRecallUse(ctx, ch, i%3 != 0, now.Add(-time.Duration(i)*time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 200 {
		ch := repertoire.Channel{Platform: "shell", Space: "local", ID: fmt.Sprint("c", i%50), Private: i%50 >= 40}
		end := now.Add(-time.Duration(i) * 24 * time.Hour)
		if _, err := store.ArchiveDigest(ctx, repertoire.ArchivedDigest{Channel: ch, Start: end.Add(-7 * 24 * time.Hour), End: end,
			Text: benchText(r, z, 300), PostedAt: end, People: []string{"U-m1"}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPages100k measures each page's server time (the handler, in
// process) for a member of two of the ten private channels, on a store of
// 100,000 entries, and reports the 50th and 99th percentiles.
//
//	go test ./adapters/web -run '^$' -bench Pages100k -benchtime 100x
func BenchmarkPages100k(b *testing.B) {
	w := newWorld(b, worldOptions{})
	now := time.Now()
	fill(b, w.store, 100_000, now)
	w.say("/as m7", "/private p41", "/private p47", "/channel c1")
	session := w.sessionCookie("m7")
	pages := []struct{ name, path string }{
		{"home", "/"},
		{"search-common", "/search?q=" + url.QueryEscape("how do I deploy the build")},
		{"search-rare", "/search?q=" + url.QueryEscape("w15000 w17000")},
		{"search-syntax", "/search?q=" + url.QueryEscape(`"docker image" kind:solution -cache tag:deploy`)},
		{"search-page3", "/search?q=" + url.QueryEscape("vault token") + "&page=3"},
		{"entry", "/entries/50042"}, // in p41, one of the viewer's private channels
		{"tag", "/tags/kubernetes"},
		{"tag-page5", "/tags/deploy?page=5"},
		{"channel", "/channels/c3"},
		{"member", "/members/U-m42"},
		{"questions", "/questions"},
		{"digests", "/digests"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, p.path, nil)
				req.AddCookie(session)
				rec := httptest.NewRecorder()
				t0 := time.Now()
				w.handler.ServeHTTP(rec, req)
				took = append(took, time.Since(t0))
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", p.path, rec.Code)
				}
			}
			slices.Sort(took)
			q := func(f float64) float64 {
				return float64(took[min(len(took)-1, int(f*float64(len(took))))].Microseconds()) / 1000
			}
			b.ReportMetric(q(0.50), "p50-ms")
			b.ReportMetric(q(0.99), "p99-ms")
		})
	}
}
