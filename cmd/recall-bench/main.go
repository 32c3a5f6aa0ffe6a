// Command recall-bench measures recall: latency and memory on generated
// repertoires of any size, and quality on real question–answer data, each
// beside plain FTS5 bm25() ranking over the same rows in the same run.
// See README.md for the commands and what each figure means.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/repertoire/repertoire/repertoire/sqlite"

	"github.com/repertoire/repertoire/bot"
	"github.com/repertoire/repertoire/internal/helpflag"
	"github.com/repertoire/repertoire/repertoire"
	_ "modernc.org/sqlite" // the baseline and the bulk build talk SQL directly
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "recall-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("recall-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "10000,100000", "repertoire sizes to generate (comma-separated); empty to skip")
	queries := fs.Int("queries", 300, "recall queries per class and size")
	baseline := fs.Int("baseline-queries", 300, "plain bm25 queries per class and size (fewer at 1M: each common one takes seconds)")
	dir := fs.String("dir", "", "where to build the databases (a temp dir when empty)")
	exhaustive := fs.Int("exhaustive-queries", 200, "zipf: queries per class also ranked exhaustively, for the agreement figure (one pass over all entries)")
	corpus := fs.String("corpus", "chat", "generated corpus for -sizes: chat (this tool's chat-like entries) or zipf (issue 15's independent workload: words from a Zipf law, rare/medium/common/natural queries, agreement with the exhaustive ranking)")
	pgURL := fs.String("postgres", "", "zipf: also copy the corpus into this empty PostgreSQL database (postgres://…) and time both stores side by side, with capture throughput for one and two writers")
	skipSQLite := fs.Bool("skip-sqlite", false, "zipf with -postgres: measure PostgreSQL alone, the corpus generated straight into it (for a size whose SQLite figures another run takes); agreement is then with PostgreSQL's exhaustive ranking, on -exhaustive-queries per class")
	botPath := fs.Bool("bot-path", true, "zipf: also time recall as the bot answers (Search's top 50 re-ranked, one and two passes)")
	cpuProfile := fs.String("cpuprofile", "", "zipf: write a CPU profile of the project's searches (the timed queries alone, not the build, plain bm25 or the exhaustive pass) to this file, for go tool pprof")
	reuse := fs.Bool("reuse", false, "reuse a database of the same size already in -dir instead of building it")
	resume := fs.Bool("resume", false, "zipf: go on with a build of the same size in -dir that was stopped part way (its rows, then folding and optimizing resume where they stopped), then measure; for 10M, whose build takes hours")
	semeval := fs.String("semeval", "", "SemEval-2016 Task 3 XML file (e.g. ../shared/data/semeval2016-cqa/SemEval2016-Task3-CQA-QL-dev.xml)")
	livechat := fs.String("livechat", "", "folder of LiveChat dialog files (e.g. ../shared/data/livechat)")
	filler := fs.String("filler", "", "folder of LiveChat dialog files: right-entry and filler rates of what recall shows (e.g. ../shared/data/livechat)")
	trainRerank := fs.String("train-rerank", "", "train the learned re-ranker on every question of -semeval and -livechat and write its weights to this Go file (a func rerankWeights for package bot: bot/rerank_weights.go is what recall ships)")
	expands := fs.String("expand", "0,10,20", "feedback-word counts of a second retrieval pass to cross-validate beside one pass (0 must be among them)")
	markers := fs.String("livechat-markers", "keep", "LiveChat's anonymisation markers ([<-LINK->], [<-CODE->], [<-ISSUE->]): keep (read as the words link, code, issue), drop, or url (a link read as https, the others dropped)")
	compareTo := fs.String("livechat-compare", "", "a -livechat-scores file of another run: print this run minus that one per row, dialog by dialog, with a paired bootstrap interval")
	scoresTo := fs.String("livechat-scores", "", "write each LiveChat dialog's cross-validated top-3 and top-1 per row to this file (tab-separated), to compare two readings dialog by dialog")
	dropAddress := fs.Bool("livechat-drop-address", false, "ask each LiveChat opening without its leading address (\"nick: …\") to someone who talks in the channel, as a nudge asks (bot.WithoutAddress); by default it is asked whole, as recall asked by mention does")
	folds := fs.Int("cv", 5, "folds for cross-validating the re-ranker's weights and word associations on -semeval and -livechat (0: none)")
	if help, err := helpflag.Parse(fs, args, stdout, "recall-bench [-sizes N,…] [-corpus chat|zipf] [-queries N] [-dir DIR] [-semeval FILE] [-livechat DIR] [-filler DIR] [-cv K] …"); help || err != nil {
		return err
	}
	if *dir == "" {
		d, err := os.MkdirTemp("", "recall-bench")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	if *sizes != "" {
		for _, f := range strings.Split(*sizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				return fmt.Errorf("-sizes: %q is not a positive number", f)
			}
			switch *corpus {
			case "chat":
				err = latency(ctx, stdout, *dir, n, *queries, *baseline, *reuse)
			case "zipf":
				if *skipSQLite {
					if *pgURL == "" {
						return fmt.Errorf("-skip-sqlite measures PostgreSQL alone: give -postgres")
					}
					err = zipfPostgresOnly(ctx, stdout, n, *queries, *exhaustive, *pgURL)
					break
				}
				err = zipfBench(ctx, stdout, stderr, *dir, n, *queries, *baseline, *exhaustive, *reuse, *resume, *botPath, *cpuProfile)
				if err == nil && *pgURL != "" {
					err = zipfPostgres(ctx, stdout, *dir, n, *queries, *pgURL)
				}
			default:
				return fmt.Errorf("-corpus: %q is neither chat nor zipf", *corpus)
			}
			if err != nil {
				return err
			}
		}
	}
	cvExpands = nil
	for _, f := range strings.Split(*expands, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return fmt.Errorf("-expand: %q is not a count of words", f)
		}
		cvExpands = append(cvExpands, n)
	}
	if !slices.Contains(cvExpands, 0) {
		return errors.New("-expand: 0 (one pass) must be among the counts")
	}
	joint := &jointChoice{}
	defer joint.print(stdout)
	var sem, lc *cvSet
	if *semeval != "" {
		var err error
		if sem, err = semevalQuality(ctx, stdout, *dir, *semeval, *folds); err != nil {
			return fmt.Errorf("semeval: %w", err)
		}
	}
	if *markers != "keep" && *markers != "drop" && *markers != "url" {
		return fmt.Errorf("-livechat-markers: %q is not keep, drop or url", *markers)
	}
	if *livechat != "" {
		var err error
		if lc, err = livechatQuality(ctx, stdout, *dir, *livechat, *folds, dialogReading{*markers, *dropAddress}); err != nil {
			return fmt.Errorf("livechat: %w", err)
		}
		if lc != nil {
			lc.scoresTo, lc.compareTo = *scoresTo, *compareTo
		}
	}
	if err := crossValidateSets(stdout, sem, lc, *folds, joint, *trainRerank, args); err != nil {
		return err
	}
	if *filler != "" {
		if err := livechatFiller(ctx, stdout, *dir, *filler, dialogReading{*markers, *dropAddress}); err != nil {
			return fmt.Errorf("filler: %w", err)
		}
	}
	return nil
}

// crossValidateSets trains the learned re-ranker without each fold (on
// both sets together), prints each set's cross-validated figures and, when
// asked, writes the model trained on every question.
func crossValidateSets(w io.Writer, sem, lc *cvSet, k int, joint *jointChoice, trainTo string, args []string) error {
	var sets []*cvSet
	for _, s := range []*cvSet{sem, lc} {
		if s != nil {
			sets = append(sets, s)
		}
	}
	if len(sets) == 0 {
		if trainTo != "" {
			return errors.New("-train-rerank needs -semeval or -livechat")
		}
		return nil
	}
	if k < 2 {
		return nil // -cv 0: no cross-validation (and no set was kept for it)
	}
	var models []*rerankModels
	for _, v := range modelVariants {
		if !slices.ContainsFunc(sets, v.readsSet) {
			continue // no set with subtask B's own pairs (the last variant)
		}
		m, err := trainRerank(sets, k, v)
		if err != nil {
			// Too few questions to learn from (a small file): the other
			// figures stand without the learned rows.
			if trainTo != "" {
				return err
			}
			fmt.Fprintf(w, "\nlearned re-ranker: not trained: %v\n", err)
			models = nil
			break
		}
		fmt.Fprintf(w, "\n%s: penalty and feedback chosen inside the training folds:%s\n", v.name, m)
		models = append(models, m)
	}
	if sem != nil {
		if err := semevalCV(w, sem, k, joint, models); err != nil {
			return fmt.Errorf("semeval: %w", err)
		}
	}
	if lc != nil {
		if err := livechatCV(w, lc, k, joint, models); err != nil {
			return fmt.Errorf("livechat: %w", err)
		}
	}
	if err := crossSetCheck(w, sem, lc, k); err != nil {
		return err
	}
	if trainTo != "" {
		shown := slices.Clone(args)
		for i, a := range shown {
			if a == "" {
				shown[i] = `""` // -sizes "": the command must read as typed
			}
		}
		cmd := "go run ./cmd/recall-bench " + strings.Join(shown, " ")
		if err := writeRerankWeights(trainTo, cmd, models[shippedVariant], k, sets); err != nil {
			return fmt.Errorf("write %s: %w", trainTo, err)
		}
		fmt.Fprintf(w, "\nwrote the learned re-ranker trained on every question to %s\n", trainTo)
	}
	return nil
}

// latency builds a repertoire of n generated entries and times recall per
// query class, then plain bm25 over the same queries.
func latency(ctx context.Context, w io.Writer, dir string, n, perClass, basePerClass int, reuse bool) error {
	file := filepath.Join(dir, fmt.Sprintf("gen-%d.db", n))
	start := time.Now()
	built := "reused"
	if _, err := os.Stat(file); err != nil || !reuse {
		os.Remove(file)
		if err := build(ctx, file, n); err != nil {
			return fmt.Errorf("build %d: %w", n, err)
		}
		built = "built in " + time.Since(start).Round(time.Second).String()
	}
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== %d entries (%s, %d MiB on disk, peak RSS so far %d MiB)\n", n, built, st.Size()>>20, peakRSS()>>20)

	// The recall phase starts from a clean slate: collect, return memory to
	// the OS and reset the kernel's peak-RSS mark, so the peak printed is
	// what a bot answering questions needs.
	runtime.GC()
	debug.FreeOSMemory()
	resetPeakRSS()
	store, err := sqlite.Open(ctx, file, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	from := repertoire.Channel{Platform: "bench", Space: "s", ID: "c1"}
	g := newGenerator(uint64(n) + 7)
	classes := map[string][]string{}
	for _, c := range queryClasses {
		for range perClass {
			classes[c.name] = append(classes[c.name], g.query(c.lo, c.hi))
		}
	}
	for _, q := range classes["medium"][:min(20, perClass)] { // warm the page cache as a running bot has it
		if _, err := store.Search(ctx, repertoire.SearchParams{Text: q, From: from}); err != nil {
			return err
		}
	}
	ours := map[string][]time.Duration{}
	var all []time.Duration
	for i := range perClass { // interleaved: a mix, as members ask
		for _, c := range queryClasses {
			q := classes[c.name][i]
			t0 := time.Now()
			if _, err := store.Search(ctx, repertoire.SearchParams{Text: q, From: from}); err != nil {
				return fmt.Errorf("search %q: %w", q, err)
			}
			d := time.Since(t0)
			ours[c.name] = append(ours[c.name], d)
			all = append(all, d)
		}
	}
	recallPeak := peakRSS()
	// Recall as the bot answers: Search's top candidates, then the
	// re-ranker (bot/rerank.go) with the weights it ships with; beside it,
	// the pool of 20 the bot asked for before the pool was cross-validated.
	pools := []int{20, bot.RerankPool}
	botRecall := map[int][]time.Duration{}
	searchOnly := map[int][]time.Duration{}
	for i := range perClass {
		for _, c := range queryClasses {
			q := classes[c.name][i]
			for _, pool := range pools {
				t0 := time.Now()
				hits, err := store.Search(ctx, repertoire.SearchParams{Text: q, From: from, Limit: pool})
				if err != nil {
					return fmt.Errorf("search %q: %w", q, err)
				}
				t1 := time.Now()
				bot.RerankWith(q, hits, bot.DefaultRerank, nil)
				searchOnly[pool] = append(searchOnly[pool], t1.Sub(t0))
				botRecall[pool] = append(botRecall[pool], time.Since(t0))
			}
		}
	}

	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	plain := map[string][]time.Duration{}
	var plainAll []time.Duration
	for i := range min(basePerClass, perClass) {
		for _, c := range queryClasses {
			t0 := time.Now()
			if _, err := plainBM25(ctx, db, classes[c.name][i], from, 3); err != nil {
				return err
			}
			d := time.Since(t0)
			plain[c.name] = append(plain[c.name], d)
			plainAll = append(plainAll, d)
		}
	}
	if err := vocabCost(ctx, w, file); err != nil {
		return err
	}
	fmt.Fprintf(w, "%-8s %-28s %-28s\n", "class", "recall p50/p95/p99 (n)", "plain bm25 p50/p95/p99 (n)")
	for _, c := range queryClasses {
		fmt.Fprintf(w, "%-8s %-28s %-28s\n", c.name, percentiles(ours[c.name]), percentiles(plain[c.name]))
	}
	fmt.Fprintf(w, "%-8s %-28s %-28s\n", "mix", percentiles(all), percentiles(plainAll))
	for _, pool := range pools {
		fmt.Fprintf(w, "%-8s %-28s (Search's top %d, re-ranked as the bot ships)\n", "bot", percentiles(botRecall[pool]), pool)
		fmt.Fprintf(w, "%-8s %-28s (of which Search's top %d alone)\n", "", percentiles(searchOnly[pool]), pool)
	}
	fmt.Fprintf(w, "peak RSS while recalling: %d MiB (Go heap in use %d MiB)\n", recallPeak>>20, heapInUse()>>20)
	fmt.Fprintf(w, "sample queries: %q / %q / %q\n", classes["common"][0], classes["medium"][0], classes["rare"][0])
	return nil
}

func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	f := func(d time.Duration) string { return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) }
	return fmt.Sprintf("%s/%s/%s ms (%d)", f(at(0.50)), f(at(0.95)), f(at(0.99)), len(s))
}

// build writes n generated entries: the store's own Open applies the
// migrations, then rows go in through plain SQL in large transactions (the
// FTS index follows through the store's triggers), since a million member
// saves one by one would only measure the build.
func build(ctx context.Context, file string, n int) error {
	s, err := sqlite.Open(ctx, file, nil)
	if err != nil {
		return err
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=foreign_keys(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	g := newGenerator(1)
	const batch = 20_000
	t0 := time.Unix(1_600_000_000, 0)
	for done := 0; done < n; {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO entries (platform, space, channel_id, channel_name, private,
			source_id, kind, question, answer, author_id, author_name, tags, votes, created_at, updated_at)
			VALUES ('bench', 's', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		for i := done; i < min(n, done+batch); i++ {
			e := g.entry()
			at := t0.Add(time.Duration(i) * time.Minute).UnixMilli()
			author := fmt.Sprint("U", i%997)
			if _, err := stmt.ExecContext(ctx, e.channel, e.channel, e.private, fmt.Sprint("m", i), e.kind,
				e.question, e.answer, author, "member"+author, e.tags, e.votes, at, at); err != nil {
				tx.Rollback()
				return err
			}
		}
		stmt.Close()
		if err := tx.Commit(); err != nil {
			return err
		}
		done = min(n, done+batch)
	}
	_, err = db.ExecContext(ctx, `INSERT INTO entries_fts (entries_fts) VALUES ('optimize')`)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// plainBM25 is the baseline: what recall did before, and what FTS5 offers
// out of the box. The member's words quoted and OR-ed, every matching row
// scored by bm25() with the same field weights, visibility as a WHERE clause.
func plainBM25(ctx context.Context, db *sql.DB, text string, from repertoire.Channel, limit int) ([]int64, error) {
	match := repertoire.MatchExpression(text)
	if match == "" {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT e.id FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid
		WHERE entries_fts MATCH ?1 AND (e.private = 0 OR (e.platform = ?2 AND e.space = ?3 AND e.channel_id = ?4))
		ORDER BY bm25(entries_fts, 3.0, 1.0, 2.0) LIMIT ?5`, match, from.Platform, from.Space, from.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("plain bm25: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// vocabCost prints what an exact document frequency costs through an
// fts5vocab table, beside what recall reads instead (a term's newest
// postings, up to the probe limit), for a common and a rarer word: the
// figures behind recall's choice of probing.
func vocabCost(ctx context.Context, w io.Writer, file string) error {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, entries_fts, row)`); err != nil {
		return fmt.Errorf("fts5vocab: %w", err)
	}
	for _, term := range []string{"build", "kafka"} {
		t0 := time.Now()
		var docs int64
		if err := db.QueryRowContext(ctx, `SELECT doc FROM temp.vocab WHERE term = ?`, term).Scan(&docs); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("fts5vocab %s: %w", term, err)
		}
		vocab := time.Since(t0)
		t0 = time.Now()
		rows, err := db.QueryContext(ctx, `SELECT rowid FROM entries_fts WHERE entries_fts MATCH ? ORDER BY rowid DESC LIMIT 1000`, `"`+term+`"`)
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		rows.Close()
		fmt.Fprintf(w, "df of %q (%d entries): fts5vocab %.1f ms, newest 1000 postings %.1f ms\n",
			term, docs, float64(vocab.Microseconds())/1000, float64(time.Since(t0).Microseconds())/1000)
	}
	return nil
}

// peakRSS is the process's peak resident set (VmHWM) in bytes; 0 where
// /proc is missing.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// resetPeakRSS asks Linux to start VmHWM again from the current RSS.
func resetPeakRSS() {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(os.Stderr, "recall-bench: cannot reset peak RSS:", err)
	}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
