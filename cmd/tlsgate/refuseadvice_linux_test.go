//go:build linux

package main

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/config"
)

// TestRefuseAdviceWithoutAdmin: run with a refuse rule and no [admin]
// table logs a down line that says to remove the rule from the config
// and restart: `tlsgate fault rm`, which it used to advise, reaches no
// admin API of this process (and the default address may be another
// instance's).
func TestRefuseAdviceWithoutAdmin(t *testing.T) {
	toml := "[ca]\ndir = \"" + filepath.Join(t.TempDir(), "ca") + "\"\n[demo]\nlisten = \"\"\n[shutdown]\ngrace = \"0s\"\n" +
		"[log]\nformat = \"json\"\n" +
		"[[listener]]\nname = \"web\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:9\"\nmode = \"plaintext\"\n" +
		"[[fault]]\nname = \"port-closed\"\nlistener = \"web\"\naction = \"refuse\"\nmode = \"listener_down\"\n"
	cfg, err := config.Parse([]byte(toml), "refuse.toml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Admin.Listen != "" {
		t.Fatalf("config without [admin] has admin listen %q", cfg.Admin.Listen)
	}
	var log lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, &log, func(map[string]net.Addr) {}) }()
	for end := time.Now().Add(20 * time.Second); !strings.Contains(log.String(), "listener down"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			cancel()
			t.Fatalf("no listener down line after 20s:\n%s", log.String())
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	var down string
	for _, l := range strings.Split(log.String(), "\n") {
		if strings.Contains(l, "listener down") {
			down = l
		}
	}
	if !strings.Contains(down, "remove the rule port-closed from the config and restart") || strings.Contains(down, "tlsgate fault rm") {
		t.Fatalf("down line without an admin API: %s\nwant advice to remove the rule from the config and restart, not tlsgate fault rm", down)
	}
}

// lockedBuffer is a bytes.Buffer the logger writes while the test reads.
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
