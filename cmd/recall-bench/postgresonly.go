package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres"
)

// zipfPostgresOnly is zipfPostgres without the SQLite store: the Zipf
// corpus of n entries is generated straight into an empty PostgreSQL
// database (COPY; the store's first write builds the search index), then
// the same queries are timed per class, the top 10 of the first exPerClass
// of each class compared with PostgreSQL's exhaustive ranking, and
// captures timed with one and two writers.
func zipfPostgresOnly(ctx context.Context, w io.Writer, n, perClass, exPerClass int, url string) error {
	pg, err := postgres.Open(ctx, url, nil)
	if err != nil {
		return err
	}
	defer pg.Close()
	st, err := pg.Stats(ctx)
	if err != nil {
		return err
	}
	built := "reused"
	if st.Entries == 0 {
		t0 := time.Now()
		if err := generateEntries(ctx, url, n); err != nil {
			return fmt.Errorf("generate into postgres: %w", err)
		}
		copied := time.Since(t0)
		t1 := time.Now()
		if err := pg.CanWrite(ctx); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		indexed := time.Since(t1)
		t2 := time.Now()
		if err := pg.Optimize(ctx); err != nil {
			return err
		}
		built = fmt.Sprintf("copied in %s, indexed in %s, vacuum+analyze %s", copied.Round(time.Second),
			indexed.Round(time.Second), time.Since(t2).Round(time.Second))
	} else if st.Entries < int64(n) {
		return fmt.Errorf("the PostgreSQL database holds %d entries, fewer than %d: give an empty one", st.Entries, n)
	}
	var size int64
	if conn, err := pgx.Connect(ctx, url); err == nil {
		_ = conn.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&size)
		conn.Close(ctx)
	}
	fmt.Fprintf(w, "\n== Zipf corpus, %d entries, PostgreSQL alone (%s; database %d MiB)\n", n, built, size>>20)
	queries, err := zipfCorpus(ctx, nil, n, perClass, 0, nil)
	if err != nil {
		return err
	}
	from := repertoire.Channel{Platform: "bench", Space: "s", ID: "c1"}
	params := func(text string) repertoire.SearchParams {
		return repertoire.SearchParams{Text: text, From: from, Limit: 10}
	}
	for _, q := range queries["medium"][:min(20, len(queries["medium"]))] { // warm up
		if _, err := pg.Search(ctx, params(q.text)); err != nil {
			return err
		}
	}
	times := map[string][]time.Duration{}
	got := map[string][][]int64{}
	for i := range perClass {
		for _, c := range zipfClasses {
			if i >= len(queries[c]) {
				continue
			}
			t0 := time.Now()
			hits, err := pg.Search(ctx, params(queries[c][i].text))
			if err != nil {
				return fmt.Errorf("search %q: %w", queries[c][i].text, err)
			}
			times[c] = append(times[c], time.Since(t0))
			got[c] = append(got[c], hitIDs(hits))
		}
	}
	fmt.Fprintf(w, "wall time per query, top 10 (the PostgreSQL server's work included):\n%-8s %-30s %s\n",
		"class", "PostgreSQL p50/p95/p99 (n)", "same top 10 as the exhaustive ranking (n)")
	for _, c := range zipfClasses {
		var want [][]int64
		m := min(exPerClass, len(got[c]))
		for _, q := range queries[c][:m] {
			hits, err := pg.SearchExhaustive(ctx, params(q.text))
			if err != nil {
				return fmt.Errorf("exhaustive %q: %w", q.text, err)
			}
			want = append(want, hitIDs(hits))
		}
		same, _ := agreement(got[c][:m], want)
		fmt.Fprintf(w, "%-8s %-30s %.3f (%d)\n", c, percentiles(times[c]), same, m)
	}
	at1, at10 := knownItem(got["natural"], queries["natural"][:len(got["natural"])])
	fmt.Fprintf(w, "natural known item @1 %.1f%%, @10 %.1f%% (%d queries)\n", 100*at1, 100*at10, len(got["natural"]))
	return captureThroughput(ctx, w, "", url)
}

// generateEntries writes the Zipf corpus's n entries (zipfRow's columns,
// as zipfCorpus writes them to SQLite) into PostgreSQL with COPY.
func generateEntries(ctx context.Context, url string, n int) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	cols := []string{"id", "platform", "space", "channel_id", "channel_name", "private", "source_id", "kind",
		"question", "answer", "author_id", "author_name", "votes", "created_at", "updated_at"}
	g := newZipfGen(zipfVocabulary())
	const batch = 20_000
	for from := 0; from < n; from += batch {
		var rows [][]any
		for i := from; i < min(n, from+batch); i++ {
			q, a := g.entry()
			r := zipfRow(g, i, q, a)
			rows = append(rows, []any{r[0], "bench", "s", r[1], r[2], int32(0), r[3], r[4], r[5], r[6], r[7], r[8],
				int32(r[9].(int64)), r[10], r[11]})
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"entries"}, cols, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
	}
	_, err = conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('entries', 'id'), (SELECT max(id) FROM entries))`)
	return err
}
