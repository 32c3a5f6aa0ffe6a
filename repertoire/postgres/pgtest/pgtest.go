// Package pgtest gives tests a real PostgreSQL: a throw-away cluster started
// once per test binary from the server binaries Debian installs under
// /usr/lib/postgresql/*/bin (on a Unix socket in a temporary directory, no
// TCP), or the server named by REPERTOIRE_TEST_POSTGRES when it is set.
// Each test gets a fresh database of its own.
//
// A package that uses it calls Main from its TestMain, so the cluster is
// stopped and removed when the tests end:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// On a machine without PostgreSQL, DB skips the test and says why, unless
// REPERTOIRE_REQUIRE_POSTGRES=1 (CI sets it), where it fails instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Environment variables the helper reads.
const (
	// EnvServer names an existing server (a postgres:// URL whose user may
	// create databases); no cluster is started then.
	EnvServer = "REPERTOIRE_TEST_POSTGRES"
	// EnvRequire makes a missing PostgreSQL a test failure, not a skip.
	EnvRequire = "REPERTOIRE_REQUIRE_POSTGRES"
)

// server is the one PostgreSQL of this test binary. A test binary is one
// process and its tests share the cluster, so this state is per process by
// design (started by the first test that asks, stopped by Main).
var server struct {
	once    sync.Once
	admin   string // URL of the maintenance database
	reason  string // why there is no server, when there is none
	dir     string // the throw-away cluster's directory
	proc    *exec.Cmd
	stopped chan struct{}
	mu      sync.Mutex
	n       int
	// templates are databases prepared once (migrated, say) that DBFrom
	// copies: CREATE DATABASE … TEMPLATE is much faster than migrating.
	templates map[string]*template
}

type template struct {
	once sync.Once
	name string
	err  error
}

// Main runs the tests and then stops and removes the cluster, if one was
// started. Use it as TestMain's body: os.Exit(pgtest.Main(m)).
func Main(m *testing.M) int {
	code := m.Run()
	stop()
	return code
}

// DB creates an empty database for the calling test and returns its URL.
// On a server REPERTOIRE_TEST_POSTGRES names, the database is dropped when
// the test ends; a throw-away cluster is removed whole at the end.
func DB(t testing.TB) string {
	t.Helper()
	return create(t, "")
}

// DBFrom creates a database for the calling test as a copy of the template
// named key, which prepare builds once per test binary (the first time it
// is asked for) from an empty database: a store's migrations, say. The
// copy is dropped when the test ends.
func DBFrom(t testing.TB, key string, prepare func(ctx context.Context, url string) error) string {
	t.Helper()
	available(t)
	server.mu.Lock()
	if server.templates == nil {
		server.templates = map[string]*template{}
	}
	tp := server.templates[key]
	if tp == nil {
		tp = &template{}
		server.templates[key] = tp
	}
	server.mu.Unlock()
	tp.once.Do(func() {
		tp.name = fmt.Sprintf("tpl_%d_%s", os.Getpid(), randomHex(4))
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if tp.err = adminExec(ctx, `CREATE DATABASE `+tp.name); tp.err != nil {
			return
		}
		tp.err = prepare(ctx, dbURL(tp.name))
		if tp.err == nil {
			// A template must have no other session when it is copied.
			tp.err = adminExec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '`+tp.name+`'`)
		}
	})
	if tp.err != nil {
		t.Fatalf("pgtest: template %s: %v", key, tp.err)
	}
	return create(t, tp.name)
}

func dbURL(name string) string {
	u, _ := url.Parse(server.admin) // parsed when the server was found
	u.Path = "/" + name
	return u.String()
}

// available skips (or fails) the test when there is no server.
func available(t testing.TB) {
	t.Helper()
	server.once.Do(start)
	if server.admin == "" {
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("PostgreSQL is required (%s=1) but not available: %s", EnvRequire, server.reason)
		}
		t.Skipf("PostgreSQL half skipped: %s", server.reason)
	}
}

func create(t testing.TB, template string) string {
	t.Helper()
	available(t)
	server.mu.Lock()
	server.n++
	name := fmt.Sprintf("t_%d_%d_%s", os.Getpid(), server.n, randomHex(4))
	server.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	create := `CREATE DATABASE ` + name
	if template != "" {
		create += ` TEMPLATE ` + template
	}
	if err := adminExec(ctx, create); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	if server.dir != "" {
		// The throw-away cluster goes whole at the end: dropping each
		// database (a checkpoint each) would only cost time.
		return dbURL(name)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adminExec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Logf("pgtest: drop database %s: %v", name, err)
		}
	})
	return dbURL(name)
}

// Available reports whether tests can have a database, and why not.
func Available() (bool, string) {
	server.once.Do(start)
	return server.admin != "", server.reason
}

func adminExec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, server.admin)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return hex.EncodeToString(b)
}

// start finds or starts the server; on failure it leaves the reason.
func start() {
	if u := os.Getenv(EnvServer); u != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		server.admin = u
		if err := adminExec(ctx, `SELECT 1`); err != nil {
			server.admin = ""
			server.reason = fmt.Sprintf("%s is set but the server does not answer: %v", EnvServer, err)
		}
		return
	}
	bin, err := binDir()
	if err != nil {
		server.reason = err.Error()
		return
	}
	if err := startCluster(bin); err != nil {
		server.reason = err.Error()
		stop()
	}
}

// binDir is the newest PostgreSQL's bin directory under /usr/lib/postgresql.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	var ok []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "postgres")); err == nil {
			ok = append(ok, d)
		}
	}
	if len(ok) == 0 {
		return "", fmt.Errorf("no PostgreSQL server under /usr/lib/postgresql/*/bin (install the postgresql package, or set %s to a server's URL)", EnvServer)
	}
	sort.Slice(ok, func(i, j int) bool { return version(ok[i]) > version(ok[j]) })
	return ok[0], nil
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// startCluster runs initdb and postgres in a new temporary directory. As
// root (CI), both run as the postgres system user, since PostgreSQL refuses
// to run as root. The server is a child of this process that dies with it
// (Pdeathsig), so a killed test binary leaves no server behind.
func startCluster(bin string) error {
	var cred *syscall.Credential
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return fmt.Errorf("running as root, and PostgreSQL refuses root: no postgres system user to run it as (%v)", err)
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	// A short path: the socket's full name must fit in 107 bytes.
	base := os.TempDir()
	if len(base) > 40 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "pgtest-")
	if err != nil {
		return fmt.Errorf("cluster directory: %w", err)
	}
	server.dir = dir
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			return fmt.Errorf("cluster directory: %w", err)
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v: %s", err, strings.TrimSpace(string(out)))
	}
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return fmt.Errorf("server log: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir, "-c", "listen_addresses=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=64MB")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	server.proc = cmd
	server.stopped = make(chan struct{})
	go func() { _ = cmd.Wait(); close(server.stopped) }()

	admin := (&url.URL{Scheme: "postgres", User: url.User("postgres"), Host: "", Path: "/postgres",
		RawQuery: url.Values{"host": {dir}, "sslmode": {"disable"}}.Encode()}).String()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		server.admin = admin
		err := adminExec(ctx, `SELECT 1`)
		cancel()
		if err == nil {
			return nil
		}
		server.admin = ""
		select {
		case <-server.stopped:
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return fmt.Errorf("postgres exited at start: %s", strings.TrimSpace(string(log)))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return errors.New("postgres did not accept connections within 60 s")
		}
	}
}

// stop shuts the cluster down (fast shutdown, then immediate) and removes
// its directory.
func stop() {
	if server.admin != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		for _, tp := range server.templates {
			if tp.name != "" {
				_ = adminExec(ctx, `DROP DATABASE IF EXISTS `+tp.name+` WITH (FORCE)`)
			}
		}
		cancel()
	}
	if server.proc != nil && server.proc.Process != nil {
		_ = server.proc.Process.Signal(syscall.SIGINT)
		select {
		case <-server.stopped:
		case <-time.After(20 * time.Second):
			_ = server.proc.Process.Signal(syscall.SIGQUIT)
			<-server.stopped
		}
		server.proc = nil
	}
	if server.dir != "" {
		_ = os.RemoveAll(server.dir)
		server.dir = ""
	}
}
