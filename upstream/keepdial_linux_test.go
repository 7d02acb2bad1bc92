package upstream

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// keepDialChildEnv names the backend a re-executed test binary dials
// with KeepingDial (TestKeepingDialChild).
const keepDialChildEnv = "TLSGATE_KEEPDIAL_CHILD_ADDR"

// TestKeepingDialChild is the child of TestKeepingDialKeepsTail: it dials
// once and prints what the dial returned. It does nothing on its own.
func TestKeepingDialChild(t *testing.T) {
	addr := os.Getenv(keepDialChildEnv)
	if addr == "" {
		t.Skip("run by TestKeepingDialKeepsTail")
	}
	nd := &net.Dialer{}
	if os.Getenv(keepDialChildDualEnv) != "" {
		nd.Resolver = dualLoopbackResolver()
	}
	fmt.Println("dialing")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := KeepingDial(nd)(ctx, "tcp", addr)
	var rac *ResetAfterConnect
	switch {
	case errors.As(err, &rac):
		fmt.Printf("tail=%q local=%v remote=%v fin=%v\n", rac.Tail, rac.Local != nil, rac.Remote, rac.FIN)
	case err != nil:
		fmt.Printf("error=%v\n", err)
	default:
		c.Close()
		fmt.Println("connected")
	}
}

// TestKeepingDialKeepsTail: a backend accepts, writes and resets before
// the dialing process looks at its connect. Go then calls the connect
// failed and closes the socket; KeepingDial still returns what the
// backend sent (ResetAfterConnect), where a plain dial dropped it. The
// race is made certain with a child process: its connect waits in
// SYN_SENT (the backend's backlog is full), the child is stopped, the
// kernel completes the connection on the SYN's retransmission and takes
// the backend's bytes and reset, and only then does the child run again.
// A backend that sent its FIN before the reset makes Go's connect fail
// with EPIPE instead of ECONNRESET: the same race, kept the same way.
func TestKeepingDialKeepsTail(t *testing.T) {
	for _, fin := range []bool{false, true} {
		name := "reset"
		if fin {
			name = "fin_then_reset"
		}
		t.Run(name, func(t *testing.T) {
			ln, room := fullBacklogListener(t)
			got := keepingDialRace(t, ln, room, ln.Addr().String(), nil, fin)
			want := fmt.Sprintf("tail=%q local=true remote=%v fin=%v", raceSaid, ln.Addr(), fin)
			if len(got) == 0 || got[0] != want {
				t.Errorf("child printed %q; want %q first", got, want)
			}
		})
	}
}

// raceSaid is what the backend of keepingDialRace sends before its end.
const raceSaid = "backend said this, then reset"

// keepingDialRace runs TestKeepingDialChild dialling addr with env added
// to its environment, makes ln's backend accept that connection, write
// raceSaid and reset (after its FIN when fin) while the child is stopped,
// and returns the lines the child printed after "dialing".
func keepingDialRace(t *testing.T, ln *net.TCPListener, room func(), addr string, env []string, fin bool) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeepingDialChild$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), keepDialChildEnv+"="+addr), env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	defer func() {
		_ = syscall.Kill(pid, syscall.SIGCONT)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "dialing" {
		t.Fatalf("child said %q, want dialing", lines.Text())
	}
	waitSynSent(t, ln.Addr().(*net.TCPAddr).AddrPort())
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	room()
	_ = ln.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
	bc, err := ln.AcceptTCP()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bc.Write([]byte(raceSaid)); err != nil {
		t.Fatal(err)
	}
	if fin {
		if err := bc.CloseWrite(); err != nil {
			t.Fatal(err)
		}
	}
	_ = bc.SetLinger(0)
	bc.Close()
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	var got []string
	for lines.Scan() {
		got = append(got, lines.Text())
	}
	return got
}

// waitSynSent waits until a socket of this machine is in SYN_SENT to
// loopback address to (the child's connect, its SYN dropped), reading
// /proc/net/tcp or /proc/net/tcp6.
func waitSynSent(t *testing.T, to netip.AddrPort) {
	t.Helper()
	file, rem := "/proc/net/tcp", fmt.Sprintf("0100007F:%04X", to.Port())
	if to.Addr().Is6() && !to.Addr().Is4In6() {
		file, rem = "/proc/net/tcp6", fmt.Sprintf("00000000000000000000000001000000:%04X", to.Port())
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) > 3 && f[2] == rem && f[3] == "02" {
				return
			}
		}
	}
	t.Fatal("no connect in SYN_SENT within 20s")
}

// fullBacklogListener listens on 127.0.0.1 with a backlog of 0 and one
// connection queued, unaccepted: the kernel drops the next SYN, so a
// connect to it stays in SYN_SENT until the SYN is sent again (about a
// second later) after the queue has room. It returns the listener and a
// func that accepts and closes the queued connection, making that room.
func fullBacklogListener(t *testing.T) (*net.TCPListener, func()) {
	t.Helper()
	return fullBacklogListenerOn(t, syscall.AF_INET, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}})
}

// fullBacklogListenerOn is fullBacklogListener on loopback address sa of
// family.
func fullBacklogListenerOn(t *testing.T, family int, sa syscall.Sockaddr) (*net.TCPListener, func()) {
	t.Helper()
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		syscall.Close(fd)
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "backlog0")
	fl, err := net.FileListener(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	ln := fl.(*net.TCPListener)
	t.Cleanup(func() { ln.Close() })
	filler, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { filler.Close() })
	return ln, func() {
		c, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		filler.Close()
	}
}
