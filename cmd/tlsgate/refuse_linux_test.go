//go:build linux

package main

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"syscall"
	"testing"

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
