package gate

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounded waits for a `tlsgate lab` process: how long it may take to bind
// every listener and to exit after SIGTERM before a test gives up.
const (
	labStartWait = 30 * time.Second
	labStopWait  = 20 * time.Second
)

// labReadyLine is the last line `tlsgate lab` prints once every listener
// is bound.
const labReadyLine = "Ctrl-C stops."

// PortBlocks hands out disjoint blocks of 100 loopback ports, one per lab
// process: a lab uses base+index for its scenario and base+98, base+99 for
// its helpers. Parallel tests never share a block.
type PortBlocks struct {
	mu   sync.Mutex
	next int
}

// Blocks stay below Linux's ephemeral range (32768 and up by default),
// where any outgoing connection on the machine may hold a port.
const (
	blocksFrom = 20000
	blocksTo   = 32700
)

// NewPortBlocks starts at a random block, which keeps two test binaries
// running at once apart.
func NewPortBlocks() *PortBlocks {
	return &PortBlocks{next: blocksFrom + 100*rand.IntN((blocksTo-blocksFrom)/100)}
}

// Take returns the base port of the next free block.
func (p *PortBlocks) Take() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.next+100 > blocksTo {
		p.next = blocksFrom
	}
	base := p.next
	p.next += 100
	return base
}

// Lab is one running `tlsgate lab`, logging JSON events to LogPath.
type Lab struct {
	Base    int    // the port block's base
	CAFile  string // the lab CA certificate, for clients' --cacert
	LogPath string
	Proc    *Proc
	Stdout  *Buffer
	Stderr  *Buffer
}

// StartLab runs `bin lab` with args in a temp dir and waits for its table.
// A port another process holds makes it retry on a new block.
func StartLab(t testing.TB, blocks *PortBlocks, bin string, args ...string) *Lab {
	t.Helper()
	dir := t.TempDir()
	var last string
	for attempt := 0; attempt < 5; attempt++ {
		p := &Lab{
			Base:    blocks.Take(),
			CAFile:  filepath.Join(dir, "ca", "ca.pem"),
			LogPath: filepath.Join(dir, fmt.Sprintf("events-%d.log", attempt)),
			Stdout:  &Buffer{},
			Stderr:  &Buffer{},
		}
		full := []string{"lab", "--base-port", strconv.Itoa(p.Base), "--log-format", "json",
			"--log-file", p.LogPath, "--ca-dir", filepath.Join(dir, "ca")}
		// The lab serves its admin API on 8474 unless told otherwise:
		// parallel labs take a port each from the kernel.
		if !slices.Contains(args, "--admin") {
			full = append(full, "--admin", "127.0.0.1:0")
		}
		full = append(full, args...)
		cmd := exec.Command(bin, full...)
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = p.Stdout, p.Stderr
		p.Proc = StartProc(t, cmd)
		if p.waitReady(t) {
			return p
		}
		last = p.Stdout.String() + p.Stderr.String()
		if !strings.Contains(last, "address already in use") {
			break
		}
		t.Logf("port block %d busy, retrying: %s", p.Base, strings.TrimSpace(last))
	}
	t.Fatalf("tlsgate lab %s did not start:\n%s", strings.Join(args, " "), last)
	return nil
}

// waitReady reports whether the table appeared before the process exited.
func (p *Lab) waitReady(t testing.TB) bool {
	t.Helper()
	deadline := time.Now().Add(labStartWait)
	for !strings.Contains(p.Stdout.String(), labReadyLine) {
		if p.Proc.Exited() {
			return false
		}
		if time.Now().After(deadline) {
			t.Fatalf("tlsgate lab printed no table within %v:\n%s\n%s", labStartWait, p.Stdout.String(), p.Stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// Stop sends SIGTERM and checks a clean exit with no panic.
func (p *Lab) Stop(t testing.TB) {
	t.Helper()
	if p.Proc.Exited() {
		t.Fatalf("tlsgate lab exited early (%v):\n%s", p.Proc.State(), p.Stderr.String())
	}
	if err := p.Proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	code, ok := p.Proc.WaitExit(labStopWait)
	if !ok {
		t.Fatalf("tlsgate lab still running %v after SIGTERM", labStopWait)
	}
	if code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0:\n%s", code, p.Stderr.String())
	}
	if s := p.Stderr.String(); strings.Contains(s, "panic:") || strings.Contains(s, "fatal error:") {
		t.Errorf("tlsgate lab panicked:\n%s", s)
	}
}

// AdminAddr is the admin API's address of a lab started with --admin (port
// 0 too): the log file names it.
func (p *Lab) AdminAddr(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		t.Fatalf("read the lab log: %v", err)
	}
	return adminAddr(t, string(b))
}
