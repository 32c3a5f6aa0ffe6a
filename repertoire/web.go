package repertoire

import (
	"errors"
	"time"
)

// Audience is who is looking at the repertoire outside a channel (the web
// page): they see the public entries of Spaces on Platform, and the private
// entries of Channels, which the core checked with the platform. The zero
// Audience sees nothing; Anyone sees every public entry. Sees is the rule;
// stores apply it inside their queries.
type Audience struct {
	Platform string
	Spaces   []string
	// Channels are the private channels and DMs of Platform the viewer
	// belongs to (Space and ID count).
	Channels []Channel
	// Anyone sees the public entries of every space and nothing private:
	// a signed-out visitor where the web page is public.
	Anyone bool
}

// Browse selects entries for a page: one filter at most of each sort.
type Browse struct {
	Tag     string // entries tagged so
	Channel string // entries saved in that channel (ID)
	Member  string // entries the member wrote or saved (ID)
	Kind    Kind
	Useful  bool // most endorsed first (votes, then 👍 less 👎), else newest first
	Since   time.Time
	Limit   int // 20 when zero, at most 100
	Offset  int
}

// Count is a name and how often it occurs.
type Count struct {
	Name string
	N    int
}

// WeekCount is one week's counts by series (kinds, or asked/answered).
type WeekCount struct {
	Week   time.Time // Monday 00:00 UTC
	Counts map[string]int
}

// Overview is what the home page summarises, all under one audience.
type Overview struct {
	Entries      int
	TopTags      []Count
	Kinds        []Count
	Contributors []Contributor // since the start of the month
	Growth       []WeekCount   // entries per week by kind
	Recall       []WeekCount   // "asked", "answered", "unanswered" per week
}

// ArchivedDigest is a digest as the bot posted it.
type ArchivedDigest struct {
	ID         int64
	Channel    Channel
	Start, End time.Time
	MessageID  string
	Text       string
	PostedAt   time.Time
	// People are the members (IDs) the digest names or quotes; forgetting
	// one of them removes the digest from the archive.
	People []string
}

// WebMember is who a sign-in link or session is for.
type WebMember struct {
	Platform string
	Space    string
	Spaces   []string // more spaces whose public entries they may see
	ID       string
	Name     string
	// Asked is when the member asked for a sign-in link (AddSignInToken;
	// zero: now). Nothing else reads it.
	Asked time.Time
}

// ErrExpired means a sign-in link or session is past its time, used, or
// ended; it signs nobody in.
var ErrExpired = errors.New("expired or already used")
