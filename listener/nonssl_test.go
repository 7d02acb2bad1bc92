package listener

import (
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// wrapped hides a *net.TCPConn behind another type that passes CloseWrite
// on, as the fault and capture wrappers do, and keeps what is read.
type wrapped struct {
	tc   *net.TCPConn
	mu   sync.Mutex
	read bytes.Buffer
}

func (w *wrapped) Read(p []byte) (int, error) {
	n, err := w.tc.Read(p)
	w.mu.Lock()
	w.read.Write(p[:n])
	w.mu.Unlock()
	return n, err
}

func (w *wrapped) CloseWrite() error { return w.tc.CloseWrite() }

type wrappedConn struct {
	*wrapped
	net.Conn
}

func (c wrappedConn) Read(p []byte) (int, error) { return c.wrapped.Read(p) }

// TestReplyHalfClosesThroughWrappers: the 400 or 301 reply is followed by a
// FIN even when the connection is wrapped, so the client reads the reply
// to its end while tlsgate still drains what it sends. Only *net.TCPConn
// used to be half-closed: behind a wrapper the client saw the end only
// when the drain gave up, and its later bytes met a closed socket.
func TestReplyHalfClosesThroughWrappers(t *testing.T) {
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	w := &wrapped{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tc, err := ln.AcceptTCP()
		if err != nil {
			return
		}
		w.tc = tc
		replyAndClose(wrappedConn{w, tc}, "400 Bad Request", "", "plain HTTP sent to a TLS port\n")
	}()
	c := dialGuarded(t, ln.Addr().String())
	reply, err := io.ReadAll(c) // ends at tlsgate's FIN
	if err != nil || !strings.HasPrefix(string(reply), "HTTP/1.1 400 Bad Request") {
		t.Fatalf("reply %q, err %v", reply, err)
	}
	if _, err := io.WriteString(c, "after-the-reply"); err != nil {
		t.Fatalf("write after the reply: %v", err)
	}
	_ = c.CloseWrite()
	<-done
	w.mu.Lock()
	defer w.mu.Unlock()
	if !strings.Contains(w.read.String(), "after-the-reply") {
		t.Errorf("the drain read %q: the reply's end came only with the close", w.read.String())
	}
}
