package shell_test

import (
	"context"
	"database/sql"
	"io"
	"strings"
	"testing"
)

// typing hands the shell one line per read, running a step between
// lines: a step runs when the shell reads the line after it. The shell
// reads one line ahead of the one it runs, so a step that must follow a
// line's effect is put after one more line ("/where").
type typing struct {
	items []any // string lines and func() steps
}

func (ty *typing) Read(p []byte) (int, error) {
	for len(ty.items) > 0 {
		item := ty.items[0]
		ty.items = ty.items[1:]
		switch it := item.(type) {
		case func():
			it()
		case string:
			return copy(p, it+"\n"), nil
		}
	}
	return 0, io.EOF
}

// exec runs statements on the world's database file through a connection
// of its own, as another program would.
func (w *world) exec(stmts ...string) {
	w.t.Helper()
	db, err := sql.Open("sqlite", w.path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		w.t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			w.t.Fatalf("%s: %v", q, err)
		}
	}
}

// An unsave whose write fails is not lost: it was marked answered on
// arrival, before its write, so the platform's redelivery found it
// answered and said nothing, and the vote stayed. It now records its
// delivery with its write, as save and forget me do: the redelivery
// completes it, and a further one says nothing.
func TestScenarioUnsaveWhoseWriteFailedIsRedelivered(t *testing.T) {
	w := newWorld(t)
	out := w.playFrom(&typing{items: []any{
		"/as alice", "How do I rotate the TLS certificate on the staging proxy? #tls",
		"/as bob", "/reply 1 Run certbot renew --force-renewal, then reload nginx.",
		"/as carol", "/reply 1 @repertoire save",
		"/as dan", "/react 2", "/where",
		func() { // the database refuses the write once (a full disk, say)
			w.exec(`CREATE TRIGGER unsave_fails BEFORE DELETE ON votes BEGIN SELECT RAISE(ABORT, 'disk full'); END`)
		},
		"/reply 1 @repertoire unsave", "/where",
		func() { w.exec(`DROP TRIGGER unsave_fails`) },
		"/redeliver", "/redeliver",
	}})
	if a := answerTo(out, "dan: @repertoire unsave"); !strings.Contains(a, "went wrong") || strings.Count(a, "took back your vote") != 1 {
		t.Errorf("dan's unsave, failed then redelivered twice:\n%s", out)
	}
	if es := w.entries(); len(es) != 1 || es[0].Votes != 1 {
		t.Fatalf("after dan's unsave: %+v", es)
	}
}
