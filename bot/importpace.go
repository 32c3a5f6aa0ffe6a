package bot

import "time"

// How an import shares the database with a running bot. The bot's
// acknowledgements commit to the inbox's own file and never wait for the
// import; what waits is the bot applying its inbox to the main file, whose
// write lock the import takes one transaction at a time. So the import
// writes in transactions of about importTx, far under SQLite's busy
// timeout (5 s) even when a loaded machine stretches one several times,
// and leaves the lock free for importYield after each; while the bot falls
// behind (its inbox over importInboxDeep and moving) the import waits
// longer, so a bot that needs the lock gets it.
//
// The figures were chosen by the contention test at 10,000 captures
// (cmd/repertoire, TestImportWhileTheBotWorks; a bot taking 50 captures/s,
// searches in a loop), runs paired at load 10-16: transactions of 50 ms
// with pauses as long (the old pacing) imported in 15.9 / 25.2 / 38.6 s;
// 200 ms with 120 ms pauses in 7.4 / 16.8 / 13.1 s, the longest import
// transaction 476-567 ms; 400 ms in 8.2 s, but holding the lock 858 ms.
// The bot's backlog grew 20-30 events/s in all of them (CPU, not the lock:
// the machine was shared), and was applied within 2-5 s after.

// importChunk is the entries of an import's first transaction; the next
// ones are sized to take about importTx.
const (
	importChunk = 100
	importTx    = 200 * time.Millisecond
)

// importYield is the pause between an import's transactions, so a bot
// waiting for the write lock gets it. SQLite's busy handler polls for the
// lock at most 100 ms apart: a pause longer than that is seen by every
// waiting writer, where a shorter one can slip between a waiter's polls
// again and again.
const importYield = 120 * time.Millisecond

// importLeast and importMost bound the entries of an import's
// transaction. A write of 40 or more is folded into the search chunks at
// once, fewer wait as pending postings for the background merge (twice
// the work), but on a loaded machine 40 entries can hold the lock close
// to a second.
const (
	importLeast = 10
	importMost  = 2000
)

// While a running bot has more than importInboxDeep deliveries pending (2 s
// of a busy team's traffic, 50 captures/s), an import waits before its next
// transaction, importBackoffStep at a time and at most importBackoffMax per
// transaction, so the bot catches up; an import still moves when the bot
// cannot keep up at all.
const (
	importInboxDeep   = 200
	importBackoffStep = 250 * time.Millisecond
	importBackoffMax  = time.Second
)

// nextImportChunk sizes an import's next transaction to take importTx,
// given that the last one wrote n entries in took. It grows at most
// twofold: one fast write (an idle moment of a loaded machine) must not
// size a long one.
func nextImportChunk(n int, took time.Duration) int {
	return max(importLeast, min(importMost, 2*n, int(float64(n)*float64(importTx)/float64(max(took, time.Millisecond)))))
}
