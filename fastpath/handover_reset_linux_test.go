//go:build linux

package fastpath

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// handOverChild marks the process TestFailedHandOverResets runs itself in.
const handOverChild = "TLSGATE_TEST_HANDOVER_CHILD"

// TestFailedHandOverResets: when the client socket cannot become a
// net.Conn (out of file descriptors: net.FileConn needs a duplicate),
// handOver tells the handler why and resets the client, so a client that
// had sent a request reads a reset, not an empty answer. The test lowers
// RLIMIT_NOFILE to the lowest free descriptor for the one call, so the
// duplicate fails as it would in a process at its limit.
func TestFailedHandOverResets(t *testing.T) {
	// The lowered limit covers the whole process, and setting it forgets
	// the limit children inherit: run the test in a child of its own, with
	// no earlier test's descriptors closing (finalizers) under it.
	if os.Getenv(handOverChild) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestFailedHandOverResets$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), handOverChild+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestFailedHandOverResets") {
			t.Fatalf("the test in its own process: %v\n%s", err, out)
		}
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if _, err := client.Write([]byte("GET / HTTP/1.1\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	sc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	// Read as the loop had: with nothing left unread, only SO_LINGER 0
	// turns the close into a reset.
	if _, err := io.ReadFull(sc, make([]byte, len("GET / HTTP/1.1\r\n\r\n"))); err != nil {
		t.Fatal(err)
	}
	f, err := sc.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	cfd, err := syscall.Dup(int(f.Fd()))
	_ = f.Close()
	_ = sc.Close()
	if err != nil {
		t.Fatal(err)
	}

	// The lowest free descriptor: with the limit there, no new one fits.
	probe, err := syscall.Dup(cfd)
	if err != nil {
		t.Fatal(err)
	}
	_ = syscall.Close(probe)
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	restore := func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
			t.Errorf("restoring RLIMIT_NOFILE: %v", err)
		}
	}
	low := old
	low.Cur = uint64(probe)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	defer once.Do(restore)
	h := newTestHandler(netip.AddrPort{})
	handOver(h, &Conn{cfd: cfd, bfd: -1})
	once.Do(restore)

	select {
	case err := <-h.handErr:
		if !errors.Is(err, syscall.EMFILE) {
			t.Errorf("the handler was told %v, want an error wrapping EMFILE", err)
		}
	case hd := <-h.handed:
		hd.Close()
		t.Fatal("the hand-off succeeded at the lowered limit; the test did not make the duplicate fail")
	default:
		t.Fatal("the handler heard nothing of the failed hand-off")
	}
	// A deadline only so a regression fails instead of hanging.
	_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := client.Read(make([]byte, 1)); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("the client read %v, want a reset (connection reset by peer)", err)
	}
}
