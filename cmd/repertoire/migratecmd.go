package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/interchange"
	"github.com/repertoire/repertoire/repertoire/storeopen"
)

const migrateUsage = `usage: repertoire migrate-store [-work DIR] FROM TO

Copies a whole repertoire from one store to another: FROM and TO are each an
SQLite file or a postgres:// URL (as REPERTOIRE_DB takes). The copy goes
through the lossless JSON export: every entry with its savers, voters, tags
and times, every open question, and the channels' digest schedules. It is
checked by exporting TO again: the two exports must be identical, byte for
byte. TO must be empty (a new file or database). Stop the bot first; start it
again with REPERTOIRE_DB set to TO.

Not copied (the bot rebuilds or does not need them): the message log, the
inbox and applied delivery IDs, digest records and the web page's archive,
sign-in sessions, detection modes and nudge settings.`

// migrateStore is the outcome of a migration, for the summary line.
type migrateStore struct {
	entries, openQuestions, schedules int
	bytes                             int64
}

// migrateCommand copies a repertoire between stores through the JSON
// interchange format and checks the copy.
func migrateCommand(ctx context.Context, args []string, cfg Config, stdout, stderr io.Writer) error {
	fs := flags("migrate-store", &cfg, stderr)
	work := fs.String("work", "", "directory for the two export files (default: a temporary directory, removed after)")
	pos, err := parseArgs(fs, args, stdout, false)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: migrate-store takes FROM and TO, e.g. repertoire migrate-store ./repertoire.db postgres://repertoire@db/repertoire", errUsage)
	}
	from, to := pos[0], pos[1]
	if from == to {
		return fmt.Errorf("%w: migrate-store: FROM and TO are the same store", errUsage)
	}
	dir := *work
	if dir == "" {
		if dir, err = os.MkdirTemp("", "repertoire-migrate-"); err != nil {
			return fmt.Errorf("migrate-store: %w", err)
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("migrate-store: %w", err)
	}
	src, err := storeopen.Open(ctx, from, nil)
	if err != nil {
		return fmt.Errorf("migrate-store: FROM: %w", err)
	}
	defer src.Close()
	dst, err := storeopen.Open(ctx, to, nil)
	if err != nil {
		return fmt.Errorf("migrate-store: TO: %w", err)
	}
	defer dst.Close()
	m, err := migrate(ctx, src, dst, dir)
	if err != nil {
		return fmt.Errorf("migrate-store %s → %s: %w", storeopen.Redact(from), storeopen.Redact(to), err)
	}
	fmt.Fprintf(stdout, "copied %s, %d open questions and %d digest schedules from %s to %s; the exports of both are identical (%d bytes)\n",
		entriesCount(m.entries), m.openQuestions, m.schedules, storeopen.Redact(from), storeopen.Redact(to), m.bytes)
	return nil
}

// errNotEmpty means the target store of a migration holds a repertoire.
var errNotEmpty = errors.New("TO is not empty")

// migrate copies src into the empty dst: src's JSON export (to dir) is
// imported into dst, dst's digest schedules are set, and dst's export must
// equal src's byte for byte.
func migrate(ctx context.Context, src, dst repertoire.Store, dir string) (migrateStore, error) {
	var m migrateStore
	st, err := dst.Stats(ctx)
	if err != nil {
		return m, err
	}
	if scheds, err := dst.DigestSchedules(ctx); err != nil {
		return m, err
	} else if st.Entries > 0 || st.OpenQuestions > 0 || len(scheds) > 0 {
		return m, fmt.Errorf("%w: it holds %s, %d open questions and %d digest schedules (migrate into a new database)",
			errNotEmpty, entriesCount(int(st.Entries)), st.OpenQuestions, len(scheds))
	}
	all := repertoire.ExportParams{Private: true}
	first := filepath.Join(dir, "from.json")
	if m.entries, err = exportFile(ctx, src, all, first); err != nil {
		return m, fmt.Errorf("export FROM: %w", err)
	}
	sum, err := interchange.ImportJSON(ctx, dst, first, nil)
	if err != nil {
		return m, fmt.Errorf("import into TO: %w", err)
	}
	m.openQuestions = sum.OpenQuestions
	if err := dst.Optimize(ctx); err != nil {
		return m, fmt.Errorf("optimize TO: %w", err)
	}
	scheds, err := src.DigestSchedules(ctx)
	if err != nil {
		return m, fmt.Errorf("digest schedules of FROM: %w", err)
	}
	for _, d := range scheds {
		if err := dst.SetDigestSchedule(ctx, d); err != nil {
			return m, fmt.Errorf("digest schedule of %s: %w", d.Channel.ID, err)
		}
	}
	m.schedules = len(scheds)
	second := filepath.Join(dir, "to.json")
	if _, err := exportFile(ctx, dst, all, second); err != nil {
		return m, fmt.Errorf("export TO: %w", err)
	}
	a, err := os.ReadFile(first)
	if err != nil {
		return m, err
	}
	b, err := os.ReadFile(second)
	if err != nil {
		return m, err
	}
	if !bytes.Equal(a, b) {
		return m, fmt.Errorf("the export of TO differs from the export of FROM (kept in %s and %s when -work is given): TO is not a faithful copy", first, second)
	}
	m.bytes = int64(len(a))
	return m, nil
}

// exportFile writes the JSON export of what p selects to file.
func exportFile(ctx context.Context, s repertoire.Store, p repertoire.ExportParams, file string) (int, error) {
	f, err := os.Create(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	n, err := interchange.WriteJSON(ctx, s, p, w)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	return n, err
}
