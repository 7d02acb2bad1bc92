package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/internal/heldport"
)

// startBackend runs `tlsgate-load backend args...` as the command would,
// reads the address it prints, and stops it when the test ends.
func startBackend(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"backend", "--listen", "127.0.0.1:0"}, args...), osEnv(pw, &errOut))
		_ = pw.Close()
		done <- code
	}()
	addr, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("backend %v printed no address: %v (exit %d, stderr %q)", args, err, <-done, errOut.String())
	}
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("backend %v exited %d: %s", args, code, errOut.String())
		}
	})
	return strings.TrimSpace(addr)
}

// runClient runs one client subcommand with --json and decodes every
// result line it printed.
func runClient(t *testing.T, args ...string) []result {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), append(args, "--json"), osEnv(&out, &errOut)); code != 0 {
		t.Fatalf("%v: exit %d, stderr %q", args, code, errOut.String())
	}
	var rs []result
	for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r result
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%v: output line %q: %v", args, l, err)
		}
		rs = append(rs, r)
	}
	return rs
}

// TestLoopback runs every client mode briefly against the backend
// directly, plain and TLS, and checks that the work asked for was done
// without errors. It asserts counts, not speed.
func TestLoopback(t *testing.T) {
	dir := t.TempDir()
	echoCA := filepath.Join(dir, "echo.pem")
	httpCA := filepath.Join(dir, "http.pem")
	echoPlain := startBackend(t, "--mode", "echo")
	echoTLS := startBackend(t, "--mode", "echo", "--tls-self", "--cert-out", echoCA)
	httpPlain := startBackend(t, "--mode", "http")
	httpTLS := startBackend(t, "--mode", "http", "--tls-self", "--cert-out", httpCA)
	tlsTo := func(ca string) []string { return []string{"--tls", "--ca", ca, "--sni", "bench.local"} }

	tests := []struct {
		name    string
		args    []string
		wantTLS bool
		check   func(t *testing.T, r result)
	}{
		{"bulk plain", []string{"bulk", "--target", echoPlain, "--bytes", "3MiB", "--conns", "3"}, false, func(t *testing.T, r result) {
			if r.Bytes != 3<<20 || r.Cut || r.Unit != "MB/s" || r.Value <= 0 {
				t.Errorf("bulk moved %d bytes (cut %v), %v %s; want all %d", r.Bytes, r.Cut, r.Value, r.Unit, 3<<20)
			}
		}},
		{"bulk tls", append([]string{"bulk", "--target", echoTLS, "--bytes", "1000001", "--conns", "2"}, tlsTo(echoCA)...), true, func(t *testing.T, r result) {
			if r.Bytes != 1000001 || r.Cut {
				t.Errorf("bulk moved %d bytes (cut %v); want 1000001", r.Bytes, r.Cut)
			}
		}},
		{"connrate plain", []string{"connrate", "--target", httpPlain, "--concurrency", "4", "--max", "40", "--cpu-pid", strconv.Itoa(os.Getpid())}, false, func(t *testing.T, r result) {
			if r.Ops != 40 || r.Unit != "conn/s" || r.P50us <= 0 {
				t.Errorf("connrate did %d conns (%s, p50 %v); want 40", r.Ops, r.Unit, r.P50us)
			}
			// This process is the backend too; all we know is that it was metered.
			if r.CPUPid != os.Getpid() || r.CPUms < 0 {
				t.Errorf("cpu: pid %d, %v ms; want metering of pid %d", r.CPUPid, r.CPUms, os.Getpid())
			}
		}},
		{"connrate tls", append([]string{"connrate", "--target", httpTLS, "--concurrency", "2", "--max", "10"}, tlsTo(httpCA)...), true, func(t *testing.T, r result) {
			if r.Ops != 10 {
				t.Errorf("connrate did %d conns; want 10", r.Ops)
			}
		}},
		{"handshakes", append([]string{"handshakes", "--target", httpTLS, "--concurrency", "3", "--max", "12"}, tlsTo(httpCA)...), true, func(t *testing.T, r result) {
			if r.Ops != 12 || r.Unit != "hs/s" {
				t.Errorf("handshakes did %d (%s); want 12 hs/s", r.Ops, r.Unit)
			}
		}},
		{"latency plain", []string{"latency", "--target", httpPlain, "--requests", "200", "--concurrency", "2", "--warmup", "3"}, false, func(t *testing.T, r result) {
			if r.Ops != 200 || r.Cut || !(r.P50us > 0 && r.P50us <= r.P90us && r.P90us <= r.P99us && r.P99us <= r.MaxUs) || r.Value != r.P50us {
				t.Errorf("latency: %d samples (cut %v), p50 %v p90 %v p99 %v max %v value %v", r.Ops, r.Cut, r.P50us, r.P90us, r.P99us, r.MaxUs, r.Value)
			}
		}},
		{"latency tls", append([]string{"latency", "--target", httpTLS, "--requests", "50"}, tlsTo(httpCA)...), true, func(t *testing.T, r result) {
			if r.Ops != 50 {
				t.Errorf("latency: %d samples; want 50", r.Ops)
			}
		}},
		{"idle", []string{"idle", "--target", httpPlain, "--conns", "20", "--steps", "2", "--settle", "0s", "--pid", strconv.Itoa(os.Getpid())}, false, func(t *testing.T, r result) {
			if r.Ops != 20 || r.RSSBeforeKiB <= 0 || r.RSSAfterKiB <= 0 || r.Unit != "KiB/conn" {
				t.Errorf("idle: %d conns, VmRSS %d → %d %s", r.Ops, r.RSSBeforeKiB, r.RSSAfterKiB, r.Unit)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(tt.args, "--group", tt.name, "--name", "direct")
			rs := runClient(t, args...)
			wantN := 1
			if tt.args[0] == "idle" {
				wantN = 2
			}
			if len(rs) != wantN {
				t.Fatalf("%d results; want %d", len(rs), wantN)
			}
			for _, r := range rs {
				if r.Errors != 0 || r.FirstError != "" {
					t.Errorf("%d errors, first: %s", r.Errors, r.FirstError)
				}
				if r.Group != tt.name || r.Name != "direct" || r.Mode != tt.args[0] {
					t.Errorf("labels: mode %q group %q name %q", r.Mode, r.Group, r.Name)
				}
				if got := strings.HasPrefix(r.TLSInfo, "TLS 1.3") && strings.HasSuffix(r.TLSInfo, "X25519"); got != tt.wantTLS {
					t.Errorf("tls_info %q; want TLS 1.3 with X25519: %v", r.TLSInfo, tt.wantTLS)
				}
				tt.check(t, r)
			}
		})
	}
}

// TestBackendModes speaks to each backend mode by hand, so the behaviour
// the clients rely on is pinned down on its own.
func TestBackendModes(t *testing.T) {
	sink := startBackend(t, "--mode", "sink")
	echo := startBackend(t, "--mode", "echo")
	web := startBackend(t, "--mode", "http")
	tests := []struct {
		name   string
		addr   string
		send   string
		halfUp bool // close our write side after sending
		want   string
	}{
		{"sink counts to EOF", sink, strings.Repeat("x", 12345), true, "12345\n"},
		{"echo returns the bytes", echo, "hello, echo", true, "hello, echo"},
		{"http answers each request", web, benchRequest + benchRequest, true, benchResponse + benchResponse},
		{"http honours connection close", web, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n" + benchRequest, false, benchResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := net.Dial("tcp", tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tt.send); err != nil {
				t.Fatal(err)
			}
			if tt.halfUp {
				if err := c.(*net.TCPConn).CloseWrite(); err != nil {
					t.Fatal(err)
				}
			}
			got, err := io.ReadAll(c)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q; want %q", clip(got), clip([]byte(tt.want)))
			}
		})
	}
}

// TestClientAgainstNothing: a refused target is an error with the
// address in it, not a zero result.
func TestClientAgainstNothing(t *testing.T) {
	addr, _ := heldport.Refusing(t) // refused until the test ends
	for _, args := range [][]string{
		{"bulk", "--target", addr, "--bytes", "1KiB"},
		{"latency", "--target", addr, "--requests", "5"},
		{"idle", "--target", addr, "--conns", "1", "--pid", strconv.Itoa(os.Getpid())},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), args, osEnv(&out, &errOut))
		if code != 1 || !strings.Contains(errOut.String(), addr) {
			t.Errorf("%v: exit %d, stderr %q; want 1 naming %s", args, code, errOut.String(), addr)
		}
	}
	// connrate keeps trying until its bounds; with every attempt refused
	// it reports the errors rather than a rate.
	rs := runClientAllowFail(t, "connrate", "--target", addr, "--max", "20", "--concurrency", "2")
	if rs.Ops != 0 || rs.Errors != 20 || !strings.Contains(rs.FirstError, "refused") {
		t.Errorf("connrate against nothing: %d ops, %d errors, first %q", rs.Ops, rs.Errors, rs.FirstError)
	}
	// With room for more, it gives up once errors pass 1000 and outnumber
	// successes, instead of spinning until the duration ends.
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"connrate", "--target", addr, "--max", "100000", "--duration", "1m"}, osEnv(&out, &errOut))
	if code != 1 || !strings.Contains(errOut.String(), "gave up after") {
		t.Errorf("connrate against nothing, unbounded: exit %d, stderr %q; want 1 and gave up", code, errOut.String())
	}
}

func runClientAllowFail(t *testing.T, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	_ = run(context.Background(), append(args, "--json"), osEnv(&out, &errOut))
	var r result
	if err := json.Unmarshal(bytes.TrimSpace(out.Bytes()), &r); err != nil {
		t.Fatalf("%v: output %q: %v (stderr %q)", args, out.String(), err, errOut.String())
	}
	return r
}
