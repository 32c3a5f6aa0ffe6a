package slack_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/repertoire/repertoire/adapters/slack/slacktest"
	"github.com/repertoire/repertoire/repertoire"
)

// TestAckWhileAnotherProcessWrites: an import (another process) holds the
// database's write lock longer than SQLite's busy timeout while a member
// reacts 💡. The bot still acknowledges the reaction while the lock is held:
// the acknowledgement commits to the inbox, which does not wait for the
// lock; the capture is made once the lock is free.
func TestAckWhileAnotherProcessWrites(t *testing.T) {
	fake := slacktest.New(t)
	fake.AddChannel("C1", false)
	db := filepath.Join(t.TempDir(), "repertoire.db")
	ctx := context.Background()
	p := startProcess(t, fake, db)
	if err := fake.WaitConnected(1, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	p.catchup.Wait()
	ts, ev := fake.Say("C1", "U2", "Run certbot renew, then reload nginx", "")
	fake.Event(ev)
	await(t, "the message logged", func() bool {
		_, err := p.store.LoggedMessageBySource(ctx, repertoire.Source{Platform: "slack", Space: fake.Team, Channel: "C1", Message: ts})
		return err == nil
	})

	other, err := sql.Open("sqlite", db+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	locked := true
	unlock := func() {
		if locked {
			locked = false
			if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
				t.Fatal(err)
			}
		}
	}
	defer unlock()

	start := time.Now()
	_, env := fake.Event(fake.React("C1", ts, "U3", "bulb"))
	// The lock is held until the ack comes, or past the 5 s busy timeout
	// a commit to the locked file would wait.
	ackErr := fake.WaitAck(env, 7*time.Second)
	waited := time.Since(start)
	if _, saved := p.entry(fake, "C1", ts); saved {
		t.Error("the capture was made while another process held the write lock")
	}
	unlock()
	if ackErr != nil {
		t.Fatalf("the reaction was not acknowledged while another process held the write lock for %s: %v", waited.Round(time.Millisecond), ackErr)
	}
	t.Logf("acknowledged in %s while the write lock was held", waited.Round(time.Millisecond))
	await(t, "the capture after the lock is free", func() bool { _, ok := p.entry(fake, "C1", ts); return ok })
}
