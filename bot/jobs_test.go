package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
)

// While another replica holds the digests lock, this one's scheduler posts
// nothing; once the lock is free it posts the digest that fell due, once.
func TestDigestsWaitForTheReplicaHoldingTheLock(t *testing.T) {
	e := newDigestEnv(t, "0 9 * * MON", berlin, monday.Add(time.Hour))
	e.save(t, "ops", "m1", "bob", "Roll back with kubectl rollout undo #k8s", false, "ann")
	release, ok, err := e.store.TryLock(context.Background(), repertoire.LockDigests)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	e.clk.set(time.Date(2026, 11, 22, 22, 0, 0, 0, berlin))
	stop := runScheduler(t, e, time.Hour)
	fire := monday.AddDate(0, 0, 7)
	e.clk.runUntil(t, fire.Add(90*time.Minute))
	if n := len(e.board.digests("ops")); n != 0 {
		t.Fatalf("posted %d digests while another replica held the lock", n)
	}
	release()
	e.clk.set(fire.Add(3 * time.Hour)) // wakes the sleeping scheduler
	e.clk.runUntil(t, fire.Add(5*time.Hour))
	stop()
	if n := len(e.board.digests("ops")); n != 1 {
		t.Errorf("after the lock was released: %d digests, want 1", n)
	}
}
