package main

import (
	"context"
	"fmt"
	"time"

	"github.com/repertoire/repertoire/repertoire"
	"github.com/repertoire/repertoire/repertoire/storeopen"
)

// sqliteOnly refuses a command that works on the SQLite file when
// REPERTOIRE_DB names a PostgreSQL server, and says what to use instead.
func sqliteOnly(cfg Config, command string) error {
	if !storeopen.IsPostgres(cfg.DB) {
		return nil
	}
	return fmt.Errorf("%s works on an SQLite file, and REPERTOIRE_DB names a PostgreSQL server (%s): "+
		"use PostgreSQL's own tools (pg_dump -Fc to back up, pg_restore to restore), or copy the repertoire with repertoire migrate-store",
		command, storeopen.Redact(cfg.DB))
}

// doctorServerDatabase checks a database server: it answers, takes a
// write, and its schema is current (opening migrates a fresh one).
func doctorServerDatabase(ctx context.Context, cfg Config, add func(bool, string, string)) repertoire.Store {
	name := storeopen.Redact(cfg.DB)
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	store, err := storeopen.Open(ctx, cfg.DB, nil)
	if err != nil {
		add(false, fmt.Sprintf("database: %v", err), "check REPERTOIRE_DB (host, port, database, user, password, sslmode) and that this host reaches the server")
		return nil
	}
	if err := store.Ping(ctx); err != nil {
		add(false, fmt.Sprintf("database %s: %v", name, err), "check that the server is up and reachable")
		store.Close()
		return nil
	}
	if err := store.CanWrite(ctx); err != nil {
		add(false, fmt.Sprintf("database %s: %v", name, err), "the user needs to write: check its grants, and that the server is not a read-only replica")
		store.Close()
		return nil
	}
	add(true, fmt.Sprintf("database %s answers and takes writes", name), "")
	return store
}
