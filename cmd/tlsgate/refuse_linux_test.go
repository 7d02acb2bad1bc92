//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/config"
)

// TestRefuseRuleFromConfigAtBind: a refuse rule in the config file holds
// its listener down from the moment the socket is bound, not from when
// Serve starts. ready runs after every socket is bound and before any is
// served; a client that connects then is refused. The socket used to
// listen at bind and stop in Serve, so such a client was accepted by the
// kernel and then reset (connect succeeded, the first read failed with
// connection reset by peer).
func TestRefuseRuleFromConfigAtBind(t *testing.T) {
	toml := "[ca]\ndir = \"" + filepath.Join(t.TempDir(), "ca") + "\"\n[demo]\nlisten = \"\"\n[shutdown]\ngrace = \"0s\"\n" +
		"[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"plaintext\"\n" +
		"[[fault]]\nname = \"port-closed\"\nlistener = \"web\"\naction = \"refuse\"\nmode = \"listener_down\"\n"
	cfg, err := config.Parse([]byte(toml), "refuse.toml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	dialed := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, io.Discard, func(m map[string]net.Addr) {
			c, err := net.Dial("tcp", m["web"].String())
			if err == nil {
				c.Close()
			}
			dialed <- err
			cancel()
		})
	}()
	if err := <-dialed; !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial between bind and Serve: %v, want connection refused", err)
	}
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// lockedBuffer is a log sink the test reads while serve writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRefuseDownLineAfterListening: a listener a refuse rule in the config
// holds down says so after its "listening" line, when it serves; and a
// start-up that fails at a later listener's bind leaves no down line for
// one that never served. Listen used to log the down line (and count the
// down and the rule's firing) as it bound the socket, before run.go's
// "listening" lines and whether or not the start-up went on.
func TestRefuseDownLineAfterListening(t *testing.T) {
	web := "[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"plaintext\"\n"
	rule := "[[fault]]\nname = \"port-closed\"\nlistener = \"web\"\naction = \"refuse\"\nmode = \"listener_down\"\n"
	head := "[log]\nformat = \"json\"\n[ca]\ndir = \"" + filepath.Join(t.TempDir(), "ca") + "\"\n[demo]\nlisten = \"\"\n[shutdown]\ngrace = \"0s\"\n"

	t.Run("a later listener's bind fails", func(t *testing.T) {
		other := "[[listener]]\nname = \"other\"\nlisten = \"" + takenAddr(t) + "\"\nbackend = \"127.0.0.1:9\"\nmode = \"plaintext\"\n"
		cfg, err := config.Parse([]byte(head+web+other+rule), "refuse.toml")
		if err != nil {
			t.Fatal(err)
		}
		var log lockedBuffer
		err = serve(context.Background(), cfg, &log, func(map[string]net.Addr) { t.Error("serve got ready") })
		if err == nil || !strings.Contains(err.Error(), "listener other") {
			t.Fatalf("serve = %v, want listener other's bind error", err)
		}
		if strings.Contains(log.String(), "listener down") {
			t.Errorf("a down line for a listener that never served:\n%s", log.String())
		}
	})

	t.Run("started", func(t *testing.T) {
		cfg, err := config.Parse([]byte(head+web+rule), "refuse.toml")
		if err != nil {
			t.Fatal(err)
		}
		var log lockedBuffer
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() { done <- serve(ctx, cfg, &log, nil) }()
		for end := time.Now().Add(20 * time.Second); !strings.Contains(log.String(), "listener down"); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("no listener down line after 20s:\n%s", log.String())
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve: %v", err)
		}
		out := log.String()
		listening, down := strings.Index(out, `"listening"`), strings.Index(out, "listener down")
		if listening < 0 || listening > down {
			t.Errorf("the down line comes before the listening line (listening at %d, down at %d):\n%s", listening, down, out)
		}
		if n := strings.Count(out, "listener down"); n != 1 {
			t.Errorf("%d down lines, want 1:\n%s", n, out)
		}
	})
}

// TestRefuseFiringsInMetrics: each time a refuse rule takes its listener
// down is one firing in tlsgate_faults_fired_total, as every other rule's
// firing is, and agrees with the rule's fires in fault ls. Refuse firings
// reached only the rule's own count: the metric counts firings from each
// connection's Outcome, and a refused SYN makes no connection.
func TestRefuseFiringsInMetrics(t *testing.T) {
	toml := "[log]\nformat = \"json\"\n[ca]\ndir = \"" + filepath.Join(t.TempDir(), "ca") + "\"\n[demo]\nlisten = \"\"\n" +
		"[admin]\nlisten = \"127.0.0.1:0\"\n[shutdown]\ngrace = \"0s\"\n" +
		"[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"plaintext\"\n" +
		"[[fault]]\nname = \"port-closed\"\nlistener = \"web\"\naction = \"refuse\"\nmode = \"listener_down\"\n"
	cfg, err := config.Parse([]byte(toml), "refuse.toml")
	if err != nil {
		t.Fatal(err)
	}
	var log lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan map[string]net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, &log, func(m map[string]net.Addr) { addrs <- m }) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	adminURL := "http://" + (<-addrs)["admin"].String()
	waitLines := func(msg string, n int) {
		t.Helper()
		for end := time.Now().Add(20 * time.Second); strings.Count(log.String(), msg) < n; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(end) {
				t.Fatalf("fewer than %d %q lines after 20s:\n%s", n, msg, log.String())
			}
		}
	}
	post := func(path string) {
		t.Helper()
		resp, err := http.Post(adminURL+path, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %s", path, resp.Status)
		}
	}
	fired := func() string {
		t.Helper()
		resp, err := http.Get(adminURL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		for _, line := range strings.Split(string(body), "\n") {
			if strings.HasPrefix(line, "tlsgate_faults_fired_total{") {
				return line
			}
		}
		return ""
	}

	waitLines("listener down", 1) // from the config, as Serve starts
	if got, want := fired(), `tlsgate_faults_fired_total{action="refuse",rule="port-closed"} 1`; got != want {
		t.Errorf("after the first down: %q, want %q", got, want)
	}
	post("/faults/port-closed/disable")
	waitLines("listener up", 1)
	post("/faults/port-closed/enable")
	waitLines("listener down", 2)
	if got, want := fired(), `tlsgate_faults_fired_total{action="refuse",rule="port-closed"} 2`; got != want {
		t.Errorf("after the second down: %q, want %q (one firing per time it went down)", got, want)
	}
	var out, errOut bytes.Buffer
	if err := cmdFault([]string{"ls", "--admin", adminURL}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	// The FIRES column, found by its header: ENABLED may hold spaces
	// ("yes (holding web down)").
	lines := strings.Split(out.String(), "\n")
	col := strings.Index(lines[0], "FIRES")
	for _, line := range lines[1:] {
		if !strings.HasPrefix(line, "port-closed ") || len(line) <= col {
			continue
		}
		if f := strings.Fields(line[col:]); len(f) == 0 || f[0] != "2" {
			t.Errorf("fault ls shows %v fires, the metric 2:\n%s", f, out.String())
		}
	}
}
