package repertoire

import "slices"

// Sees reports whether the asker p describes may be shown what was kept
// from channel ch (an entry, an open question): the privacy rule of
// Search, written once in Go. Stores apply it in their queries; the
// conformance suite checks their results against it.
//
// A channel sees its platform's public entries of its own space and of
// Spaces, and the entries of its own channel, private or not. Without a
// platform (the terminal) only public entries are seen. An Audience
// replaces From and Spaces.
func (p SearchParams) Sees(ch Channel) bool {
	if p.Audience != nil {
		return p.Audience.Sees(ch)
	}
	if p.From.Platform == "" {
		return !ch.Private
	}
	if ch.Platform != p.From.Platform {
		return false
	}
	if ch.Space == p.From.Space && (!ch.Private || ch.ID == p.From.ID) {
		return true
	}
	return !ch.Private && slices.Contains(p.Spaces, ch.Space)
}

// Sees reports whether the audience may be shown what was kept from
// channel ch: the public channels of its Spaces on its Platform and the
// private Channels listed; Anyone sees every public channel; the zero
// Audience sees nothing.
func (a Audience) Sees(ch Channel) bool {
	if a.Anyone {
		return !ch.Private
	}
	if a.Platform == "" || ch.Platform != a.Platform {
		return false
	}
	if !ch.Private {
		return slices.Contains(a.Spaces, ch.Space)
	}
	return slices.ContainsFunc(a.Channels, func(c Channel) bool { return c.Space == ch.Space && c.ID == ch.ID })
}
