package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSessionSalt: the salt is the first 8 bytes of the injected
// randomness, and a reader that runs dry is an error saying so.
func TestSessionSalt(t *testing.T) {
	salt, err := sessionSalt(bytes.NewReader([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}))
	if err != nil || salt != 0x0102030405060708 {
		t.Errorf("sessionSalt = %#x, %v; want 0x0102030405060708", salt, err)
	}
	if _, err := sessionSalt(bytes.NewReader([]byte{1, 2, 3})); !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "8 random bytes") {
		t.Errorf("short reader: %v", err)
	}
}

// sidRe finds the SID of a session line.
var sidRe = regexp.MustCompile(`entity: client SID: ([0-9a-f]{16}) `)

// TestSIDsDifferAcrossRuns: two runs of tlsgate each number their first
// connection 1, and the session line's SID was a hash of that number and
// the leg, so every restart printed the last run's SIDs again. Each run
// now mixes in a salt drawn at start.
func TestSIDsDifferAcrossRuns(t *testing.T) {
	backend, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = backend.Close() })
	go func() {
		for {
			c, err := backend.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	caDir := filepath.Join(t.TempDir(), "ca")
	firstSID := func(run string) string {
		toml := "[log]\nfile = \"" + filepath.Join(t.TempDir(), "tlsgate.log") + "\"\n" +
			"[ca]\ndir = \"" + caDir + "\"\n[demo]\nlisten = \"\"\n" +
			"[admin]\nlisten = \"127.0.0.1:0\"\n[shutdown]\ngrace = \"0s\"\n" +
			"[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"" + backend.Addr().String() + "\"\nmode = \"terminate\"\n"
		m, lines := serveWatchingEvents(t, toml, run+".toml")
		c, err := tls.Dial("tcp", m["web"].String(), &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true})
		if err != nil {
			t.Fatalf("%s: %v", run, err)
		}
		_, _ = io.Copy(io.Discard, c)
		_ = c.Close()
		line := firstEvent(t, lines)
		var ev struct {
			Conn struct {
				ID    uint64   `json:"id"`
				BigIP []string `json:"bigip"`
			} `json:"conn"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("%s: event %q: %v", run, line, err)
		}
		for _, l := range ev.Conn.BigIP {
			if m := sidRe.FindStringSubmatch(l); m != nil {
				if ev.Conn.ID != 1 {
					t.Fatalf("%s: the first connection has ID %d, want 1", run, ev.Conn.ID)
				}
				return m[1]
			}
		}
		t.Fatalf("%s: no session line in %s", run, line)
		return ""
	}
	if a, b := firstSID("first"), firstSID("second"); a == b {
		t.Errorf("connection 1 has SID %s in both runs", a)
	}
}
