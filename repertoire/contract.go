package repertoire

import (
	"context"
	"time"
)

// Store is the contract every store of the repertoire keeps: the SQLite
// store (repertoire/sqlite) and the PostgreSQL store (repertoire/postgres)
// behave alike for every method below, and the conformance suite
// (repertoire/storetest) checks that they do.
//
// Rules that hold for every method:
//   - Each method is one transaction: it happens whole or not at all.
//   - A method that takes an event (a platform delivery ID) applies it once:
//     a second call with the same non-empty event changes nothing and returns
//     ErrAlreadyApplied. An empty event is never recorded.
//   - Errors wrap ErrNotFound, ErrInvalid (ErrTooLong), ErrExpired or
//     ErrAlreadyApplied where the method says so; anything else is the
//     database's, and Transient tells whether trying again may help.
//   - Visibility is enforced inside the store: a private channel's entries
//     are only returned to that channel (SearchParams.From) or to an Audience
//     listing it.
//   - Times are kept to the millisecond.
type Store interface {
	EntryStore
	RecallStore
	AssociationStore
	OpenQuestionStore
	DigestStore
	InboxStore
	MessageLogStore
	CatchUpStore
	PrivacyStore
	WebStore
	BulkStore
	OpsStore
}

// EntryStore keeps entries: what members saved, its savers and votes, and
// what became of the source messages.
type EntryStore interface {
	// Save stores the exchange as an entry, or, when the source message is
	// already an entry, refreshes its text and records the member as a saver
	// (when nobody saves it any more) or as a vote. p.Event applies once. It
	// returns ErrInvalid (ErrTooLong) for input that cannot be stored.
	Save(ctx context.Context, p SaveParams) (Entry, SaveOutcome, error)
	// Unsave takes back a member's capture of the source message: their vote,
	// or their save. When the last saver leaves, the earliest voter becomes
	// the saver; with nobody left, the entry is deleted, or, when detection
	// had kept it before a member's save confirmed it, it is detected again
	// (Unconfirmed).
	Unsave(ctx context.Context, event string, src Source, userID string) (UnsaveOutcome, error)
	// Vote records a member's endorsement of an entry; voting twice counts
	// once, and a saver's vote is already counted. It reports whether the vote
	// is new.
	Vote(ctx context.Context, event string, entryID int64, userID string) (bool, error)
	// Unvote takes a member's vote back. It reports whether there was one.
	Unvote(ctx context.Context, event string, entryID int64, userID string) (bool, error)
	// EditSource applies an edit of a platform message to every entry that
	// holds its text, as answer or as question, and to what Search finds. It
	// returns how many entries changed.
	EditSource(ctx context.Context, event string, src Source, text string, at time.Time) (int, error)
	// DeleteSource applies the deletion of a platform message: an entry whose
	// answer it was is deleted; an entry whose question it was keeps its
	// answer without the question. It returns how many entries changed.
	DeleteSource(ctx context.Context, event string, src Source) (int, error)
	// WithdrawSource applies an edit that takes a platform message back
	// ("nvm", emptied): an entry whose answer it was is deleted; an entry
	// whose question it was keeps its answer without the question's text but
	// still linked to the message, so an edit restoring the question (through
	// EditSource) restores it there. It returns how many entries changed.
	WithdrawSource(ctx context.Context, event string, src Source) (int, error)
	// EntryBySource returns the entry saved from a message, ErrNotFound when
	// there is none.
	EntryBySource(ctx context.Context, src Source) (Entry, error)
	// Entry returns one entry by ID, ErrNotFound when there is none.
	Entry(ctx context.Context, id int64) (Entry, error)
	// Entries lists entries, newest first, savers included.
	Entries(ctx context.Context, p ListParams) ([]Entry, error)
	// EntriesHolding returns the entries that hold the message's text, as
	// answer or as question.
	EntriesHolding(ctx context.Context, src Source) ([]Entry, error)
	// QuestionAnswered reports whether an entry already holds the message as
	// its question.
	QuestionAnswered(ctx context.Context, src Source) (bool, error)
	// SetEntryTags replaces the members' tags of an entry (an edit added or
	// removed a #hashtag). It reports whether they changed.
	SetEntryTags(ctx context.Context, id int64, tags []string) (bool, error)
	// SetEntryKind changes what kind of knowledge an entry is. It reports
	// whether the kind changed.
	SetEntryKind(ctx context.Context, id int64, kind Kind) (bool, error)
	// SetEntryTerms replaces the distinctive terms of an entry (after its text
	// changed, say). It reports whether the entry exists.
	SetEntryTerms(ctx context.Context, id int64, terms []string) (bool, error)
	// DocFrequencies says in how many entries each term occurs (stemmed as
	// Stem does), and how many entries there are. Terms are words as Terms
	// returns them; anything else counts zero.
	DocFrequencies(ctx context.Context, terms []string) (map[string]int, int, error)
}

// RecallStore answers questions from the entries and keeps what members
// said of the answers.
type RecallStore interface {
	// Search returns exactly the top p.Limit entries (3 when zero, at most 50)
	// of the ranking in rank.go over every entry the asker may see (public
	// entries of p.From's space and p.Spaces, and p.From's own; or what
	// p.Audience sees), for the syntax ParseQuery reads. Ties go to the
	// higher ID. Hits carry their score and match spans. It never fails on
	// what a member typed; errors are the database's.
	Search(ctx context.Context, p SearchParams) ([]Hit, error)
	// RecordRecall remembers which entries a recall answer (the bot's posted
	// message msg) showed, in order, so that feedback on that message becomes
	// feedback on them. Recording the same message again changes nothing.
	RecordRecall(ctx context.Context, msg Source, entryIDs []int64) error
	// Feedback records a member's 👍 (helpful) or 👎 on a whole recall
	// answer (msg). It returns ErrNotFound when msg is not a recall answer
	// and reports whether the feedback is new. acted is when the member
	// reacted (zero: now): a member who asked to be forgotten at or after
	// it is not recorded (false, nil).
	Feedback(ctx context.Context, event string, msg Source, userID string, helpful bool, acted time.Time) (bool, error)
	// Unfeedback takes a member's 👍 or 👎 back. ErrNotFound when msg is not
	// a recall answer; it reports whether there was such feedback.
	Unfeedback(ctx context.Context, event string, msg Source, userID string, helpful bool) (bool, error)
	// EntryFeedback records a member's verdict on one entry of a recall
	// answer: helpful or not. A member has one verdict per entry: the same
	// verdict again changes nothing, the other one replaces it. It returns
	// ErrNotFound when msg is not a recall answer or did not show the entry,
	// and reports whether the verdict is new. acted is when the member
	// pressed (zero: now): a member who asked to be forgotten at or after
	// it is not recorded (false, nil).
	EntryFeedback(ctx context.Context, event string, msg Source, entryID int64, userID string, helpful bool, acted time.Time) (bool, error)
	// AnswerVerdicts returns the verdicts members hold on the entries of a
	// recall answer (the bot's posted message msg) and gave there, each entry
	// and verdict once, in the order the answer showed the entries, "This
	// helped" first. A member who changed a verdict holds only the latest,
	// and one given on another answer since counts there. It is what the
	// answer's buttons show as pressed; ErrNotFound when msg is not a recall
	// answer.
	AnswerVerdicts(ctx context.Context, msg Source) ([]Verdict, error)
	// AnswerEntries returns the entries a recall answer (the bot's posted
	// message msg) showed and that still exist, in the answer's order;
	// ErrNotFound when msg is not a recall answer.
	AnswerEntries(ctx context.Context, msg Source) ([]int64, error)
	// SetNudges turns similar-question nudges on or off for a channel.
	SetNudges(ctx context.Context, ch Channel, on bool) error
	// NudgesOn reports whether a channel opted in to nudges (off unless set).
	NudgesOn(ctx context.Context, ch Channel) (bool, error)
	// ClaimNudge records that the bot nudges in a thread, before it posts. It
	// reports false when the thread was nudged before: never twice per thread.
	ClaimNudge(ctx context.Context, event string, ch Channel, threadID string, at time.Time) (bool, error)
}

// AssociationStore keeps the counts word associations are computed from
// (what recall learns from saved question–answer pairs).
type AssociationStore interface {
	// LearnAssociation counts one question–answer pair of a public entry,
	// given by the keys of its question and of its answer (at most 64 of
	// each are counted). What a pair taught is taken back when its entry is
	// deleted (its message deleted, its author forgotten, its space
	// purged), when its question or answer changes, or when it becomes
	// private; keys no pair holds any more are removed. An entry that is
	// gone or private teaches nothing.
	LearnAssociation(ctx context.Context, entryID int64, question, answer []string) error
	// Associations reads the association counts a question with these keys
	// needs (at most 64 keys): each key's counts and its perKey most
	// frequent partners (at most 64) with theirs, as AssocCounts.For
	// computes them in memory.
	Associations(ctx context.Context, keys []string, perKey int) (AssocCounts, error)
}

// OpenQuestionStore keeps the questions nobody has answered yet.
type OpenQuestionStore interface {
	// AddOpenQuestion records a question nobody has answered yet (asked now
	// when AskedAt is zero). ErrTooLong over MaxTextBytes.
	AddOpenQuestion(ctx context.Context, q OpenQuestion) error
	// OpenQuestions lists a channel's open questions asked since the given
	// time, oldest first.
	OpenQuestions(ctx context.Context, ch Channel, since time.Time) ([]OpenQuestion, error)
	// CloseOpenQuestions removes the open questions asked by the given
	// messages of a channel and those with the given IDs. It returns how many
	// it closed.
	CloseOpenQuestions(ctx context.Context, ch Channel, messageIDs []string, ids []int64) (int, error)
	// KeepOpenQuestion keeps q (by its channel and message) as an open
	// question, in one transaction applied once per event: the open
	// question its message asked already is replaced, and it reports
	// whether there was one. A forgotten asker's earlier question is not
	// kept. ErrTooLong over MaxTextBytes; ErrAlreadyApplied for an event
	// applied before, which changes nothing (a redelivered 💡 does not
	// reopen a question its answer closed since).
	KeepOpenQuestion(ctx context.Context, event string, q OpenQuestion) (bool, error)
}

// DigestStore keeps digest schedules and the digests claimed per (channel,
// period): across every process sharing the store, a period is posted once.
type DigestStore interface {
	// SetDigestSchedule stores a channel's digest setting, replacing any
	// earlier one.
	SetDigestSchedule(ctx context.Context, d DigestSchedule) error
	// GetDigestSchedule returns the channel's own setting, or ErrNotFound when
	// it uses the default.
	GetDigestSchedule(ctx context.Context, ch Channel) (DigestSchedule, error)
	// DigestSchedules lists every channel's own setting, "off" ones included.
	DigestSchedules(ctx context.Context) ([]DigestSchedule, error)
	// ActiveChannels lists the channels that hold entries or open questions:
	// the ones that get a digest on the default schedule. Only platform, space
	// and ID are filled.
	ActiveChannels(ctx context.Context) ([]Channel, error)
	// ClaimDigestLease records that the caller (by) is about to post the
	// channel's digest for the period [start, end). It is not claimed when
	// the period is held by a live claimer, posted or skipped, or has failed
	// MaxDigestAttempts times. A claim still posting after lease belongs to a
	// process that died and is taken over; taking over counts as an attempt.
	// Of concurrent claimers of one period, exactly one wins.
	ClaimDigestLease(ctx context.Context, ch Channel, start, end time.Time, by string, lease time.Duration) (DigestClaim, error)
	// FinishDigest records how a claimed period ended.
	FinishDigest(ctx context.Context, ch Channel, end time.Time, o DigestOutcome) error
	// Digests lists a channel's digest records, newest period first.
	Digests(ctx context.Context, ch Channel, limit int) ([]DigestRecord, error)
	// DigestData reads the period [start, end) of one channel: only that
	// channel's entries and questions, private or not.
	DigestData(ctx context.Context, ch Channel, start, end time.Time, lim DigestLimits) (DigestData, error)
}

// InboxStore is the durable inbox: deliveries are committed before they are
// acknowledged, then applied from it, each once.
type InboxStore interface {
	// CommitInbox adds items and marks the items numbered done as applied, in
	// one transaction, and returns each added item's Seq (0 for a duplicate
	// delivery, already in the inbox). Seq grows with commit order.
	CommitInbox(ctx context.Context, items []InboxItem, done []int64) ([]int64, error)
	// PendingInbox returns up to limit items not applied yet with Seq above
	// after, in Seq order.
	PendingInbox(ctx context.Context, after int64, limit int) ([]InboxItem, error)
	// InboxDepth is how many items wait to be applied and when the oldest of
	// them arrived (zero when none).
	InboxDepth(ctx context.Context) (int64, time.Time, error)
	// PruneInbox forgets items applied before a time and returns how many.
	PruneInbox(ctx context.Context, before time.Time) (int64, error)
	// MarkApplied records a delivery that writes nothing else (a recall
	// answer, say) so that a redelivery is not answered twice. It returns
	// ErrAlreadyApplied the second time; an empty event is a no-op.
	MarkApplied(ctx context.Context, event string) error
	// PruneEvents forgets delivery IDs recorded before a time, and "forget
	// me" requests never confirmed asked before it, and returns how many
	// delivery IDs.
	PruneEvents(ctx context.Context, before time.Time) (int64, error)
}

// MessageLogStore keeps the short log of recent messages that detection
// reads, and detection's decisions.
type MessageLogStore interface {
	// LogMessage records a posted message. The event applies once; a message
	// logged before (another delivery of the same post) keeps its reactions
	// and takes the new text.
	LogMessage(ctx context.Context, event string, m LoggedMessage) error
	// LogReaction records (add) or takes back (!add) a reaction on a logged
	// message. A reaction on a message the log does not hold changes
	// nothing, nor does one added (at acted; zero: now) by a member who
	// asked to be forgotten at or after that time.
	LogReaction(ctx context.Context, src Source, userID, emoji string, add bool, acted time.Time) error
	// EditLoggedMessage applies an edit to the log. It reports whether the log
	// held the message.
	EditLoggedMessage(ctx context.Context, src Source, text string, at time.Time) (bool, error)
	// DeleteLoggedMessage removes a message and its reactions from the log. It
	// reports whether the log held it.
	DeleteLoggedMessage(ctx context.Context, src Source) (bool, error)
	// PruneMessages removes logged messages posted before a time.
	PruneMessages(ctx context.Context, before time.Time) (int64, error)
	// LoggedMessages returns a channel's logged messages, oldest first, with
	// their reactions.
	LoggedMessages(ctx context.Context, q MessageQuery) ([]LoggedMessage, error)
	// LoggedMessageBySource returns one logged message, ErrNotFound when the
	// log does not hold it.
	LoggedMessageBySource(ctx context.Context, src Source) (LoggedMessage, error)
	// DetectModeOf returns a channel's detection mode: DetectSuggest unless
	// set.
	DetectModeOf(ctx context.Context, ch Channel) (DetectMode, error)
	// SetDetectMode sets a channel's detection mode.
	SetDetectMode(ctx context.Context, ch Channel, mode DetectMode, by string) error
	// RecordDetection records a decision and returns its ID. It reports false,
	// changing nothing, when the conversation already has one.
	RecordDetection(ctx context.Context, d Detection) (int64, bool, error)
	// SetDetectionOutcome records what came of a decision: the suggestion
	// post or the saved entry (zero values leave a field as it is).
	SetDetectionOutcome(ctx context.Context, id int64, suggestionID string, entryID int64) error
	// ReviseDetection records what a later look at a decided conversation
	// found (an asker's "that fixed it" after an auto save): its kind,
	// score and reasons, which `why` gives. The action and its outcome stay.
	ReviseDetection(ctx context.Context, id int64, kind Kind, score float64, reasons []string) error
	// DetectionAbout finds the decision a message belongs to: as the
	// suggestion post, the conversation's opening, its question or its
	// answer. ErrNotFound when none.
	DetectionAbout(ctx context.Context, ch Channel, messageID string) (Detection, error)
	// SuggestionsSince counts the suggestions made in a channel since a time.
	SuggestionsSince(ctx context.Context, ch Channel, since time.Time) (int, error)
}

// CatchUpStore keeps where catch-up after downtime got to in each channel,
// so a pass cut short resumes from its checkpoint.
type CatchUpStore interface {
	// CatchUpChannels lists the channels of a platform whose messages the
	// log holds from since on, with their catch-up checkpoints (zero when
	// none was saved).
	CatchUpChannels(ctx context.Context, platform string, since time.Time) ([]CatchUpChannel, error)
	// SaveCatchUp records a channel's catch-up checkpoint, replacing the
	// one before.
	SaveCatchUp(ctx context.Context, c CatchUpChannel) error
	// AnswerFeedbackSince lists the recall answers the bot posted in a
	// channel since a time (RecordRecall), with the 👍/👎 members hold on
	// each, oldest first.
	AnswerFeedbackSince(ctx context.Context, ch Channel, since time.Time) ([]AnswerFeedback, error)
	// ActiveThreads lists the threads of a channel (their opening message
	// IDs) whose replies the log holds from since on, the most recently
	// replied first, at most limit: the older threads catch-up reads back.
	ActiveThreads(ctx context.Context, ch Channel, since time.Time, limit int) ([]string, error)
}

// PrivacyStore removes what members and communities took back. Nothing
// removed may remain readable through any method.
type PrivacyStore interface {
	// ForgetUser removes a member's words and traces: entries they
	// authored, questions they asked (the answers of others stay), their
	// saver records and votes, their open questions, their messages and
	// reactions in the message log and the detections about their exchanges;
	// the channel settings they made (digest schedules, detection modes)
	// stay, no longer naming them.
	ForgetUser(ctx context.Context, platform, userID string) (Forgotten, error)
	// ForgetUserWith is ForgetUser that also drops, from the entries whose
	// question the member asked, the tags questionTags says came from that
	// question, in the same transaction.
	ForgetUserWith(ctx context.Context, platform, userID string, questionTags func(question, answer string) []string) (Forgotten, error)
	// AskForget records a member's "forget me" awaiting its confirmation,
	// the request that asked and when, in place of an earlier one (the
	// same request again keeps its time). The forget removes it; requests
	// older than a day are dropped.
	AskForget(ctx context.Context, platform, userID string, r ForgetRequest) error
	// ForgetAsked returns the member's "forget me" awaiting confirmation,
	// ErrNotFound when none.
	ForgetAsked(ctx context.Context, platform, userID string) (ForgetRequest, error)
	// PurgeSpace removes everything kept from one workspace or guild: its
	// entries, open questions, message log and every per-channel setting and
	// record. The event applies once.
	PurgeSpace(ctx context.Context, event, platform, space string) (Purged, error)
}

// ForgetRequest is a "forget me" awaiting its confirmation: the request
// that asked (its key, so that a redelivery of it confirms nothing) and
// when.
type ForgetRequest struct {
	Request string
	At      time.Time
}

// WebStore serves the web page: reads under an Audience, the digest
// archive, sign-in links and sessions.
type WebStore interface {
	// BrowseEntries lists the entries the audience may see that the filters
	// select, savers included, and reports whether more follow.
	BrowseEntries(ctx context.Context, a Audience, b Browse) ([]Entry, bool, error)
	// VisibleEntry returns one entry if the audience may see it; ErrNotFound
	// otherwise, the same answer as for an entry that does not exist.
	VisibleEntry(ctx context.Context, a Audience, id int64) (Entry, error)
	// WebOverview reads the home page's figures as of now: totals, top tags
	// and kinds, contributors since monthStart, and weeks of growth and
	// recall use.
	WebOverview(ctx context.Context, a Audience, now, monthStart time.Time, weeks int) (Overview, error)
	// VisibleOpenQuestions lists the open questions the audience may see,
	// newest first, and reports whether more follow.
	VisibleOpenQuestions(ctx context.Context, a Audience, limit, offset int) ([]OpenQuestion, bool, error)
	// PrivateChannels lists the private channels and DMs of a platform that
	// hold anything the web page shows.
	PrivateChannels(ctx context.Context, platform string) ([]Channel, error)
	// RecordRecallUse counts one recall question asked in a channel and
	// whether anything answered it. No text, no asker.
	RecordRecallUse(ctx context.Context, ch Channel, answered bool, at time.Time) error
	// ArchiveDigest keeps a posted digest's text for the web page's archive.
	ArchiveDigest(ctx context.Context, d ArchivedDigest) (int64, error)
	// ArchivedDigests lists the digests the audience may see, newest first,
	// and reports whether more follow.
	ArchivedDigests(ctx context.Context, a Audience, limit, offset int) ([]ArchivedDigest, bool, error)
	// AddSignInToken records a one-time sign-in link for a member until
	// expires. The token is not stored as given. ErrForgotten, recording
	// nothing, when the member asked to be forgotten at or after m.Asked
	// (a request still pending at the forget gives no link).
	AddSignInToken(ctx context.Context, token string, m WebMember, expires time.Time) error
	// RedeemSignInToken spends a sign-in link: the token is deleted (it works
	// once) and a session for its member is created under the session token
	// given, until sessionExpires. ErrExpired when the link is unknown, used
	// or past its time.
	RedeemSignInToken(ctx context.Context, token, session string, sessionExpires time.Time) (WebMember, error)
	// Session returns the member a session signs in; ErrExpired when it is
	// unknown, ended or past its time.
	Session(ctx context.Context, session string) (WebMember, error)
	// EndSession signs a browser out.
	EndSession(ctx context.Context, session string) error
}

// BulkStore imports and exports whole repertoires: the lossless JSON
// interchange format (repertoire/interchange) and migrate-store rest on it.
type BulkStore interface {
	// ImportBatch writes many records and open questions in one transaction
	// and marks the unit finished in it: all of the batch or none. Entries
	// upsert by source, so importing the same records twice changes nothing.
	ImportBatch(ctx context.Context, b Batch) (BatchResult, error)
	// FinishedUnits returns the units of an import already written, so a
	// rerun skips them.
	FinishedUnits(ctx context.Context, importID string) (map[string]bool, error)
	// Export calls fn with every selected entry, complete with savers and
	// voters, in a stable order (platform, space, channel, creation, source),
	// reading one consistent snapshot: two exports of equal stores are equal.
	Export(ctx context.Context, p ExportParams, fn func(Record) error) error
	// ExportOpenQuestions calls fn with every selected open question in a
	// stable order (platform, space, channel, time asked, id).
	ExportOpenQuestions(ctx context.Context, p ExportParams, fn func(OpenQuestion) error) error
	// Optimize brings the search structures up to date after a large change
	// (an import); it changes no entry.
	Optimize(ctx context.Context) error
}

// OpsStore is what operating the bot needs of the store: health, counts,
// locks for single-replica jobs and the nature of errors.
type OpsStore interface {
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// CanWrite checks that a write transaction can begin and commit now.
	CanWrite(ctx context.Context) error
	// Stats counts what the store holds.
	Stats(ctx context.Context) (Stats, error)
	// EntryCounts returns the entry counts by kind, visibility and status,
	// without reading every entry (metrics read it on every scrape).
	EntryCounts(ctx context.Context) ([]EntryCount, error)
	// TryLock takes the named lock for a job that must run on one replica at
	// a time (LockRetention, LockDigests, LockCatchUp + ":" + platform). ok is false, with no
	// error, when another holder has it: skip the job this round. When ok,
	// release gives the lock back (calling it again does nothing). A holder
	// that dies loses the lock, so another replica can take it.
	TryLock(ctx context.Context, name string) (release func(), ok bool, err error)
	// Transient reports whether err, returned by one of this store's methods,
	// means the database was busy: the same call may succeed if tried again.
	Transient(err error) bool
	// Close releases the store's connections.
	Close() error
}

// Names of the single-replica jobs' locks (Store.TryLock).
const (
	LockRetention = "retention"
	LockCatchUp   = "catchup"
	LockDigests   = "digests"
)
