package interchange

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/repertoire/repertoire/repertoire"
)

// Summary is what ImportJSON did.
type Summary struct {
	repertoire.BatchResult
	Read    int // entries and open questions in the file
	Resumed int // batches written by an earlier run, skipped
}

// Progress is how far ImportJSON is: checking the file (Items read so far),
// then importing (Batches of Total written).
type Progress struct {
	Phase          string // "checking" or "importing"
	Items          int
	Batches, Total int
}

const recordBatch = 1000

// Item is one entry or one open question of a repertoire file: one of the
// two is set.
type Item struct {
	Record       *repertoire.Record
	OpenQuestion *repertoire.OpenQuestion
}

// ImportJSON reads a repertoire JSON export twice: first to check every
// entry and open question (and hash the file, its identity for resuming),
// then to write them in batches of a thousand, each one transaction
// recorded as finished: a broken file writes nothing, a stopped import
// resumes where it stopped, and a second import changes nothing. progress
// may be nil.
func ImportJSON(ctx context.Context, store repertoire.Store, file string, progress func(Progress)) (Summary, error) {
	var sum Summary
	if progress == nil {
		progress = func(Progress) {}
	}
	h := sha256.New()
	n := 0
	err := ReadJSON(ctx, file, h, func(Item) error {
		n++
		if n%10000 == 0 {
			progress(Progress{Phase: "checking", Items: n})
		}
		return nil
	})
	if err != nil {
		return sum, fmt.Errorf("nothing imported: %w", err)
	}
	id := "repertoire:" + hex.EncodeToString(h.Sum(nil))[:32]
	done, err := store.FinishedUnits(ctx, id)
	if err != nil {
		return sum, err
	}
	units := (n + recordBatch - 1) / recordBatch
	var batch repertoire.Batch
	size := 0
	flush := func() error {
		unit := fmt.Sprintf("items %d-%d", sum.Read-size, sum.Read-1)
		defer func() { batch, size = repertoire.Batch{}, 0 }()
		if done[unit] {
			sum.Resumed++
			return nil
		}
		batch.Import, batch.Unit = id, unit
		res, err := store.ImportBatch(ctx, batch)
		if errors.Is(err, repertoire.ErrAlreadyApplied) {
			sum.Resumed++
			return nil
		}
		if err != nil {
			return fmt.Errorf("stopped; run the same command again to resume: %w", err)
		}
		sum.Add(res)
		progress(Progress{Phase: "importing", Items: sum.Read, Batches: sum.Read / recordBatch, Total: units})
		return nil
	}
	err = ReadJSON(ctx, file, nil, func(it Item) error {
		if it.Record != nil {
			batch.Records = append(batch.Records, *it.Record)
		} else {
			batch.OpenQuestions = append(batch.OpenQuestions, *it.OpenQuestion)
		}
		sum.Read++
		if size++; size == recordBatch {
			return flush()
		}
		return nil
	})
	if err == nil && size > 0 {
		err = flush()
	}
	return sum, err
}
