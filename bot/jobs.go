package bot

import (
	"context"
	"log/slog"

	"github.com/repertoire/repertoire/repertoire"
)

// logLock names a single-replica job's lock in logs.
const logLock = "lock"

// exclusive runs job if this replica takes the named lock (Store.TryLock)
// and reports whether it ran. Several replicas sharing one store each call
// it; one of them runs the job at a time, the others skip it this round. A
// job that is also safe to run twice (a claim, an idempotent delete) still
// takes the lock: the work is done once instead of once per replica.
func exclusive(ctx context.Context, store repertoire.Store, log *slog.Logger, name string, job func(context.Context)) bool {
	release, ok, err := store.TryLock(ctx, name)
	if err != nil {
		if ctx.Err() == nil {
			log.WarnContext(ctx, "single-replica lock", logLock, name, logErr, err)
		}
		return false
	}
	if !ok {
		log.DebugContext(ctx, "another replica runs this job", logLock, name)
		return false
	}
	defer release()
	job(ctx)
	return true
}
