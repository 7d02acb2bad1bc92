package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/config"
	"github.com/tlsgate/tlsgate/listener"
	"github.com/tlsgate/tlsgate/pki"
)

// pemPair writes a certificate and its key (a lab CA's, which is all a key
// pair check needs) into dir and returns their paths.
func pemPair(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	if _, _, err := pki.LoadOrCreate(dir, time.Now, rand.Reader); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, pki.CertFile), filepath.Join(dir, pki.KeyFile)
}

// takenAddr holds a loopback port for the test, so whatever binds it fails.
func takenAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln.Addr().String()
}

// A file that passed config but is unusable when tlsgate starts (changed in
// between) stops serve before anything binds: the error is the listener's,
// a config error naming its line, not the bind error of the demo backend or
// the admin API, which used to start first and were left listening.
func TestServeChecksListenersBeforeBinding(t *testing.T) {
	dir := t.TempDir()
	cert, key := pemPair(t, filepath.Join(dir, "a"))
	_, otherKey := pemPair(t, filepath.Join(dir, "b"))
	demo, adminAddr := takenAddr(t), takenAddr(t)
	src := "[ca]\ndir = \"ca\"\n[demo]\nlisten = \"" + demo + "\"\n[admin]\nlisten = \"" + adminAddr + "\"\n" +
		"[[listener]]\nname = \"a\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:1\"\nmode = \"terminate\"\n" +
		"[listener.client_ssl]\ncert = \"" + cert + "\"\nkey = \"" + key + "\"\n"
	cfg, err := config.Parse([]byte(src), filepath.Join(dir, "run.toml"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.ReadFile(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, other, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	err = serve(context.Background(), cfg, &stderr, func(map[string]net.Addr) { t.Error("serve got ready") })
	var ce configError
	if !errors.As(err, &ce) {
		t.Fatalf("serve = %v, want a config error", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "run.toml:7:1: listener: listener a: client_ssl cert") || strings.Contains(msg, "address already in use") {
		t.Errorf("serve = %q, want the listener's key pair error at its line, before any bind", msg)
	}
}

// Start-up failures that only show when tlsgate runs still name their key
// and line; the file's are config errors (exit 2), a taken port is not (1).
// Each config passes Parse; change then makes the machine differ from it,
// as it can between 'config check' and 'run'.
func TestServeStartupErrorsNameTheKey(t *testing.T) {
	dir := t.TempDir()
	taken := takenAddr(t)
	listener := "[[listener]]\nname = \"a\"\nlisten = \"127.0.0.1:0\"\nbackend = \"127.0.0.1:1\"\nmode = \"terminate\"\n"
	tests := []struct {
		name   string
		src    string
		change func(t *testing.T)
		cfgErr bool
		want   string
	}{
		{"log dir removed", "[log]\nfile = \"logs/x.log\"\n[ca]\ndir = \"ca\"\n" + listener,
			func(t *testing.T) { removeAll(t, filepath.Join(dir, "logs")) }, true, "run.toml:2:1: log.file: open "},
		{"ca dir replaced by a file", "[ca]\ndir = \"ca2\"\n" + listener,
			func(t *testing.T) {
				if err := os.WriteFile(filepath.Join(dir, "ca2"), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}, true, "run.toml:2:1: ca.dir: pki: "},
		{"keylog dir removed", "[ca]\ndir = \"ca\"\n" + listener + "keylog = \"logs/k.log\"\n",
			func(t *testing.T) { removeAll(t, filepath.Join(dir, "logs")) }, true, "run.toml:8:1: listener.keylog: listener a: keylog: open "},
		// config check passes a capture directory it could create; if its
		// place is taken by a file before run, run names the key and line.
		{"capture place taken by a file", "[ca]\ndir = \"ca\"\n" + listener + "capture = \"caps/a\"\n",
			func(t *testing.T) {
				if err := os.WriteFile(filepath.Join(dir, "caps"), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}, true, "run.toml:8:1: listener.capture: listener a: capture directory: mkdir "},
		{"listen address taken", "[ca]\ndir = \"ca\"\n" + strings.Replace(listener, "127.0.0.1:0", taken, 1),
			nil, false, "run.toml:5:1: listener.listen: listener a: listen tcp " + taken},
		{"admin address taken", "[ca]\ndir = \"ca\"\n[admin]\nlisten = \"" + taken + "\"\n" + listener,
			nil, false, "run.toml:4:1: admin.listen: admin: listen tcp " + taken},
		{"demo address taken", "[ca]\ndir = \"ca\"\n[demo]\nlisten = \"" + taken + "\"\n" + listener,
			nil, false, "run.toml:4:1: demo.listen: demo backend: listen tcp " + taken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Parse([]byte(tt.src), filepath.Join(dir, "run.toml"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.change != nil {
				tt.change(t)
			}
			var stderr bytes.Buffer
			err = serve(context.Background(), cfg, &stderr, func(map[string]net.Addr) { t.Error("serve got ready") })
			var ce configError
			if err == nil || errors.As(err, &ce) != tt.cfgErr {
				t.Fatalf("serve = %v; want an error, a config error (exit 2): %v", err, tt.cfgErr)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("serve = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func removeAll(t *testing.T, path string) {
	t.Helper()
	if err := os.RemoveAll(path); err != nil {
		t.Fatal(err)
	}
}

// TestTryHint: the start-up hint trusts the lab CA only where tlsgate
// serves a lab-CA certificate. A passthrough listener (or auto without a
// client_ssl table) shows the backend's own certificate, so the lab CA
// would make the pasted command fail verification.
func TestTryHint(t *testing.T) {
	a := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8443}
	const ca = "/lab/ca.pem"
	tests := []struct {
		name     string
		o        listener.Options
		labCA    bool
		contains string
	}{
		{"terminate", listener.Options{Mode: listener.Terminate}, true, "curl --cacert /lab/ca.pem https://127.0.0.1:8443/"},
		{"inspect", listener.Options{Mode: listener.Inspect}, true, "curl --cacert /lab/ca.pem https://127.0.0.1:8443/"},
		{"auto terminating", listener.Options{Mode: listener.Auto, ClientSSL: &listener.ClientSSL{}}, true, "curl http://127.0.0.1:8443/"},
		{"passthrough", listener.Options{Mode: listener.Passthrough}, false, "the certificate is the backend's"},
		{"auto passing through", listener.Options{Mode: listener.Auto}, false, "the certificate is the backend's"},
		{"plaintext", listener.Options{Mode: listener.Plaintext}, false, "curl http://127.0.0.1:8443/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tryHint(tt.o, a, ca, nil, nil)
			if strings.Contains(got, ca) != tt.labCA || !strings.Contains(got, tt.contains) {
				t.Errorf("hint %q: lab CA named = %v, want %v, and it must contain %q", got, strings.Contains(got, ca), tt.labCA, tt.contains)
			}
		})
	}
}

// TestServeLeavesNothingOnABusyPort: a start-up stopped by a port already in
// use leaves the disk as it found it. It used to create the lab CA (and the
// log file, key logs and capture directories) before finding the port taken
// and exiting 1. A log file that was there before is kept.
func TestServeLeavesNothingOnABusyPort(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(dir, "logs", "kept.log")
	if err := os.WriteFile(kept, []byte("before\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	taken := takenAddr(t)
	listener := func(name, listen, extra string) string {
		return "[[listener]]\nname = \"" + name + "\"\nlisten = \"" + listen + "\"\nbackend = \"127.0.0.1:1\"\nmode = \"terminate\"\n" + extra
	}
	for _, logFile := range []string{"logs/new.log", "logs/kept.log"} {
		t.Run(logFile, func(t *testing.T) {
			src := "[log]\nfile = \"" + logFile + "\"\n[ca]\ndir = \"ca\"\n" +
				listener("a", "127.0.0.1:0", "keylog = \"logs/keys.log\"\ncapture = \"caps/a\"\n") + listener("b", taken, "")
			cfg, err := config.Parse([]byte(src), filepath.Join(dir, "run.toml"))
			if err != nil {
				t.Fatal(err)
			}
			err = serve(context.Background(), cfg, io.Discard, func(map[string]net.Addr) { t.Error("serve got ready") })
			if err == nil || !strings.Contains(err.Error(), "address already in use") {
				t.Fatalf("serve = %v, want the taken port's error", err)
			}
			for _, p := range []string{"ca", "logs/new.log", "logs/keys.log", "caps"} {
				if _, err := os.Lstat(filepath.Join(dir, p)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("%s is left after the failed start-up (%v)", p, err)
				}
			}
			if b, err := os.ReadFile(kept); err != nil || !strings.HasPrefix(string(b), "before\n") {
				t.Errorf("the log file that was there before: %q, %v", b, err)
			}
		})
	}

	// Once everything binds, the new CA is kept.
	src := "[ca]\ndir = \"ca\"\n[shutdown]\ngrace = \"0s\"\n" + listener("a", "127.0.0.1:0", "")
	cfg, err := config.Parse([]byte(src), filepath.Join(dir, "run.toml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, cfg, io.Discard, func(map[string]net.Addr) { cancel() }) }()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if _, err := pki.Load(filepath.Join(dir, "ca"), time.Now); err != nil {
		t.Errorf("the CA of a start-up that bound everything was not kept: %v", err)
	}
}

// TestRunLeavesNoProfileOnABusyPort: `run --cpuprofile --memprofile` stopped
// by a port already in use leaves neither profile. The CPU profile used to be
// created before binding, and the allocation profile written on the way out.
func TestRunLeavesNoProfileOnABusyPort(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "run.toml")
	src := "[ca]\ndir = \"ca\"\n[[listener]]\nname = \"b\"\nlisten = \"" + takenAddr(t) + "\"\nbackend = \"127.0.0.1:1\"\nmode = \"plaintext\"\n"
	if err := os.WriteFile(cfg, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var errb strings.Builder
	args := []string{"run", "-c", cfg, "--no-demo", "--cpuprofile", filepath.Join(dir, "cpu.prof"), "--memprofile", filepath.Join(dir, "mem.prof")}
	if code := run(args, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "address already in use") {
		t.Fatalf("run = %d, %q; want 1 and the taken port's error", code, errb.String())
	}
	for _, p := range []string{"cpu.prof", "mem.prof", "ca"} {
		if _, err := os.Lstat(filepath.Join(dir, p)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is left after the failed start-up (%v)", p, err)
		}
	}
}
