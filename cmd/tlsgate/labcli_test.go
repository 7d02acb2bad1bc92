package main

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/admin"
	"github.com/tlsgate/tlsgate/lab"
)

// syncBuffer is a strings.Builder that serveLab's goroutine writes and
// the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runningLab is a lab serving in this process until the test ends.
type runningLab struct {
	base    int
	opts    lab.Options
	placed  []lab.Placed
	table   *syncBuffer
	logFile string
}

// startLab serves the named scenarios, with the admin API on a port the
// kernel chooses, and returns once the table is printed (everything is
// bound). A port taken between freeBase and the bind is retried.
func startLab(t *testing.T, only string) *runningLab {
	t.Helper()
	dir := t.TempDir()
	for attempt := 1; ; attempt++ {
		r, err := tryLab(t, only, filepath.Join(dir, "lab-"+strconv.Itoa(attempt)+".log"), filepath.Join(dir, "ca"))
		if err == nil {
			return r
		}
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatalf("the lab ended before it was bound: %v", err)
		}
	}
}

// tryLab is one start-up of startLab: the lab running, or why it stopped.
func tryLab(t *testing.T, only, logFile, caDir string) (*runningLab, error) {
	t.Helper()
	base := freeBase(t, only)
	placed, err := lab.Place(lab.Catalog(), []string{only}, base)
	if err != nil {
		t.Fatal(err)
	}
	r := &runningLab{base: base, placed: placed, table: &syncBuffer{}, logFile: logFile}
	r.opts = lab.Options{BasePort: base, CADir: caDir, LogFile: logFile, Admin: "127.0.0.1:0"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveLab(ctx, placed, r.opts, r.table, io.Discard) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(r.table.String(), "Ctrl-C stops.") {
		select {
		case err := <-done:
			cancel()
			if err == nil {
				err = errors.New("serveLab returned before the table, without an error")
			}
			return nil, err
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("the lab printed no table in 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the lab's shutdown: %v", err)
		}
	})
	return r, nil
}

// waitLog waits until the lab's log holds want, and returns the log.
func (r *runningLab) waitLog(t *testing.T, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(r.logFile)
		if strings.Contains(string(b), want) {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lab's log never showed %q:\n%s", want, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestLabServesItsAdminAPIByDefault: README's class runs plain `tlsgate
// lab` and switches faults from the live view on 8474, which the lab did
// not serve without --admin, so `tlsgate fault` reached another instance
// or nothing.
func TestLabServesItsAdminAPIByDefault(t *testing.T) {
	var out strings.Builder
	if err := cmdLab([]string{"--help"}, &out, io.Discard); err != errHelp {
		t.Fatalf("lab --help = %v", err)
	}
	if want := `(default "` + admin.DefaultListen + `")`; !strings.Contains(out.String(), want) {
		t.Errorf("lab --admin's default is not %s:\n%s", admin.DefaultListen, out.String())
	}
}

// TestLabTableNamesItsAdminAPI: the table says where the live view is and
// how `tlsgate fault` reaches it, and its footer points at the docs that
// explain the scenarios, not at --list's one line each.
func TestLabTableNamesItsAdminAPI(t *testing.T) {
	placed, err := lab.Place(lab.Catalog(), []string{"expired"}, lab.DefaultBasePort)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ admin, want string }{
		{admin.DefaultListen, "live view and admin API: http://127.0.0.1:8474/ (tlsgate fault ls)"},
		{"127.0.0.1:19280", "live view and admin API: http://127.0.0.1:19280/ (tlsgate fault ls --admin http://127.0.0.1:19280)"},
	} {
		var b strings.Builder
		printTable(&b, placed, lab.Options{BasePort: lab.DefaultBasePort, CADir: "/ca", Admin: tt.admin})
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("admin %s: the table does not say %q:\n%s", tt.admin, tt.want, b.String())
		}
		if strings.Contains(b.String(), "--list` explains") || !strings.Contains(b.String(), "docs/scenarios.md") {
			t.Errorf("the footer does not point at the scenarios' explanations:\n%s", b.String())
		}
	}
}

// TestLabBusyPortErrorNamesTheFlag: a taken scenario port or admin
// address used to fail with "config: DIR/lab.toml:24:1: …", a file that
// does not exist, and no word of the flag that moves the port.
func TestLabBusyPortErrorNamesTheFlag(t *testing.T) {
	const only = "default-cert-no-sni"
	dir := t.TempDir()
	t.Run("scenario port", func(t *testing.T) {
		base := freeBase(t, only)
		placed, err := lab.Place(lab.Catalog(), []string{only}, base)
		if err != nil {
			t.Fatal(err)
		}
		port := placed[0].Port
		ln, err := net.Listen("tcp", net.JoinHostPort(lab.Host, strconv.Itoa(port)))
		if err != nil {
			t.Skipf("port %d: %v", port, err)
		}
		defer ln.Close()
		err = cmdLab([]string{"--only", only, "--base-port", strconv.Itoa(base), "--admin", "off",
			"--ca-dir", filepath.Join(dir, "ca1"), "--log-file", filepath.Join(dir, "1.log")}, io.Discard, io.Discard)
		if err == nil {
			t.Fatal("the lab started on a taken port")
		}
		for _, want := range []string{strconv.Itoa(port), "scenario " + only, "--base-port", "address already in use"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the error does not name %q: %v", want, err)
			}
		}
		if strings.Contains(err.Error(), "lab.toml") {
			t.Errorf("the error names the generated lab.toml, which does not exist: %v", err)
		}
	})
	t.Run("admin address", func(t *testing.T) {
		taken := takenAddr(t)
		err := cmdLab([]string{"--only", only, "--base-port", strconv.Itoa(freeBase(t, only)), "--admin", taken,
			"--ca-dir", filepath.Join(dir, "ca2"), "--log-file", filepath.Join(dir, "2.log")}, io.Discard, io.Discard)
		if err == nil {
			t.Fatal("the lab started on a taken admin address")
		}
		for _, want := range []string{taken, "--admin", "address already in use"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the error does not name %q: %v", want, err)
			}
		}
		if strings.Contains(err.Error(), "lab.toml") {
			t.Errorf("the error names the generated lab.toml, which does not exist: %v", err)
		}
	})
}

// TestLabClientResolve: a Go client against waf-sni-reset's
// www.blocked.test, a name that resolves nowhere; --resolve sends the
// connection to the lab and the name as SNI, as curl's does, so the
// scenario's reset shows instead of "no such host".
func TestLabClientResolve(t *testing.T) {
	r := startLab(t, "waf-sni-reset")
	port := strconv.Itoa(r.placed[0].Port)
	url := "https://www.blocked.test:" + port + "/"
	err := cmdLabClient([]string{"--cacert", r.opts.CAFile(), "--resolve", "www.blocked.test:" + port + ":127.0.0.1", url}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "connection reset by peer") {
		t.Errorf("lab client --resolve against waf-sni-reset = %v, want the scenario's reset", err)
	}
	r.waitLog(t, "fault_injected")

	for _, bad := range []string{"www.blocked.test:" + port, "www.blocked.test:x:127.0.0.1", "www.blocked.test:" + port + ":nowhere"} {
		err := cmdLabClient([]string{"--resolve", bad, url}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "--resolve") {
			t.Errorf("--resolve %q = %v, want an error naming --resolve", bad, err)
		}
	}
}

// TestLabExerciseOneLargeHello: README's exercise 1 holds: on
// large-client-hello the Go client's default, post-quantum hello is reset
// and the same client with --classic gets through (waf-sni-reset, which
// keys on the SNI, resets both, so it cannot be the exercise).
func TestLabExerciseOneLargeHello(t *testing.T) {
	r := startLab(t, "large-client-hello")
	url := "https://localhost:" + strconv.Itoa(r.placed[0].Port) + "/"
	err := cmdLabClient([]string{"--cacert", r.opts.CAFile(), url}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "connection reset by peer") {
		t.Errorf("lab client (post-quantum hello) against large-client-hello = %v, want a reset", err)
	}
	if err := cmdLabClient([]string{"--classic", "--cacert", r.opts.CAFile(), url}, io.Discard); err != nil {
		t.Errorf("lab client --classic against large-client-hello = %v, want it to get through", err)
	}
}

// TestLabFaultCommandsReachTheLab: the explanations' `tlsgate fault`
// commands name the lab's admin API when it is not the default one, and
// their openssl and curl commands its CA file, so that they act on this
// lab as printed.
func TestLabFaultCommandsReachTheLab(t *testing.T) {
	r := startLab(t, "expired")
	table := r.table.String()
	i := strings.Index(table, "live view and admin API: http://")
	if i < 0 {
		t.Fatalf("the table names no admin API:\n%s", table)
	}
	adminURL := strings.Fields(table[i+len("live view and admin API: "):])[0]
	adminURL = strings.TrimSuffix(adminURL, "/")
	if err := cmdLabClient([]string{"--cacert", r.opts.CAFile(), "https://localhost:" + strconv.Itoa(r.placed[0].Port) + "/"}, io.Discard); err == nil {
		t.Fatal("the expired scenario's certificate was accepted")
	}
	log := r.waitLog(t, "tlsgate fault disable")
	for _, want := range []string{"`tlsgate fault disable --admin " + adminURL + " expired-leaf`", "-CAfile " + r.opts.CAFile(),
		`try="tlsgate fault ls --admin ` + adminURL + ` ;`} {
		if !strings.Contains(log, want) {
			t.Errorf("the explanation does not carry %q:\n%s", want, log)
		}
	}
}

// TestLabTableNamesTheClientPair: a lab with mtls-required says where the
// client certificate and key its explanation hands to curl are; one
// without it names none.
func TestLabTableNamesTheClientPair(t *testing.T) {
	for _, tt := range []struct {
		only string
		want bool
	}{{"mtls-required", true}, {"expired", false}} {
		placed, err := lab.Place(lab.Catalog(), []string{tt.only}, lab.DefaultBasePort)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		printTable(&b, placed, lab.Options{BasePort: lab.DefaultBasePort, CADir: "/ca"})
		line := "client certificate (issued by the lab CA, for curl --cert/--key): /ca/client.pem and /ca/client-key.pem"
		if got := strings.Contains(b.String(), line); got != tt.want {
			t.Errorf("%s: the table names the client pair: %v, want %v:\n%s", tt.only, got, tt.want, b.String())
		}
	}
}
