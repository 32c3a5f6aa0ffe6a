// Package repertoire owns the community's stored knowledge as the rest of
// the program sees it: the domain types (entries, savers and votes, open
// questions, digest schedules and claims, the inbox, the message log), the
// store's contract (Store, in contract.go) and the pure logic every store
// shares: the query syntax (query.go), tokenising and stemming (stem.go),
// the ranking (rank.go), match spans (snippet.go) and input validation.
//
// The stores themselves live beneath it, one package per technology:
// repertoire/sqlite (the default, one file) and repertoire/postgres. Both
// pass the conformance suite in repertoire/storetest.
package repertoire
