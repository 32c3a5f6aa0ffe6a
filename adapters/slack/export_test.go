package slack

// SplitMrkdwn is splitMrkdwn, for the external tests.
var SplitMrkdwn = splitMrkdwn
