package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/config"
)

// shortWriter writes the first limit bytes it is given, then fails as a
// full disk does: part of a line, and ENOSPC.
type shortWriter struct {
	zapcore.WriteSyncer
	limit int
}

func (s *shortWriter) Write(p []byte) (int, error) {
	if s.limit >= len(p) {
		s.limit -= len(p)
		return s.WriteSyncer.Write(p)
	}
	n, _ := s.WriteSyncer.Write(p[:s.limit])
	s.limit = 0
	return n, &os.PathError{Op: "write", Path: "log", Err: syscall.ENOSPC}
}

// TestLogFileEndsATornLine: a write that stops part way (a full disk)
// leaves half a line; the next line must start on a line of its own, not
// be glued to that fragment.
func TestLogFileEndsATornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tlsgate.log")
	lf, err := openLogFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	real := lf.w
	lf.w = &shortWriter{WriteSyncer: real, limit: len("first line\nsec")}
	for _, l := range []string{"first line\n", "second line\n"} {
		_, _ = lf.Write([]byte(l))
	}
	lf.w = real // space freed
	if _, err := lf.Write([]byte("third line\n")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "first line\nsec\nthird line\n"; got != want {
		t.Errorf("file holds %q, want %q", got, want)
	}
}

// TestLogFileMode: the log file tlsgate creates is not readable by other
// users: it names clients, SNI and, on inspect listeners, the decrypted
// requests' targets. Owner and group read it (a SIEM forwarder is given
// the group), as syslog daemons create their files (0640).
func TestLogFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tlsgate.log")
	lf, err := openLogFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := lf.Reopen(); err != nil { // logrotate's create, then SIGHUP
		t.Fatal(err)
	}
	for _, p := range []string{path + ".1", path} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := st.Mode().Perm(); m&0o007 != 0 || m&0o600 != 0o600 {
			t.Errorf("%s created with mode %v, want owner read-write and nothing for others", filepath.Base(p), m)
		}
	}
}

// TestLogFileReopen: after the file is renamed away (logrotate), Reopen
// writes to a new file of the same name and leaves the old one alone.
func TestLogFileReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tlsgate.log")
	lf, err := openLogFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	_, _ = lf.Write([]byte("before\n"))
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := lf.Reopen(); err != nil {
		t.Fatal(err)
	}
	_, _ = lf.Write([]byte("after\n"))
	for file, want := range map[string]string{path + ".1": "before\n", path: "after\n"} {
		if b, err := os.ReadFile(file); err != nil || string(b) != want {
			t.Errorf("%s holds %q (%v), want %q", filepath.Base(file), b, err, want)
		}
	}
	// A reopen that cannot open the path keeps writing where it was.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := lf.Reopen(); err == nil || !strings.Contains(err.Error(), "log.file: reopen") {
		t.Errorf("reopen onto a directory: %v, want a log.file error", err)
	}
	if _, err := lf.Write([]byte("still\n")); err != nil {
		t.Errorf("write after a failed reopen: %v", err)
	}
}

// TestSyslogDropsToldAtExit: with a TCP collector that never reads, the
// forwarding queue fills and drops; at exit the count goes to the local
// log file, the one place an operator will still see it.
func TestSyslogDropsToldAtExit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never read
		}
	}()
	path := filepath.Join(t.TempDir(), "tlsgate.log")
	logger, out, err := newLogger(config.Log{Format: "bigip", File: path, Level: "info", Lang: "en",
		SyslogNetwork: "tcp", SyslogAddr: ln.Addr().String()}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 4096)
	d, _ := out.syslog.(interface{ Dropped() uint64 })
	for i := 0; i < 20000 && d.Dropped() == 0; i++ { // bounded: 80 MB at most
		logger.Info("filler", zap.String("pad", big))
	}
	if d.Dropped() == 0 {
		t.Fatal("80 MB to a collector that never reads dropped nothing")
	}
	// The admin API's tlsgate_syslog_dropped_lines_total reads this.
	if f := out.syslogDropped(); f == nil || f() < d.Dropped() {
		t.Errorf("syslogDropped for the metrics is nil or short of %d", d.Dropped())
	}
	out.Close() // gives the queue at most 2 s
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "syslog forwarding dropped log lines") {
		t.Errorf("the local log does not tell the syslog drops:\n%.300s", b[max(0, len(b)-300):])
	}
}

// TestSyslogSlowCollectorToldLocally: a TCP collector that reads, but
// too slowly, never fails a write, so there is no outage; the lines that
// overflow the queue meanwhile must still be told in the local log while
// tlsgate runs, once, with their count, not only at exit.
func TestSyslogSlowCollectorToldLocally(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	gate := make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				<-gate // slow: reads nothing until the test has its drops
				_, _ = io.Copy(io.Discard, c)
			}()
		}
	}()
	path := filepath.Join(t.TempDir(), "tlsgate.log")
	logger, out, err := newLogger(config.Log{Format: "bigip", File: path, Level: "info", Lang: "en",
		SyslogNetwork: "tcp", SyslogAddr: ln.Addr().String()}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	big := strings.Repeat("x", 1024)
	d, _ := out.syslog.(interface{ Dropped() uint64 })
	for i := 0; i < 100000 && d.Dropped() == 0; i++ { // bounded: 100 MB at most
		logger.Info("filler", zap.String("pad", big))
	}
	dropped := d.Dropped()
	if dropped == 0 {
		t.Fatal("100 MB to a collector that does not read dropped nothing")
	}
	close(gate)
	waitInFile(t, path, "syslog forwarding fell behind", func() {})
	b, _ := os.ReadFile(path)
	var told []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "syslog forwarding") {
			told = append(told, l)
		}
	}
	want := fmt.Sprintf("dropped=%d ", dropped)
	if len(told) != 1 || !strings.Contains(told[0], want) || !strings.Contains(told[0], " warning tlsgate[") {
		t.Errorf("local log tells %q, want one warning with %q", told, want)
	}
}

// TestSyslogOutageToldLocally: when the TCP collector goes away, the local
// log says so while tlsgate runs (not only at exit), and says again when
// forwarding resumes.
func TestSyslogOutageToldLocally(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	accepted := make(chan net.Conn, 16)
	serve := func(ln net.Listener) {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}
	go serve(ln)
	path := filepath.Join(t.TempDir(), "tlsgate.log")
	logger, out, err := newLogger(config.Log{Format: "bigip", File: path, Level: "warning", Lang: "en",
		SyslogNetwork: "tcp", SyslogAddr: addr}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	first := <-accepted
	_ = ln.Close()
	_ = first.Close()

	// Each line's file write happens before its syslog send; keep logging
	// until the outage shows in the file.
	waitInFile(t, path, "syslog forwarding interrupted", func() { logger.Warn("while the collector is down") })

	var ln2 net.Listener
	deadline := time.Now().Add(20 * time.Second)
	for ln2, err = net.Listen("tcp", addr); err != nil; ln2, err = net.Listen("tcp", addr) {
		if time.Now().After(deadline) {
			t.Fatalf("listen again on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer ln2.Close()
	go serve(ln2)
	waitInFile(t, path, "syslog forwarding resumed", func() { logger.Warn("collector back") })
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "syslog=tcp://"+addr) {
		t.Errorf("the warnings do not name the collector %s:\n%s", addr, b)
	}
}

// waitInFile calls poke until path holds sub, for at most 40 s (a hang
// guard; the reconnect backoff may wait a few seconds).
func waitInFile(t *testing.T, path, sub string, poke func()) {
	t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for {
		poke()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), sub) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%q never appeared in the local log:\n%s", sub, b)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestLogHost: with no [log] host, BIG-IP lines carry the machine's short
// name, as tmm lines do; the FQDN used to go through whole.
func TestLogHost(t *testing.T) {
	tests := []struct {
		configured, machine string
		err                 error
		want                string
	}{
		{"", "bigip01.example.com", nil, "bigip01"},
		{"", "lab", nil, "lab"},
		{"edge.example.com", "bigip01.example.com", nil, "edge.example.com"}, // said outright: kept
		{"", "", os.ErrNotExist, ""},
	}
	for _, tt := range tests {
		got := logHost(tt.configured, func() (string, error) { return tt.machine, tt.err })
		if got != tt.want {
			t.Errorf("logHost(%q) on %q = %q, want %q", tt.configured, tt.machine, got, tt.want)
		}
	}
}
