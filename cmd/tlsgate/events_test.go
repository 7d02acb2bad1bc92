package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/config"
)

// TestEventsSpeakTheLogLang: with [log] lang = "ja" the admin event stream
// (what the live view shows) explains in Japanese as the log does; it was
// always English.
func TestEventsSpeakTheLogLang(t *testing.T) {
	toml := "[log]\nlang = \"ja\"\nfile = \"" + filepath.Join(t.TempDir(), "tlsgate.log") + "\"\n" +
		"[ca]\ndir = \"" + filepath.Join(t.TempDir(), "ca") + "\"\n[demo]\nlisten = \"\"\n" +
		"[admin]\nlisten = \"127.0.0.1:0\"\n[shutdown]\ngrace = \"0s\"\n" +
		"[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"terminate\"\n"
	m, lines := serveWatchingEvents(t, toml, "ja.toml")

	// Plaintext on the TLS listener, the README's walkthrough.
	c, err := net.Dial("tcp", m["web"].String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	_, _ = io.Copy(io.Discard, c)
	_ = c.Close()

	line := firstEvent(t, lines)
	var ev struct {
		Msg  string `json:"msg"`
		Conn struct {
			Diagnosis string `json:"diagnosis"`
			Cause     string `json:"cause"`
		} `json:"conn"`
	}
	if err := json.Unmarshal([]byte(line), &ev); err != nil {
		t.Fatalf("event %q: %v", line, err)
	}
	if ev.Conn.Diagnosis != "plaintext_on_tls" {
		t.Fatalf("diagnosis %q, want plaintext_on_tls", ev.Conn.Diagnosis)
	}
	if strings.Contains(ev.Conn.Cause, "The client sent") || !strings.Contains(ev.Conn.Cause, "平文") {
		t.Errorf("event cause not in Japanese: %q", ev.Conn.Cause)
	}
}

// serveWatchingEvents serves the configuration toml (named name) until the
// test ends and subscribes to its admin event stream. It returns the
// addresses serve reports and a channel that gets the stream's first line.
func serveWatchingEvents(t *testing.T, toml, name string) (map[string]net.Addr, <-chan string) {
	t.Helper()
	cfg, err := config.Parse([]byte(toml), name)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrs := make(chan map[string]net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, io.Discard, func(m map[string]net.Addr) { addrs <- m }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	m := <-addrs

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+m["admin"].String()+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() }) // before serve's cleanup: cleanups run last first
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		if sc.Scan() {
			lines <- sc.Text()
		}
	}()
	return m, lines
}

// firstEvent waits for the line serveWatchingEvents's stream gives.
func firstEvent(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case line := <-lines:
		return line
	case <-time.After(20 * time.Second): // a hang guard, not a timing check
		t.Fatal("no event within 20s")
		return ""
	}
}
