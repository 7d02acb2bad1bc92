//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/config"
)

// TestTryHintSNIRequireRuns: the try of a terminating sni_require
// listener, whose leaves the lab CA mints, fetches through tlsgate with
// real curl. It used to dial the address, so curl sent no SNI and the
// listener refused the hello: curl (35).
func TestTryHintSNIRequireRuns(t *testing.T) {
	try := servedHint(t, "mode = \"terminate\"\n[listener.client_ssl]\nsni_require = true\n")
	if !strings.Contains(try, "--resolve lab.test:") {
		t.Fatalf("try %q: want a name in the URL", try)
	}
	runHint(t, try)
}

// TestTryHintProxyV1Runs: the try of a listener that requires a PROXY v1
// header fetches with real curl; without --haproxy-protocol it would be
// diagnosed proxy_missing.
func TestTryHintProxyV1Runs(t *testing.T) {
	try := servedHint(t, "mode = \"terminate\"\nproxy_protocol = \"v1\"\n")
	if !strings.Contains(try, "--haproxy-protocol") {
		t.Fatalf("try %q: want --haproxy-protocol", try)
	}
	runHint(t, try)
}

// servedHint runs tlsgate with one listener named web (its mode and the
// rest of its table in tail) in front of a backend that answers "hint
// works", and returns the try its listening line printed.
func servedHint(t *testing.T, tail string) string {
	t.Helper()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hint works") }))
	t.Cleanup(backend.Close)
	toml := "[ca]\ndir = \"" + filepath.Join(t.TempDir(), "ca") + "\"\n[demo]\nlisten = \"\"\n[shutdown]\ngrace = \"0s\"\n" +
		"[log]\nformat = \"json\"\n" +
		"[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"" + strings.TrimPrefix(backend.URL, "http://") + "\"\n" + tail
	cfg, err := config.Parse([]byte(toml), "hint.toml")
	if err != nil {
		t.Fatal(err)
	}
	var log lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan map[string]net.Addr, 1)
	go func() { done <- serve(ctx, cfg, &log, func(m map[string]net.Addr) { ready <- m }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case <-ready:
	case err := <-done:
		done <- nil // for the cleanup, which waits for serve to end
		t.Fatalf("serve: %v\n%s", err, log.String())
	}
	var try string
	for _, l := range strings.Split(log.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "listening" && m["listener"] == "web" {
			try, _ = m["try"].(string)
		}
	}
	return try
}
