package main

import (
	"os"
	"testing"

	"github.com/repertoire/repertoire/repertoire/postgres/pgtest"
)

// TestMain stops the throw-away PostgreSQL cluster the tests may start.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
