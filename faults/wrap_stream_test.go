package faults

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestIdleTimeout(t *testing.T) {
	t.Run("rst on next packet", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActIdleTimeout, Timeout: Duration(30 * time.Second)})}, FacingClient, clk.deps())
		defer w.Close()
		clk.Advance(20 * time.Second)
		if _, err := w.Write([]byte("a")); err != nil {
			t.Fatalf("write at 20s: %v", err)
		}
		// Client traffic at 45s keeps the state alive (15s idle).
		clk.Advance(25 * time.Second)
		m.Push([]byte("ping"))
		buf := make([]byte, 8)
		if n, err := w.Read(buf); err != nil || string(buf[:n]) != "ping" {
			t.Fatalf("read at 45s = %q, %v", buf[:n], err)
		}
		clk.Advance(29 * time.Second)
		if _, err := w.Write([]byte("b")); err != nil {
			t.Fatalf("write at 74s (29s idle): %v", err)
		}
		clk.Advance(31 * time.Second)
		if _, err := w.Write([]byte("c")); !errors.Is(err, ErrReset) {
			t.Fatalf("write after 31s idle = %v, want ErrReset", err)
		}
		if string(m.Bytes()) != "ab" {
			t.Errorf("delivered %q", m.Bytes())
		}
		if _, closed := m.State(); !closed {
			t.Error("expired connection not reset")
		}
	})
	t.Run("hold drops", func(t *testing.T) {
		clk := newFakeClock()
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActIdleTimeout, Timeout: Duration(time.Second), Then: ThenHold})}, FacingClient, clk.deps())
		defer w.Close()
		clk.Advance(2 * time.Second)
		if n, err := w.Write([]byte("late")); n != 4 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
		if len(m.Segments()) != 0 {
			t.Error("expired state let bytes through")
		}
	})
}

func TestRewrite(t *testing.T) {
	m := newMemConn()
	r := rule(t, Rule{Action: ActRewrite, HeadersStrip: []string{"strict-transport-security"}, HeadersAdd: []string{"Via: 1.1 bigip"}})
	w := Wrap(m, []*Rule{r}, FacingClient, newFakeClock().deps())
	resp := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nStrict-Transport-Security: max-age=63072000\r\n\r\nok"
	_, _ = w.Write([]byte(resp[:20]))
	if len(m.Segments()) != 0 {
		t.Fatal("an incomplete head went through before rewriting")
	}
	_, _ = w.Write([]byte(resp[20:]))
	_, _ = w.Write([]byte("next"))
	got, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(m.Bytes())), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Strict-Transport-Security") != "" || got.Header.Get("Via") != "1.1 bigip" {
		t.Errorf("headers = %v", got.Header)
	}
	body, _ := io.ReadAll(got.Body)
	if string(body) != "ok" || !bytes.HasSuffix(m.Bytes(), []byte("oknext")) {
		t.Errorf("body = %q, tail = %q", body, m.Bytes())
	}
}

func TestTriggers(t *testing.T) {
	t.Run("reset at response", func(t *testing.T) {
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActReset, Stage: StageResponse})}, FacingClient, newFakeClock().deps())
		_, err := w.Write([]byte("HTTP/1.1 200 OK\r\n"))
		if !errors.Is(err, ErrReset) {
			t.Fatalf("Write = %v", err)
		}
		if len(m.Segments()) != 0 {
			t.Error("the response started before the reset")
		}
		if _, closed := m.State(); !closed {
			t.Error("not reset")
		}
	})
	t.Run("alert instead of the server flight", func(t *testing.T) {
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageServerFlight})}, FacingClient, newFakeClock().deps())
		_, err := w.Write([]byte{22, 3, 3, 0, 1, 2})
		if !errors.Is(err, ErrClosedByFault) {
			t.Fatalf("Write = %v", err)
		}
		if got := m.Bytes(); !bytes.Equal(got, AlertRecord(2, 40, 0x0301)) {
			t.Errorf("sent %v, want the alert record", got)
		}
	})
	t.Run("half-close at server flight", func(t *testing.T) {
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActClose, Direction: S2C, Stage: StageServerFlight})}, FacingClient, newFakeClock().deps())
		if n, err := w.Write([]byte("flight")); n != 6 || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
		fin, closed := m.State()
		if !fin || closed || len(m.Segments()) != 0 {
			t.Errorf("fin %v closed %v segments %d; want a bare FIN", fin, closed, len(m.Segments()))
		}
	})
	t.Run("block page at request", func(t *testing.T) {
		m := newMemConn()
		w := Wrap(m, []*Rule{rule(t, Rule{Action: ActBlockPage, Status: 403, Template: TemplateF5ASM})}, FacingClient, newFakeClock().deps())
		defer w.Close()
		m.Push([]byte("GET /admin HTTP/1.1\r\nHost: a.test\r\n\r\n"))
		// The request never reaches the reader: it sees EOF.
		if n, err := w.Read(make([]byte, 64)); n != 0 || err != io.EOF {
			t.Fatalf("Read = %d, %v; want the request swallowed and EOF", n, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(m.Bytes())), nil)
		if err != nil {
			t.Fatalf("block page: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 403 || !strings.Contains(string(body), "Your support ID is: ") {
			t.Errorf("status %d body %q", resp.StatusCode, body)
		}
		if fin, _ := m.State(); !fin {
			t.Error("no FIN after the block page")
		}
		// The page never passed through a relay, so only Delivered can
		// tell the log that the client got it (it once said down=0B).
		if n, ok := w.(interface{ Delivered() (int64, bool) }).Delivered(); !ok || n != int64(len(m.Bytes())) {
			t.Errorf("Delivered = %d, %v; want %d, true (the page)", n, ok, len(m.Bytes()))
		}
	})
}

func TestFacingBackend(t *testing.T) {
	m := newMemConn()
	rules := []*Rule{
		rule(t, Rule{Action: ActTruncate, Bytes: 3, Direction: C2S}),
		rule(t, Rule{Action: ActTruncate, Name: "s2c", Bytes: 1, Direction: S2C}),
	}
	w := Wrap(m, rules, FacingBackend, newFakeClock().deps())
	defer w.Close()
	_, _ = w.Write([]byte("abcdef"))
	if string(m.Bytes()) != "abc" {
		t.Errorf("c2s write = %q, want abc", m.Bytes())
	}
	m.Push([]byte("xyz"))
	buf := make([]byte, 8)
	if n, _ := w.Read(buf); string(buf[:n]) != "x" {
		t.Errorf("s2c read = %q, want x", buf[:n])
	}
}

func TestResetSendsRST(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	// Wrapped, so Reset must unwrap to the *net.TCPConn.
	w := Wrap(server, []*Rule{rule(t, Rule{Action: ActLatency, Latency: Duration(time.Millisecond)})}, FacingClient, WrapDeps{})
	if err := Reset(w); err != nil {
		t.Fatal(err)
	}
	_, err = client.Read(make([]byte, 1))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("client read after Reset = %v, want connection reset", err)
	}
}
