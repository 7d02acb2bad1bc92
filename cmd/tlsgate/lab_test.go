package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/lab"
	"github.com/tlsgate/tlsgate/pki"
)

// freeBase finds a base port whose scenario ports are likely free: the kernel
// picks one, and the lab counts up from it.
func freeBase(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	if port > 65535-120 {
		port -= 200
	}
	return port
}

// TestLabLeavesNoCAOnABusyPort: a lab start-up stopped by a port already in
// use leaves no lab CA behind. It used to write the CA (pki.LoadOrCreate)
// before binding anything. An inspect scenario needs the CA's file before
// the config is parsed, so there the CA is written first and removed again;
// the others leave it to serve, which writes it only once everything is bound.
func TestLabLeavesNoCAOnABusyPort(t *testing.T) {
	for _, only := range []string{"waf-sni-reset", "security-software-interception"} {
		t.Run(only, func(t *testing.T) {
			for _, pre := range []string{"", "empty dir"} {
				dir := t.TempDir()
				caDir := filepath.Join(dir, "ca")
				if pre != "" {
					if err := os.Mkdir(caDir, 0o700); err != nil {
						t.Fatal(err)
					}
				}
				args := []string{"--only", only, "--base-port", strconv.Itoa(freeBase(t)), "--ca-dir", caDir,
					"--log-file", filepath.Join(dir, "lab.log"), "--admin", takenAddr(t)}
				err := cmdLab(args, io.Discard, io.Discard)
				if err == nil || !strings.Contains(err.Error(), "address already in use") {
					t.Fatalf("lab %v = %v, want the taken port's error", args, err)
				}
				entries, statErr := os.ReadDir(caDir)
				switch {
				case pre == "" && !errors.Is(statErr, fs.ErrNotExist):
					t.Errorf("%s: the CA directory is left after the failed start-up (%v, %d entries)", pre, statErr, len(entries))
				case pre != "" && len(entries) != 0:
					t.Errorf("%s: the CA directory holds %d files after the failed start-up", pre, len(entries))
				}
				if _, err := os.Lstat(filepath.Join(dir, "lab.log")); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("the log file is left after the failed start-up (%v)", err)
				}
			}
		})
	}
}

// TestLabKeepsTheCAOnceBound: the CA of a lab start-up that bound every
// socket is kept, whether serve wrote it after binding or the lab wrote it
// ahead for an inspect scenario.
func TestLabKeepsTheCAOnceBound(t *testing.T) {
	for _, only := range []string{"waf-sni-reset", "security-software-interception"} {
		t.Run(only, func(t *testing.T) {
			caDir := filepath.Join(t.TempDir(), "ca")
			base := freeBase(t)
			placed, err := lab.Place(lab.Catalog(), []string{only}, base)
			if err != nil {
				t.Fatal(err)
			}
			opts := lab.Options{BasePort: base, CADir: caDir, LogFile: filepath.Join(t.TempDir(), "lab.log")}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			table := &firstWrite{c: make(chan struct{})}
			go func() { done <- serveLab(ctx, placed, opts, table, io.Discard) }()
			select { // the table is printed once everything is bound
			case err := <-done:
				t.Fatalf("serveLab ended before it was stopped: %v", err)
			case <-table.c:
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("serveLab: %v", err)
			}
			if _, err := pki.Load(caDir, time.Now); err != nil {
				t.Errorf("the CA of a lab that bound everything was not kept: %v", err)
			}
		})
	}
}

// firstWrite closes c on its first Write.
type firstWrite struct {
	once sync.Once
	c    chan struct{}
}

func (w *firstWrite) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.c) })
	return len(p), nil
}
