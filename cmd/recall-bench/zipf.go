package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/repertoire"
)

// The Zipf corpus is issue 15's independent workload: N entries, each a
// question of 8–20 words and an answer of 20–80, every word drawn
// independently from a Zipf law (s = 1.1) over 50,000 synthetic word types.
// Frequent ranks are short words, the tail six letters; every word is made
// of consonant–vowel syllables, is its own Porter stem and is no stop word,
// so every engine indexes the same terms. All entries are public.
//
// Query classes, perClass each: rare = 2–3 words of document frequency
// under 0.05% of N; medium = 2–3 words of df 0.5–5%; common = 2–3 words of
// df over 30%; natural = 5–8 distinct words, in order, from one random
// entry's question (that entry is the known item).

const zipfTypes = 50_000

// zipfVocabulary returns the word of every rank.
func zipfVocabulary() []string {
	cons, vows := "bdfgklmnprtvz", "aiou"
	r := rand.New(rand.NewPCG(15, 15))
	seen := map[string]bool{}
	words := make([]string, 0, zipfTypes)
	for len(words) < zipfTypes {
		k := len(words)
		n := 6
		switch {
		case k < 40:
			n = 2
		case k < 600:
			n = 3
		case k < 2500:
			n = 4
		case k < 20000:
			n = 5
		}
		var b strings.Builder
		for i := range n {
			if i%2 == 0 {
				b.WriteByte(cons[r.IntN(len(cons))])
			} else {
				b.WriteByte(vows[r.IntN(len(vows))])
			}
		}
		w := b.String()
		if seen[w] || len(repertoire.Terms(w)) != 1 || !repertoire.IsStem(w) {
			continue // taken, a stop word, or not its own stem
		}
		seen[w] = true
		words = append(words, w)
	}
	return words
}

type zipfGen struct {
	r     *rand.Rand
	z     *rand.Zipf
	words []string
}

func newZipfGen(words []string) *zipfGen {
	r := rand.New(rand.NewPCG(1511, 1))
	return &zipfGen{r: r, z: rand.NewZipf(r, 1.1, 1, zipfTypes-1), words: words}
}

// entry draws one entry's question and answer as word ranks.
func (g *zipfGen) entry() (q, a []int) {
	q = make([]int, 8+g.r.IntN(13))
	for i := range q {
		q[i] = int(g.z.Uint64())
	}
	a = make([]int, 20+g.r.IntN(61))
	for i := range a {
		a[i] = int(g.z.Uint64())
	}
	return q, a
}

func (g *zipfGen) text(ranks []int) string {
	w := make([]string, len(ranks))
	for i, k := range ranks {
		w[i] = g.words[k]
	}
	return strings.Join(w, " ")
}

// zipfQuery is one query of a class; known is the known item's entry ID
// (natural class only).
type zipfQuery struct {
	text  string
	known int64
}

var zipfClasses = []string{"rare", "medium", "common", "natural"}

// zipfRow is entry i's row, q and a its question's and answer's word
// ranks: ID, channel ID and name, source ID, kind, question, answer,
// author ID and name, votes, creation and update time.
func zipfRow(g *zipfGen, i int, q, a []int) []any {
	at := time.Unix(1_600_000_000, 0).Add(time.Duration(i) * time.Minute).UnixMilli()
	ch := fmt.Sprint("c", i%50)
	kind := []string{"tip", "solution", "story", "how-we-do"}[i%4]
	author := fmt.Sprint("U", i%997)
	return []any{int64(i + 1), ch, ch, fmt.Sprint("z", i), kind, g.text(q) + "?", g.text(a), author, "member" + author,
		int64(1 + i%3), at, at}
}

// zipfCorpus replays the generator (it is seeded) to learn document
// frequencies and the known items' questions, and writes the entries when
// db is not nil: those from the (from+1)-th on, the earlier ones being
// already in db (a build resumed). progress, when not nil, hears of every
// million rows written.
func zipfCorpus(ctx context.Context, db *sql.DB, n, perClass, from int, progress io.Writer) (map[string][]zipfQuery, error) {
	words := zipfVocabulary()
	g := newZipfGen(words)
	pick := rand.New(rand.NewPCG(uint64(n), 77))
	known := map[int]bool{}
	for len(known) < min(perClass*3, n) {
		known[pick.IntN(n)] = true
	}
	questions := map[int][]int{}
	df := make([]int, zipfTypes)
	mark := make([]int, zipfTypes)
	// Rows go in 500 per statement, 20,000 per transaction: each INSERT
	// statement on entries (its triggers write FTS5) makes FTS5 flush a
	// segment at its statement savepoint, so one row per statement would
	// write a segment per row.
	const (
		batch   = 20_000
		perStmt = 500
	)
	var tx *sql.Tx
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		q := `INSERT INTO entries (id, platform, space, channel_id, channel_name, private,
			source_id, kind, question, answer, author_id, author_name, votes, created_at, updated_at) VALUES ` +
			strings.Repeat(`(?, 'bench', 's', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?),`, len(args)/12)
		_, err := tx.ExecContext(ctx, strings.TrimSuffix(q, ","), args...)
		args = args[:0]
		return err
	}
	for i := range n {
		q, a := g.entry()
		for _, k := range append(q, a...) {
			if mark[k] != i+1 {
				mark[k] = i + 1
				df[k]++
			}
		}
		if known[i] {
			questions[i] = q
		}
		if db == nil || i < from {
			continue
		}
		if progress != nil && i > from && i%1_000_000 == 0 {
			fmt.Fprintf(progress, "%s rows written: %d of %d\n", time.Now().UTC().Format(time.TimeOnly), i, n)
		}
		if i%batch == 0 {
			var err error
			if tx, err = db.BeginTx(ctx, nil); err != nil {
				return nil, err
			}
		}
		args = append(args, zipfRow(g, i, q, a)...)
		if len(args) == perStmt*12 || i%batch == batch-1 || i == n-1 {
			if err := flush(); err != nil {
				tx.Rollback()
				return nil, err
			}
		}
		if i%batch == batch-1 || i == n-1 {
			if err := tx.Commit(); err != nil {
				return nil, err
			}
		}
	}
	byDF := func(lo, hi float64) []int {
		var out []int
		for k, d := range df {
			if d > 0 && float64(d) >= lo*float64(n) && float64(d) < hi*float64(n) {
				out = append(out, k)
			}
		}
		return out
	}
	pools := map[string][]int{
		"rare":   byDF(0, 0.0005),
		"medium": byDF(0.005, 0.05),
		"common": byDF(0.30, 1.01),
	}
	out := map[string][]zipfQuery{}
	for _, c := range []string{"rare", "medium", "common"} {
		pool := pools[c]
		if len(pool) < 3 {
			continue // too small a corpus for this class
		}
		for range perClass {
			m := 2 + pick.IntN(2)
			chosen := map[int]bool{}
			var ws []string
			for len(ws) < m {
				k := pool[pick.IntN(len(pool))]
				if !chosen[k] {
					chosen[k] = true
					ws = append(ws, words[k])
				}
			}
			out[c] = append(out[c], zipfQuery{text: strings.Join(ws, " ")})
		}
	}
	ids := make([]int, 0, len(questions))
	for i := range questions {
		ids = append(ids, i)
	}
	slices.Sort(ids)
	pick.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
	for _, i := range ids {
		if len(out["natural"]) == perClass {
			break
		}
		var distinct []int
		seen := map[int]bool{}
		for _, k := range questions[i] {
			if !seen[k] {
				seen[k] = true
				distinct = append(distinct, k)
			}
		}
		if len(distinct) < 5 {
			continue
		}
		m := min(len(distinct), 5+pick.IntN(4))
		keep := pick.Perm(len(distinct))[:m]
		slices.Sort(keep)
		var ws []string
		for _, j := range keep {
			ws = append(ws, words[distinct[j]])
		}
		out["natural"] = append(out["natural"], zipfQuery{text: strings.Join(ws, " "), known: int64(i + 1)})
	}
	return out, nil
}

// zipfBench builds (or reuses) the Zipf corpus of n entries and prints the
// issue's tables: latency per class beside plain bm25, peak RSS, natural
// known-item @1/@10 and top-10 agreement with the exhaustive ranking.
func zipfBench(ctx context.Context, w, progress io.Writer, dir string, n, perClass, basePerClass, exPerClass int, reuse, resume, withBotPath bool, cpuProfile string) error {
	file := filepath.Join(dir, fmt.Sprintf("zipf-%d.db", n))
	built := "reused"
	var queries map[string][]zipfQuery
	_, statErr := os.Stat(file)
	if statErr != nil || !reuse {
		start := time.Now()
		if statErr != nil || !resume {
			os.Remove(file)
			s, err := sqlite.Open(ctx, file, nil)
			if err != nil {
				return err
			}
			s.Close()
		}
		db, err := sql.Open("sqlite", "file:"+file+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
		if err != nil {
			return err
		}
		db.SetMaxOpenConns(1)
		// Rows are committed 20,000 at a time in ID order, so a build
		// stopped part way holds exactly the first max(id) of them.
		var from int
		if err := db.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM entries`).Scan(&from); err != nil {
			db.Close()
			return fmt.Errorf("resume: %w", err)
		}
		if from > 0 {
			fmt.Fprintf(progress, "%s resuming the build of %s after %d rows\n", time.Now().UTC().Format(time.TimeOnly), file, from)
		}
		if queries, err = zipfCorpus(ctx, db, n, perClass, from, progress); err != nil {
			db.Close()
			return fmt.Errorf("build: %w", err)
		}
		db.Close()
		rows := time.Since(start)
		fmt.Fprintf(progress, "%s rows written; folding them into the search postings\n", time.Now().UTC().Format(time.TimeOnly))
		// Opening folds the new rows into the search postings; Optimize
		// recomputes bounds and merges FTS5 into one segment.
		t1 := time.Now()
		s, err := sqlite.Open(ctx, file, nil)
		if err != nil {
			return err
		}
		folded := time.Since(t1)
		fmt.Fprintf(progress, "%s folded; optimizing\n", time.Now().UTC().Format(time.TimeOnly))
		t2 := time.Now()
		if err := s.Optimize(ctx); err != nil {
			s.Close()
			return err
		}
		s.Close()
		built = fmt.Sprintf("built in %s: rows+FTS5 %s, search postings %s, optimize %s; peak RSS while building %d MiB",
			time.Since(start).Round(time.Second), rows.Round(time.Second), folded.Round(time.Second),
			time.Since(t2).Round(time.Second), peakRSS()>>20)
		if from > 0 {
			built += fmt.Sprintf(" (this run, resumed after %d rows)", from)
		}
	} else {
		var err error
		if queries, err = zipfCorpus(ctx, nil, n, perClass, 0, nil); err != nil {
			return err
		}
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== Zipf corpus, %d entries (%s; %d MiB on disk)\n", n, built, st.Size()>>20)

	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	store, err := sqlite.Open(ctx, file, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	// A reused store made by an older binary gets what the index gained
	// since (top lists), before anything is timed.
	t1 := time.Now()
	if err := store.Optimize(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "optimize before measuring: %s\n", time.Since(t1).Round(time.Millisecond))
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	from := repertoire.Channel{Platform: "bench", Space: "s", ID: "c1"}
	params := func(text string) repertoire.SearchParams {
		return repertoire.SearchParams{Text: text, From: from, Limit: 10}
	}
	for _, q := range queries["medium"][:min(20, len(queries["medium"]))] { // warm up
		if _, err := store.Search(ctx, params(q.text)); err != nil {
			return err
		}
	}
	ours := map[string][]time.Duration{}
	oursCPU := map[string][]time.Duration{}
	got := map[string][][]int64{}
	stopProfile, err := startProfile(cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	for i := range perClass { // interleaved, as members ask
		for _, c := range zipfClasses {
			if i >= len(queries[c]) {
				continue
			}
			t0, c0 := time.Now(), cpuTime()
			hits, err := store.Search(ctx, params(queries[c][i].text))
			if err != nil {
				return fmt.Errorf("search %q: %w", queries[c][i].text, err)
			}
			ours[c] = append(ours[c], time.Since(t0))
			oursCPU[c] = append(oursCPU[c], cpuTime()-c0)
			got[c] = append(got[c], hitIDs(hits))
		}
	}
	if err := stopProfile(); err != nil {
		return err
	}
	recallPeak := peakRSS()
	var botPath bytes.Buffer
	if withBotPath {
		if err := botRecallLatency(ctx, &botPath, store, from, queries, perClass); err != nil {
			return err
		}
	}

	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	plain := map[string][]time.Duration{}
	plainCPU := map[string][]time.Duration{}
	plainGot := map[string][][]int64{}
	for i := range min(basePerClass, perClass) {
		for _, c := range zipfClasses {
			if i >= len(queries[c]) {
				continue
			}
			t0, c0 := time.Now(), cpuTime()
			ids, err := plainBM25(ctx, db, queries[c][i].text, from, 10)
			if err != nil {
				return err
			}
			plain[c] = append(plain[c], time.Since(t0))
			plainCPU[c] = append(plainCPU[c], cpuTime()-c0)
			plainGot[c] = append(plainGot[c], ids)
		}
	}

	// The reference: the project's ranking over every entry, one pass.
	t0 := time.Now()
	var all []repertoire.SearchParams
	for _, c := range zipfClasses {
		for _, q := range queries[c][:min(exPerClass, len(queries[c]))] {
			all = append(all, params(q.text))
		}
	}
	ref, err := store.SearchExhaustiveMany(ctx, all)
	if err != nil {
		return err
	}
	refTime := time.Since(t0)
	exact := map[string][][]int64{}
	k := 0
	for _, c := range zipfClasses {
		for range queries[c][:min(exPerClass, len(queries[c]))] {
			exact[c] = append(exact[c], hitIDs(ref[k]))
			k++
		}
	}

	fmt.Fprintf(w, "wall time per query, top 10:\n%-8s %-30s %-30s %-22s\n", "class", "project p50/p95/p99 (n)", "plain bm25 p50/p95/p99 (n)", "top-10 = exhaustive (n)")
	for _, c := range zipfClasses {
		same, overlap := agreement(got[c][:len(exact[c])], exact[c])
		fmt.Fprintf(w, "%-8s %-30s %-30s %.3f (overlap %.3f; %d)\n", c, percentiles(ours[c]), percentiles(plain[c]), same, overlap, len(exact[c]))
	}
	fmt.Fprintf(w, "CPU time per query (the process's, robust to a loaded machine):\n")
	for _, c := range zipfClasses {
		fmt.Fprintf(w, "%-8s %-30s %-30s\n", c, percentiles(oursCPU[c]), percentiles(plainCPU[c]))
	}
	w.Write(botPath.Bytes())
	fmt.Fprintf(w, "peak RSS while recalling: %d MiB (Go heap in use %d MiB)\n", recallPeak>>20, heapInUse()>>20)
	fmt.Fprintf(w, "natural known item   @1      @10\n")
	for _, r := range []struct {
		name string
		ids  [][]int64
	}{{"project", got["natural"]}, {"plain bm25", plainGot["natural"]}, {"exhaustive", exact["natural"]}} {
		at1, at10 := knownItem(r.ids, queries["natural"][:len(r.ids)])
		fmt.Fprintf(w, "%-20s %5.1f%%  %5.1f%%  (%d queries)\n", r.name, 100*at1, 100*at10, len(r.ids))
	}
	fmt.Fprintf(w, "(exhaustive reference: %s for %d queries in one pass)\n", refTime.Round(time.Second), len(all))
	for _, c := range zipfClasses {
		if len(queries[c]) > 0 {
			fmt.Fprintf(w, "sample %s: %q\n", c, queries[c][0].text)
		}
	}
	return nil
}

func hitIDs(hits []repertoire.Hit) []int64 {
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

// agreement is the share of queries whose top 10 equals the reference's,
// in order, and the mean share of the reference's top 10 found.
func agreement(got, want [][]int64) (same, overlap float64) {
	if len(want) == 0 {
		return 0, 0
	}
	for i := range want {
		if slices.Equal(got[i], want[i]) {
			same++
		}
		if len(want[i]) == 0 {
			overlap++
			continue
		}
		n := 0
		for _, id := range want[i] {
			if slices.Contains(got[i], id) {
				n++
			}
		}
		overlap += float64(n) / float64(len(want[i]))
	}
	return same / float64(len(want)), overlap / float64(len(want))
}

// knownItem is the share of natural queries whose entry is first, and in
// the first ten.
func knownItem(ids [][]int64, qs []zipfQuery) (at1, at10 float64) {
	if len(ids) == 0 {
		return 0, 0
	}
	for i, r := range ids {
		if len(r) > 0 && r[0] == qs[i].known {
			at1++
		}
		if slices.Contains(r, qs[i].known) {
			at10++
		}
	}
	return at1 / float64(len(ids)), at10 / float64(len(ids))
}

// startProfile starts a CPU profile into file (nothing when file is
// empty); stop ends it and closes the file, once however often called.
func startProfile(file string) (stop func() error, err error) {
	if file == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(file)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	stopped := false
	return func() error {
		if stopped {
			return nil
		}
		stopped = true
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		return nil
	}, nil
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
