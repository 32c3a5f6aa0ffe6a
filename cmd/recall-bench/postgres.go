package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres"
	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// zipfPostgres copies the Zipf corpus zipfBench built in dir into an empty
// PostgreSQL database, then asks both stores the same queries, interleaved
// (one store then the other, alternating which goes first), and prints
// wall-time percentiles per class side by side, whether the two stores
// returned the same top 10, and the natural class's known-item figures on
// each. Then it times captures (Save of new entries) with one writer and
// with two (two store handles, as two replicas hold), on both stores.
func zipfPostgres(ctx context.Context, w io.Writer, dir string, n, perClass int, url string) error {
	file := filepath.Join(dir, fmt.Sprintf("zipf-%d.db", n))
	lite, err := sqlite.Open(ctx, file, nil)
	if err != nil {
		return err
	}
	defer lite.Close()
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
		if err := copyEntries(ctx, file, url); err != nil {
			return fmt.Errorf("copy to postgres: %w", err)
		}
		copied := time.Since(t0)
		t1 := time.Now()
		// The copied rows are noted for the search index; the next write
		// transaction folds them in.
		if err := pg.CanWrite(ctx); err != nil {
			return fmt.Errorf("fold: %w", err)
		}
		if err := pg.Optimize(ctx); err != nil {
			return err
		}
		built = fmt.Sprintf("copied in %s, indexed in %s", copied.Round(time.Second), time.Since(t1).Round(time.Second))
	} else if st.Entries < int64(n) {
		// (More is a reused corpus with earlier runs' captures.)
		return fmt.Errorf("the PostgreSQL database holds %d entries, fewer than %d: give an empty one", st.Entries, n)
	}
	fmt.Fprintf(w, "\n== Zipf corpus, %d entries, SQLite and PostgreSQL side by side (PostgreSQL %s)\n", n, built)
	queries, err := zipfCorpus(ctx, nil, n, perClass, 0, nil)
	if err != nil {
		return err
	}
	from := repertoire.Channel{Platform: "bench", Space: "s", ID: "c1"}
	params := func(text string) repertoire.SearchParams {
		return repertoire.SearchParams{Text: text, From: from, Limit: 10}
	}
	stores := []repertoire.Store{lite, pg}
	for _, q := range queries["medium"][:min(20, len(queries["medium"]))] { // warm up
		for _, s := range stores {
			if _, err := s.Search(ctx, params(q.text)); err != nil {
				return err
			}
		}
	}
	times := [2]map[string][]time.Duration{{}, {}}
	got := [2]map[string][][]int64{{}, {}}
	for i := range perClass {
		for _, c := range zipfClasses {
			if i >= len(queries[c]) {
				continue
			}
			for k := range 2 {
				j := (i + k) % 2 // alternate which store goes first
				t0 := time.Now()
				hits, err := stores[j].Search(ctx, params(queries[c][i].text))
				if err != nil {
					return fmt.Errorf("search %q: %w", queries[c][i].text, err)
				}
				times[j][c] = append(times[j][c], time.Since(t0))
				got[j][c] = append(got[j][c], hitIDs(hits))
			}
		}
	}
	fmt.Fprintf(w, "wall time per query, top 10 (the PostgreSQL server's work included):\n%-8s %-30s %-30s %s\n",
		"class", "SQLite p50/p95/p99 (n)", "PostgreSQL p50/p95/p99 (n)", "same top 10 on both")
	for _, c := range zipfClasses {
		same, _ := agreement(got[1][c], got[0][c])
		fmt.Fprintf(w, "%-8s %-30s %-30s %.3f\n", c, percentiles(times[0][c]), percentiles(times[1][c]), same)
	}
	fmt.Fprintf(w, "natural known item   @1      @10\n")
	for j, name := range []string{"SQLite", "PostgreSQL"} {
		at1, at10 := knownItem(got[j]["natural"], queries["natural"][:len(got[j]["natural"])])
		fmt.Fprintf(w, "%-20s %5.1f%%  %5.1f%%  (%d queries)\n", name, 100*at1, 100*at10, len(got[j]["natural"]))
	}
	return captureThroughput(ctx, w, file, url)
}

// copyEntries copies the corpus's entries (the columns zipfCorpus writes)
// from the SQLite file into PostgreSQL with COPY; the store's triggers note
// them for the search index and keep the counts.
func copyEntries(ctx context.Context, file, url string) error {
	src, err := sql.Open("sqlite", "file:"+file+"?_pragma=query_only(1)")
	if err != nil {
		return err
	}
	defer src.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	cols := []string{"id", "platform", "space", "channel_id", "channel_name", "private", "source_id", "kind",
		"question", "answer", "author_id", "author_name", "votes", "created_at", "updated_at"}
	var last int64
	for {
		rows, err := src.QueryContext(ctx, `SELECT id, platform, space, channel_id, channel_name, private, source_id, kind,
			question, answer, author_id, author_name, votes, created_at, updated_at FROM entries WHERE id > ? ORDER BY id LIMIT 20000`, last)
		if err != nil {
			return err
		}
		var batch [][]any
		for rows.Next() {
			var (
				id, private, votes, created, updated      int64
				platform, space, ch, chName, source, kind string
				question, answer, author, authorName      string
			)
			if err := rows.Scan(&id, &platform, &space, &ch, &chName, &private, &source, &kind, &question, &answer,
				&author, &authorName, &votes, &created, &updated); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, []any{id, platform, space, ch, chName, int32(private), source, kind, question, answer,
				author, authorName, int32(votes), created, updated})
			last = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"entries"}, cols, pgx.CopyFromRows(batch)); err != nil {
			return err
		}
	}
	_, err = conn.Exec(ctx, `SELECT setval(pg_get_serial_sequence('entries', 'id'), (SELECT max(id) FROM entries))`)
	return err
}

// captureThroughput saves new entries (member captures, each one
// transaction with its search index update) with one writer, then with two
// store handles writing at once (two replicas on one database; for SQLite,
// two processes on one file), and prints captures per second on each store
// (PostgreSQL alone when file is empty).
func captureThroughput(ctx context.Context, w io.Writer, file, url string) error {
	const perRound = 400
	g := newZipfGen(zipfVocabulary())
	open := []func() (repertoire.Store, error){
		func() (repertoire.Store, error) { return sqlite.Open(ctx, file, nil) },
		func() (repertoire.Store, error) { return postgres.Open(ctx, url, nil) },
	}
	fmt.Fprintf(w, "captures per second (Save of a new entry; %d per round):\n%-12s %-12s %-12s\n", perRound, "store", "1 writer", "2 writers")
	run := time.Now().UnixNano() // a reused store keeps earlier runs' captures
	round := 0
	for j, name := range []string{"SQLite", "PostgreSQL"} {
		if j == 0 && file == "" {
			continue // PostgreSQL alone
		}
		var rates []string
		for writers := 1; writers <= 2; writers++ {
			round++
			var handles []repertoire.Store
			for range writers {
				s, err := open[j]()
				if err != nil {
					return err
				}
				defer s.Close()
				handles = append(handles, s)
			}
			texts := make([][2]string, perRound)
			for i := range texts {
				q, a := g.entry()
				texts[i] = [2]string{g.text(q) + "?", g.text(a)}
			}
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			t0 := time.Now()
			for k, s := range handles {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := k; i < perRound; i += writers {
						ch := repertoire.Channel{Platform: "bench", Space: "s", ID: fmt.Sprint("c", i%50), Name: fmt.Sprint("c", i%50)}
						_, _, err := s.Save(ctx, repertoire.SaveParams{Event: fmt.Sprint("cap-", run, "-", round, "-", i), Channel: ch,
							SourceID: fmt.Sprint("cap", run, "-", round, "-", i), Kind: repertoire.Tip, Question: texts[i][0], Answer: texts[i][1],
							Author: repertoire.Person{ID: "U1"}, Saver: repertoire.Person{ID: "U2"}})
						if err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			if err := <-errs; err != nil {
				return fmt.Errorf("%s capture: %w", name, err)
			}
			rates = append(rates, fmt.Sprintf("%.0f/s", perRound/time.Since(t0).Seconds()))
		}
		fmt.Fprintf(w, "%-12s %-12s %-12s\n", name, rates[0], rates[1])
	}
	return nil
}
