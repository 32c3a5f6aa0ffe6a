package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// TestAnswerVerdicts: what an answer's buttons show pressed is the verdicts
// members hold and gave on it, in the answer's order, each once; a verdict
// changed or moved to another answer leaves it.
func testAnswerVerdicts(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	ids := saveAll(t, s,
		entrySpec{src: "a", question: "q a", answer: "answer a"},
		entrySpec{src: "b", question: "q b", answer: "answer b"},
		entrySpec{src: "c", question: "q c", answer: "answer c"},
	)
	answer := repertoire.Source{Platform: "slack", Space: "T1", Channel: "C1", Message: "111.222"}
	later := repertoire.Source{Platform: "slack", Space: "T1", Channel: "C1", Message: "333.444"}
	if err := s.RecordRecall(ctx, answer, []int64{ids["c"], ids["b"], ids["a"]}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordRecall(ctx, later, []int64{ids["a"]}); err != nil {
		t.Fatal(err)
	}
	got := func(msg repertoire.Source) []repertoire.Verdict {
		t.Helper()
		v, err := s.AnswerVerdicts(ctx, msg)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := got(answer); len(v) != 0 {
		t.Fatalf("verdicts before any press: %+v", v)
	}
	for _, p := range []struct {
		user    string
		entry   string
		helpful bool
		on      repertoire.Source
	}{
		{"U1", "a", true, answer},
		{"U2", "a", true, answer},
		{"U2", "c", false, answer},
		{"U3", "b", true, answer},
		{"U3", "b", false, answer}, // changed their mind: "This helped" on b is nobody's now
		{"U1", "a", false, later},  // U1's verdict on a moved to the later answer
	} {
		if _, err := s.EntryFeedback(ctx, "", p.on, ids[p.entry], p.user, p.helpful, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	want := []repertoire.Verdict{{Entry: ids["c"], Helpful: false}, {Entry: ids["b"], Helpful: false}, {Entry: ids["a"], Helpful: true}}
	if v := got(answer); !reflect.DeepEqual(v, want) {
		t.Errorf("verdicts on the answer: %+v, want %+v", v, want)
	}
	if v := got(later); !reflect.DeepEqual(v, []repertoire.Verdict{{Entry: ids["a"], Helpful: false}}) {
		t.Errorf("verdicts on the later answer: %+v", v)
	}
	if _, err := s.AnswerVerdicts(ctx, repertoire.Source{Platform: "slack", Space: "T1", Channel: "C1", Message: "1.1"}); !errors.Is(err, repertoire.ErrNotFound) {
		t.Errorf("a message that is no answer: %v", err)
	}
	if es, err := s.AnswerEntries(ctx, answer); err != nil || !reflect.DeepEqual(es, []int64{ids["c"], ids["b"], ids["a"]}) {
		t.Errorf("entries of the answer: %v, %v", es, err)
	}
	if _, err := s.AnswerEntries(ctx, repertoire.Source{Platform: "slack", Space: "T1", Channel: "C1", Message: "1.1"}); !errors.Is(err, repertoire.ErrNotFound) {
		t.Errorf("entries of a message that is no answer: %v", err)
	}
}
