package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// benchVocabulary is a small technical vocabulary; words are drawn with a
// Zipf distribution so a few are in most entries and most are rare, as in chat.
var benchVocabulary = strings.Fields(`deploy build test cache docker image container kubernetes pod node
	service ingress certificate tls nginx proxy timeout retry queue worker database index query migration
	schema backup restore replica lag vacuum config secret token vault rotate renew release branch merge
	rebase commit hook lint format compile linker module version dependency upgrade rollback canary metric
	alert dashboard log trace span latency memory leak goroutine mutex deadlock panic stack profile cpu
	flame benchmark fuzz race channel context cancel deadline http grpc json yaml protobuf schema header
	cookie session auth oauth saml sso ldap dns resolver cidr subnet firewall port socket websocket
	terraform ansible helm chart operator cron schedule digest backlog sprint review incident postmortem
	runbook pager oncall escalation handover ticket customer invoice billing refund webhook signature`)

// benchWord returns word k of a 20,000-word vocabulary: the real words above
// first (the most frequent), then made-up pronounceable ones.
func benchWord(k uint64) string {
	if k < uint64(len(benchVocabulary)) {
		return benchVocabulary[k]
	}
	syl := []string{"ka", "ro", "mi", "tel", "sun", "va", "dor", "pex", "li", "qua", "zen", "bo"}
	var sb strings.Builder
	for k > 0 {
		sb.WriteString(syl[k%uint64(len(syl))])
		k /= uint64(len(syl))
	}
	return sb.String()
}

const benchVocabularySize = 20000

func benchText(r *rand.Rand, z *rand.Zipf, n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = benchWord(z.Uint64())
	}
	return strings.Join(words, " ")
}

func benchZipf(r *rand.Rand) *rand.Zipf { return rand.NewZipf(r, 1.1, 2, benchVocabularySize-1) }

// benchStore builds a store of n entries in one transaction.
func benchStore(b *testing.B, n int) *Store {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	r := rand.New(rand.NewPCG(1, 2))
	z := benchZipf(r)
	err = s.tx(ctx, "", func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO entries (platform, space, channel_id, private, source_id, kind,
			question, answer, author_id, tags, created_at, updated_at) VALUES ('bench', 's', ?, ?, ?, 'tip', ?, ?, 'U1', '', ?, ?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range n {
			ch := fmt.Sprint("c", i%50)
			if _, err := stmt.ExecContext(ctx, ch, i%10 == 0, fmt.Sprint("m", i), benchText(r, z, 12), benchText(r, z, 60), i, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// The common stems' top lists, as the background builds them.
	if err := s.buildTops(ctx); err != nil {
		b.Fatal(err)
	}
	return s
}

const benchSize = 100_000

// BenchmarkRecall100k measures recall on a 100k-entry store over a mix of
// common, medium and rare words. Run: go test ./repertoire -run X -bench Recall100k
func BenchmarkRecall100k(b *testing.B) {
	s := benchStore(b, benchSize)
	ctx := context.Background()
	queries := map[string]string{
		"common": "how do I deploy the build",               // the most frequent words: in most entries
		"medium": "rotate the vault token",                  // ranks 30-40: in a few percent of entries
		"rare":   benchWord(15000) + " " + benchWord(17000), // in a handful of entries
	}
	for class, q := range queries {
		b.Run(class, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Search(ctx, repertoire.SearchParams{Text: q, From: repertoire.Channel{Platform: "bench", Space: "s", ID: "c1"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRecall10k is the small recall benchmark CI can afford; the
// figures at 1M come from cmd/recall-bench.
// Run: go test ./repertoire -run X -bench Recall10k
func BenchmarkRecall10k(b *testing.B) {
	s := benchStore(b, 10_000)
	ctx := context.Background()
	queries := map[string]string{
		"common": "how do I deploy the build",
		"medium": "rotate the vault token",
		"rare":   benchWord(15000) + " " + benchWord(17000),
	}
	for class, q := range queries {
		b.Run(class, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Search(ctx, repertoire.SearchParams{Text: q, From: repertoire.Channel{Platform: "bench", Space: "s", ID: "c1"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSave100k measures a member's save (one transaction with its FTS
// update and saver) on a store that already holds 100k entries.
// BenchmarkSave100k measures a member's save into a 100k-entry store
// (with its top lists): the fold into search_pending and the top lists.
func BenchmarkSave100k(b *testing.B) {
	s := benchStore(b, benchSize)
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	z := benchZipf(r)
	i := 0
	c0 := processCPU(b)
	for b.Loop() {
		i++
		_, _, err := s.Save(ctx, repertoire.SaveParams{
			Channel: repertoire.Channel{Platform: "bench", Space: "s", ID: "c1"}, SourceID: fmt.Sprint("new", i), Kind: repertoire.Tip,
			Question: benchText(r, z, 12), Answer: benchText(r, z, 60), Author: repertoire.Person{ID: "U2"}, Saver: repertoire.Person{ID: "U3"},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// The process's CPU per save (its background merge included), which a
	// loaded machine does not inflate as it does the time per save.
	b.ReportMetric(float64(processCPU(b)-c0)/float64(b.N)/1e6, "cpu-ms/op")
}

// processCPU is the CPU time the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
