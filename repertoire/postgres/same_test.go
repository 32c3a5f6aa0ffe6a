package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres"
	"github.com/repertoire/repertoire/repertoire/postgres/pgtest"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// dbURL is a fresh database for the test, copied from one migrated once
// per test binary.
func dbURL(t testing.TB) string {
	t.Helper()
	return pgtest.DBFrom(t, "postgres-store", func(ctx context.Context, url string) error {
		s, err := postgres.Open(ctx, url, nil)
		if err != nil {
			return err
		}
		return s.Close()
	})
}

// open opens a PostgreSQL store on a fresh database.
func open(t testing.TB, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dbURL(t), nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// A small vocabulary, so that entries share words, scores tie and
// prefixes ("deplo") expand to several stems.
var words = strings.Fields(`deploy deploys deployed deploying build builds cache caching cached
	restart worker node nodes certificate certbot renew nginx proxy timeout retry queue token vault
	rotate rotation kube kubernetes kubectl helm chart the a to is how fix error fails café naïve`)

func randomText(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[min(int(r.ExpFloat64()*8), len(words)-1)]
		if r.IntN(12) == 0 {
			w[i] = strings.ToUpper(w[i][:1]) + w[i][1:] + "."
		}
	}
	return strings.Join(w, " ")
}

var channels = []repertoire.Channel{
	{Platform: "p", Space: "s", ID: "c1", Name: "ops"},
	{Platform: "p", Space: "s", ID: "c2", Name: "dev"},
	{Platform: "p", Space: "s", ID: "c3", Name: "secret", Private: true},
	{Platform: "p", Space: "t", ID: "c4", Name: "other"},
	{Platform: "q", Space: "s", ID: "c5", Name: "elsewhere"},
}

var kinds = []repertoire.Kind{repertoire.Tip, repertoire.Solution, repertoire.Story, repertoire.HowWeDo}

func randomQuery(r *rand.Rand) string {
	var parts []string
	for range 1 + r.IntN(5) {
		w := words[r.IntN(len(words))]
		switch r.IntN(14) {
		case 0:
			w = w[:min(len(w), 4+r.IntN(2))] // a prefix
		case 1:
			w = "-" + w
		case 2:
			w = `"` + w + " " + words[r.IntN(len(words))] + `"`
		case 3:
			w = "tag:" + words[r.IntN(8)]
		case 4:
			w = "kind:" + string(kinds[r.IntN(len(kinds))])
		case 5:
			w = "from:@U" + fmt.Sprint(r.IntN(3))
		case 6:
			w = "in:#" + channels[r.IntN(len(channels))].Name
		}
		parts = append(parts, w)
	}
	if r.IntN(4) == 0 {
		parts = append([]string{"how do I"}, parts...)
	}
	return strings.Join(parts, " ")
}

// searcher is what this test asks of both stores.
type searcher interface {
	Save(context.Context, repertoire.SaveParams) (repertoire.Entry, repertoire.SaveOutcome, error)
	Vote(context.Context, string, int64, string) (bool, error)
	EditSource(context.Context, string, repertoire.Source, string, time.Time) (int, error)
	DeleteSource(context.Context, string, repertoire.Source) (int, error)
	RecordRecall(context.Context, repertoire.Source, []int64) error
	EntryFeedback(context.Context, string, repertoire.Source, int64, string, bool, time.Time) (bool, error)
	EntryBySource(context.Context, repertoire.Source) (repertoire.Entry, error)
	Search(context.Context, repertoire.SearchParams) ([]repertoire.Hit, error)
	SearchExhaustive(context.Context, repertoire.SearchParams) ([]repertoire.Hit, error)
}

// TestSameRankingAsSQLite builds the same random repertoire (saved, voted
// on, given feedback, edited and deleted in part) in a SQLite store and in
// a PostgreSQL store, and asks both the same random queries, with the query
// syntax, from channels that see different entries: the hits must be the
// same entries in the same order with the same scores, coverage and
// snippets. PostgreSQL's own index-backed search must equal its exhaustive
// ranking too.
func TestSameRankingAsSQLite(t *testing.T) {
	ctx := context.Background()
	repertoires, queries := 2, 150
	if testing.Short() {
		repertoires, queries = 1, 60
	}
	for seed := range uint64(repertoires) {
		r := rand.New(rand.NewPCG(seed, 7))
		lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), fmt.Sprint(seed, ".db")), nil)
		if err != nil {
			t.Fatal(err)
		}
		// Chunks of four postings, read one at a time, so that the
		// bounds' pruning decides on these small repertoires as on large
		// ones.
		pg := open(t, postgres.WithChunkSize(4), postgres.WithChunkReads(1))
		stores := []searcher{lite, pg}
		n := 50 + r.IntN(250)
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var srcs []repertoire.Source
		for i := range n {
			ch := channels[r.IntN(len(channels))]
			var tags []string
			if r.IntN(3) == 0 {
				tags = []string{words[r.IntN(8)]}
			}
			p := repertoire.SaveParams{Channel: ch, SourceID: fmt.Sprint("m", i),
				Kind: kinds[r.IntN(len(kinds))], Question: randomText(r, r.IntN(8)),
				Answer: randomText(r, 1+r.IntN(30)), Author: repertoire.Person{ID: fmt.Sprint("U", r.IntN(3))},
				Saver: repertoire.Person{ID: "S"}, Tags: tags, At: at.Add(time.Duration(r.IntN(1000)) * time.Hour)}
			src := repertoire.Source{Platform: ch.Platform, Space: ch.Space, Channel: ch.ID, Message: p.SourceID}
			srcs = append(srcs, src)
			op, pick, text, good := r.IntN(10), srcs[r.IntN(len(srcs))], randomText(r, 1+r.IntN(20)), r.IntN(2) == 0
			for _, s := range stores {
				if _, _, err := s.Save(ctx, p); err != nil {
					t.Fatal(err)
				}
				e, err := s.EntryBySource(ctx, pick)
				if errors.Is(err, repertoire.ErrNotFound) {
					continue // deleted before
				}
				if err != nil {
					t.Fatal(err)
				}
				switch op {
				case 0:
					_, err = s.Vote(ctx, "", e.ID, fmt.Sprint("V", i))
				case 1:
					_, err = s.EditSource(ctx, "", pick, text, at)
				case 2:
					_, err = s.DeleteSource(ctx, "", pick)
				case 3:
					msg := repertoire.Source{Platform: "p", Space: "s", Channel: "c1", Message: fmt.Sprint("bot", i)}
					if err = s.RecordRecall(ctx, msg, []int64{e.ID}); err == nil {
						_, err = s.EntryFeedback(ctx, "", msg, e.ID, "F", good, time.Time{})
					}
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		for range queries {
			p := repertoire.SearchParams{Text: randomQuery(r), From: channels[r.IntN(len(channels))], Limit: 1 + r.IntN(10)}
			if r.IntN(8) == 0 { // a long question: ranked by its rarest known words
				long := make([]string, 40+r.IntN(20))
				for i := range long {
					long[i] = words[r.IntN(len(words))]
				}
				p.Text = strings.Join(long, " ")
			}
			if r.IntN(5) == 0 {
				p.From = repertoire.Channel{}
			}
			if r.IntN(5) == 0 {
				p.Spaces = []string{"t"}
			}
			want, err := lite.Search(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pg.Search(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := hitKeys(got), hitKeys(want); !reflect.DeepEqual(g, w) {
				t.Errorf("seed %d, %d entries, %+v:\n postgres %v\n   sqlite %v", seed, n, p, g, w)
			}
			ex, err := pg.SearchExhaustive(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := hitKeys(got), hitKeys(ex); !reflect.DeepEqual(g, w) {
				t.Errorf("seed %d, %+v:\n search     %v\n exhaustive %v", seed, p, g, w)
			}
		}
		lite.Close()
	}
}

func hitKeys(hits []repertoire.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, fmt.Sprintf("%s:%.12g:%.6f/%.6f:%d:%q:%v", h.SourceID, h.Score, h.Coverage, h.QuestionCoverage,
			h.MatchedWords, h.Snippet, h.Highlights))
	}
	return out
}
