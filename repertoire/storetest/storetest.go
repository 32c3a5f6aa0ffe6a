// Package storetest is the store contract's conformance suite: every
// behaviour repertoire.Store promises, as subtests that any implementation
// runs from its own tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) repertoire.Store { return openTestStore(t) })
//	}
//
// The suite talks to the store through the contract only (no SQL), so the
// SQLite and the PostgreSQL stores are held to the same words.
package storetest

import (
	"testing"

	"github.com/repertoire/repertoire/repertoire"
)

// Opener returns a new, empty store for one subtest, closed by the opener
// when the test ends (t.Cleanup).
type Opener func(t *testing.T) repertoire.Store

// Run runs every subtest of the suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

var cases = []struct {
	name string
	fn   func(*testing.T, Opener)
}{
	// The inbox and applied deliveries.
	{"InboxCommitPendingOrder", testInboxCommitPendingOrder},
	{"InboxConcurrentCommits", testInboxConcurrentCommits},
	{"AppliedEventsOnce", testAppliedEventsOnce},
	// Single-replica jobs.
	{"TryLock", testTryLock},
	// Entries: capture, votes, the source's edits and deletion, counts.
	{"EntryCountsFollowWrites", testEntryCountsFollowWrites},
	{"SaveVoteUnsave", testSaveVoteUnsave},
	{"VoteOncePerMember", testVoteOncePerMember},
	{"EditAndDeleteSource", testEditAndDeleteSource},
	{"WithdrawSource", testWithdrawSource},
	// Recall: syntax, ranking, ties, visibility, feedback.
	{"SearchStemsAndSnippets", testSearchStemsAndSnippets},
	{"SearchNeverErrorsOnUserText", testSearchNeverErrorsOnUserText},
	{"RecallNeverErrorsOnSyntaxMisuse", testRecallNeverErrorsOnSyntaxMisuse},
	{"RecallRanking", testRecallRanking},
	{"LongQuestionKeepsItsSubject", testLongQuestionKeepsItsSubject},
	{"RecallVotesFeedbackRecency", testRecallVotesFeedbackRecency},
	{"PrivateEntriesStayInTheirChannel", testPrivateEntriesStayInTheirChannel},
	{"PrivateNeverLeaks", testPrivateNeverLeaks},
	{"VisibilityIsTheRule", testVisibilityIsTheRule},
	{"SearchFromADirectMessageWithSpaces", testSearchFromADirectMessageWithSpaces},
	{"FeedbackCounts", testFeedbackCounts},
	{"EntryFeedback", testEntryFeedback},
	{"AnswerVerdicts", testAnswerVerdicts},
	{"NudgeState", testNudgeState},
	// Word associations learned from saved pairs.
	{"AssociationsMatchInMemoryCounts", testAssociationsMatchInMemoryCounts},
	{"AssociationsForgetWhatTheirEntriesTaught", testAssociationsForgetWhatTheirEntriesTaught},
	// Digests: periods, schedules, claims.
	{"DigestDataIsThePeriodOfOneChannel", testDigestDataIsThePeriodOfOneChannel},
	{"DigestDataDetectedAndFeedback", testDigestDataDetectedAndFeedback},
	{"RediscoverRotates", testRediscoverRotates},
	{"DigestSchedules", testDigestSchedules},
	{"ClaimDigestOncePerPeriod", testClaimDigestOncePerPeriod},
	{"DigestLeaseTakeover", testDigestLeaseTakeover},
	// Open questions.
	{"OpenQuestions", testOpenQuestions},
	{"KeepOpenQuestion", testKeepOpenQuestion},
	// The message log, detection and tagging's document frequencies.
	{"MessageLogFollowsEditsDeletesAndRetention", testMessageLogFollowsEditsDeletesAndRetention},
	{"LoggedMessagesOfAThread", testLoggedMessagesOfAThread},
	{"DetectModesAndDecisions", testDetectModesAndDecisions},
	{"DocFrequenciesStemLikeTheIndex", testDocFrequenciesStemLikeTheIndex},
	{"DocFrequenciesFollowEveryChange", testDocFrequenciesFollowEveryChange},
	{"TermsGoWhenTheirTextChangesOrIsForgotten", testTermsGoWhenTheirTextChangesOrIsForgotten},
	{"CatchUpCheckpoints", testCatchUpCheckpoints},
	{"PurgeSpaceForgetsCatchUp", testPurgeSpaceForgetsCatchUp},
	{"CatchUpReadsAnswersAndThreads", testCatchUpReadsAnswersAndThreads},
	// Privacy: forget a member, purge a space.
	{"ForgetUserLeavesNoText", testForgetUserLeavesNoText},
	{"ForgetUserLeavesSettingsUnnamed", testForgetUserLeavesSettingsUnnamed},
	{"ArchivedDigestsWithdrawWhatWasTakenBack", testArchivedDigestsWithdrawWhatWasTakenBack},
	{"UnsaveOfAConfirmedDetectionUnconfirmsIt", testUnsaveOfAConfirmedDetectionUnconfirmsIt},
	{"ForgetUserClearsTheMessageLog", testForgetUserClearsTheMessageLog},
	{"ForgottenWordsStayForgotten", testForgottenWordsStayForgotten},
	{"ForgottenActsStayForgotten", testForgottenActsStayForgotten},
	{"SignInAskedBeforeForget", testSignInAskedBeforeForget},
	{"ForgetRequestsAwaitConfirmation", testForgetRequestsAwaitConfirmation},
	{"PurgeSpace", testPurgeSpace},
	// The web page: counts and reads under an audience.
	{"WebCountsFollowEntries", testWebCountsFollowEntries},
	{"ArchivedDigestsUnderAudience", testArchivedDigestsUnderAudience},
	{"SignInTokensAndSessions", testSignInTokensAndSessions},
	// Bulk: imports.
	{"ImportBatch", testImportBatch},
	{"ExportImportRoundTrip", testExportImportRoundTrip},
}
