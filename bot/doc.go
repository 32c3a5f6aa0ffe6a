// Package bot is Repertoire's platform-neutral core: the events adapters
// deliver, the Platform interface they implement, and the Bot that turns
// reactions and mentions into repertoire entries (capture), answers questions
// from them (recall) and handles member commands. It never imports a chat
// SDK; it stores through *repertoire.Store.
package bot
