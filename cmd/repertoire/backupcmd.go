package main

import (
	"context"
	"fmt"
	"io"

	"github.com/repertoire/repertoire/repertoire/sqlite"
)

// backupCommand writes a consistent copy of the live database, while the
// bot runs:
//
//	repertoire backup [-db FILE] BACKUP.db
func backupCommand(ctx context.Context, args []string, cfg Config, stdout, stderr io.Writer) error {
	fs := flags("backup", &cfg, stderr)
	files, err := parseArgs(fs, args, stdout, false)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return fmt.Errorf("%w: backup takes one file to write, e.g. repertoire backup /backups/repertoire-$(date +%%F).db", errUsage)
	}
	if err := sqliteOnly(cfg, "backup"); err != nil {
		return err
	}
	store, err := sqlite.Open(ctx, cfg.DB, nil)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Backup(ctx, files[0]); err != nil {
		return err
	}
	info, err := sqlite.CheckBackup(ctx, files[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %s, schema %d, integrity ok\n", cfg.DB, files[0], entriesCount(info.Entries), info.Schema)
	return nil
}

// restoreCommand puts a backup in place of the database, with the bot
// stopped:
//
//	repertoire restore [-db FILE] BACKUP.db
func restoreCommand(ctx context.Context, args []string, cfg Config, stdout, stderr io.Writer) error {
	fs := flags("restore", &cfg, stderr)
	files, err := parseArgs(fs, args, stdout, false)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return fmt.Errorf("%w: restore takes the backup file to restore, e.g. repertoire restore /backups/repertoire-2026-11-27.db", errUsage)
	}
	if err := sqliteOnly(cfg, "restore"); err != nil {
		return err
	}
	info, err := sqlite.CheckBackup(ctx, files[0])
	if err != nil {
		return fmt.Errorf("restore: %s: %w (nothing changed)", files[0], err)
	}
	kept, err := sqlite.Restore(ctx, files[0], cfg.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s: %s, schema %d\n", cfg.DB, files[0], entriesCount(info.Entries), info.Schema)
	if kept != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept as %s\n", kept)
	}
	return nil
}
