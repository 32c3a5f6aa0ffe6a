package sqlite

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// TestMergeFullTextEndsWhileTheBotSaves merges the full-text index while
// another writer saves entries one by one, each a new FTS5 segment: the
// merge must end on its own (a merge of every segment starts over with
// each new one, and used to go on until the saves stopped).
func TestMergeFullTextEndsWhileTheBotSaves(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "merge.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(5, 5))
	var records []repertoire.Record
	for i := range 3000 {
		records = append(records, repertoire.Record{Channel: exactChannels[0], SourceID: fmt.Sprint("m", i), Kind: repertoire.Tip,
			Question: randomText(r, 8), Answer: randomText(r, 40) + fmt.Sprint(" w", i), Author: repertoire.Person{ID: "U1"}, CreatedAt: time.Unix(1_700_000_000, 0)})
	}
	for i := 0; i < len(records); i += 100 { // many segments to merge
		if _, err := s.ImportBatch(ctx, repertoire.Batch{Import: "i", Records: records[i : i+100]}); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- s.mergeFullText(ctx) }()
	const most = 3000
	for i := 0; ; i++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			return // ended while the saves went on
		default:
		}
		if i == most {
			err := <-done // with nothing more saved it ends
			t.Fatalf("the merge was still going after %d saves (%v)", most, err)
		}
		if _, _, err := s.Save(ctx, repertoire.SaveParams{Channel: exactChannels[0], SourceID: fmt.Sprint("live", i), Kind: repertoire.Tip,
			Answer: randomText(r, 20), Author: repertoire.Person{ID: "U2"}, Saver: repertoire.Person{ID: "U3"}}); err != nil {
			t.Fatal(err)
		}
	}
}
