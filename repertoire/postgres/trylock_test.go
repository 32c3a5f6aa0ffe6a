package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/postgres"
)

// A job lock has one holder across replicas, and passes on when the
// holder releases it or dies (its session ends: here the store closes, as
// a killed process's connections do).
func TestTryLockAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	url := dbURL(t)
	open := func() *postgres.Store {
		s, err := postgres.Open(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := open(), open()
	defer b.Close()
	release, ok, err := a.TryLock(ctx, repertoire.LockDigests)
	if err != nil || !ok {
		t.Fatalf("first holder: %v %v", ok, err)
	}
	if _, ok, err := b.TryLock(ctx, repertoire.LockDigests); ok || err != nil {
		t.Fatalf("second replica took a held lock: %v %v", ok, err)
	}
	if r, ok, err := b.TryLock(ctx, repertoire.LockRetention); !ok || err != nil {
		t.Fatalf("another job's lock: %v %v", ok, err)
	} else {
		r()
	}
	release()
	release() // twice does nothing
	rb, ok, err := b.TryLock(ctx, repertoire.LockDigests)
	if !ok || err != nil {
		t.Fatalf("after release: %v %v", ok, err)
	}
	rb()
	if _, ok, _ := a.TryLock(ctx, repertoire.LockDigests); !ok {
		t.Fatal("holder could not take it again")
	}
	// The holder dies: its session ends, without unlocking.
	var pid int
	if err := a.QueryRowForTest(ctx, `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted LIMIT 1`, &pid); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRowForTest(ctx, `SELECT pg_terminate_backend($1)`, new(bool), pid); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		rb, ok, err = b.TryLock(ctx, repertoire.LockDigests)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			rb()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the lock stayed with a dead holder")
		}
		time.Sleep(20 * time.Millisecond)
	}
	a.Close()
}
