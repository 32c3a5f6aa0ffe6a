// Package bot is Repertoire's platform-neutral core: the events adapters
// deliver, the Platform interface they implement, and the Bot that turns
// reactions and mentions into repertoire entries (capture), answers questions
// from them (recall), handles member commands and posts each channel's
// digest once per period (digest.go composes, scheduler.go decides when).
// It never imports a chat SDK; it stores through repertoire.Store, the store
// contract, whichever store cmd/ opened.
package bot
