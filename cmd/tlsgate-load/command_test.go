package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"labels dropped, values kept", []string{"connrate", "--target", "127.0.0.1:1", "--json", "--section", "Inspect mode (issue 3)",
			"--group", "warm", "--name", "tlsgate inspect", "--baseline", "0 rules", "--cpu-pid", "5,6"},
			"tlsgate-load connrate --target 127.0.0.1:1 --cpu-pid 5,6"},
		{"inline label values", []string{"bulk", "-name=direct", "--group=g h", "--json=true", "--bytes", "1MiB"},
			"tlsgate-load bulk --bytes 1MiB"},
		{"quoting", []string{"connrate", "--sni-each", "r1-n{n}.bench.local", "--ca", "it's.pem", "--x", ""},
			`tlsgate-load connrate --sni-each 'r1-n{n}.bench.local' --ca 'it'\''s.pem' --x ''`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := commandLine(withoutLabels(tt.args)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParsePids(t *testing.T) {
	got, err := parsePids("12, 34")
	if err != nil || !slices.Equal(got, []int{12, 34}) {
		t.Errorf("parsePids = %v, %v; want [12 34]", got, err)
	}
	if got, err := parsePids(""); err != nil || got != nil {
		t.Errorf("parsePids(\"\") = %v, %v; want none", got, err)
	}
	for _, bad := range []string{"0", "-1", "1,,2", "x"} {
		if _, err := parsePids(bad); err == nil {
			t.Errorf("parsePids(%q) accepted", bad)
		}
	}
}

// TestCPUMeterSumsProcesses: metering a pid twice counts its CPU twice,
// so a proxy's master and workers add up.
func TestCPUMeterSumsProcesses(t *testing.T) {
	stat := "1 (p) S 0 1 1 0 -1 0 0 0 0 0 %d 0 0 0 20 0 1 0 1 1 1 1\n"
	ticks := map[string]int{"/proc/7/stat": 100, "/proc/8/stat": 50}
	read := func(path string) ([]byte, error) {
		n, ok := ticks[path]
		if !ok {
			return nil, os.ErrNotExist
		}
		return []byte(strings.Replace(stat, "%d", strconv.Itoa(n), 1)), nil
	}
	m, err := startCPU(read, "7,8")
	if err != nil {
		t.Fatal(err)
	}
	ticks["/proc/7/stat"], ticks["/proc/8/stat"] = 130, 60 // 40 ticks = 400 ms
	var r result
	if err := m.stop(&r); err != nil {
		t.Fatal(err)
	}
	if r.CPUms != 400 || r.CPUPid != 7 || !slices.Equal(r.CPUPids, []int{7, 8}) {
		t.Errorf("metered %v ms for pid %d (%v); want 400 ms for 7 and [7 8]", r.CPUms, r.CPUPid, r.CPUPids)
	}
	if _, err := startCPU(read, "9"); err == nil {
		t.Error("metering a missing process did not fail")
	}
}

// TestSNIEach: with --sni-each every connection sends its own name, and
// the result says so.
func TestSNIEach(t *testing.T) {
	pair, certPEM, err := selfSigned([]string{"*.bench.local"}, time.Now(), rngFor(t))
	if err != nil {
		t.Fatal(err)
	}
	caPath := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caPath, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var names []string
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		names = append(names, h.ServerName)
		mu.Unlock()
		return nil, nil
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- newBackend(modeHTTP, cfg).serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	rs := runClient(t, "connrate", "--target", ln.Addr().String(), "--tls", "--ca", caPath, "--sni-each", "r2-n{n}.bench.local",
		"--concurrency", "2", "--max", "6")
	if len(rs) != 1 || rs[0].Ops != 6 || rs[0].Errors != 0 {
		t.Fatalf("results %+v; want 6 clean connections", rs)
	}
	if want := "r2-n{n}.bench.local (a new name per connection)"; rs[0].SNI != want {
		t.Errorf("result SNI %q; want %q", rs[0].SNI, want)
	}
	if !strings.HasPrefix(rs[0].Command, "tlsgate-load connrate --target ") || !strings.Contains(rs[0].Command, "--sni-each 'r2-n{n}.bench.local'") {
		t.Errorf("command %q", rs[0].Command)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(names)
	want := []string{"r2-n1.bench.local", "r2-n2.bench.local", "r2-n3.bench.local", "r2-n4.bench.local", "r2-n5.bench.local", "r2-n6.bench.local"}
	if !slices.Equal(names, want) {
		t.Errorf("server saw names %v; want %v", names, want)
	}
}

// TestBackendTally: a TLS backend says on exit how many handshakes it
// served and how many resumed a session.
func TestBackendTally(t *testing.T) {
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	ctx, cancel := context.WithCancel(context.Background())
	var errOut bytes.Buffer
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"backend", "--listen", "127.0.0.1:0", "--mode", "http", "--tls-self", "--cert-out", ca}, osEnv(pw, &errOut))
		_ = pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no address: %v", err)
	}
	addr := strings.TrimSpace(line)
	rs := runClient(t, "handshakes", "--target", addr, "--tls", "--ca", ca, "--sni", "bench.local", "--concurrency", "1", "--max", "3")
	if rs[0].Ops != 3 {
		t.Fatalf("%d handshakes; want 3", rs[0].Ops)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("backend exit %d: %s", code, errOut.String())
	}
	if want := "3 connections, 3 TLS handshakes, 0 of them resumed"; !strings.Contains(errOut.String(), want) {
		t.Errorf("backend said %q; want %q", errOut.String(), want)
	}
}
