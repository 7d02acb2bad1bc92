package listener

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/tlsgate/tlsgate/explain"
)

// closeRaceBody is what the close-race backend answers.
const closeRaceBody = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"

// TestBackendCloseRace: a passed-through TLS backend answers, sends its
// close_notify and closes while the client's own close_notify, sent after
// it read everything, is already in its socket unread. Its kernel then
// resets instead of sending a FIN: the common close race of a backend that
// closes first, logged as a normal end, not backend_reset, by both engines.
// So is a backend that closed at once (close_notify and FIN) and resets
// what the client sends after reading it. A backend that resets while the
// client still waits for its answer stays backend_reset.
func TestBackendCloseRace(t *testing.T) {
	sca := newTestServerCA(t)
	roots := x509.NewCertPool()
	roots.AddCert(sca.cert)
	cases := []struct {
		name    string
		backend closeRaceEnd
		// after is what the client sends once it has read the answer,
		// before its close (which sends its close_notify and FIN).
		after    string
		wantCode string
		wantEnd  explain.End
	}{
		{"reset for the client's close_notify, no FIN", resetForUnread, "", explain.CodeOK, ""},
		{"FIN, then a reset of the client's bytes", finAtOnce, "GET /more HTTP/1.1\r\n", explain.CodeOK, ""},
		{"reset before the answer ended", resetMidAnswer, "", explain.CodeBackendReset, explain.EndBackendReset},
	}
	// A terminating listener with a server-ssl profile reads the backend's
	// close_notify itself, so its end is known before any reset: checked
	// beside the two engines of passthrough.
	setups := []struct {
		name string
		opts Options
	}{
		{"passthrough/goroutines", Options{Mode: Passthrough, Engine: EngineGoroutines}},
		{"passthrough/epoll", Options{Mode: Passthrough, Engine: EngineEpoll}},
		{"passthrough/uring", Options{Mode: Passthrough, Engine: EngineUring}},
		{"terminate/server_ssl", Options{Mode: Terminate, ClientSSL: &ClientSSL{}, ServerSSL: &ServerSSL{}}},
	}
	for _, setup := range setups {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%s", setup.name, tc.name), func(t *testing.T) {
				needEngine(t, setup.opts.Engine)
				ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "lab.test")}})
				if err != nil {
					t.Fatal(err)
				}
				backendErr := make(chan error, 1)
				backend := serveEach(t, ln, func(c net.Conn) {
					backendErr <- closeRaceBackend(c.(*tls.Conn), tc.backend)
				})
				opts := setup.opts
				opts.Backend = backend
				h := startListener(t, opts, nil)
				trust := roots
				if opts.Mode == Terminate {
					trust = h.srv.deps.Minter.CA().Pool()
				}
				c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", h.addr, &tls.Config{ServerName: "lab.test", RootCAs: trust})
				if err != nil {
					t.Fatal(err)
				}
				_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
				if _, err := io.WriteString(c, engineRequest); err != nil {
					t.Fatal(err)
				}
				resp, readErr := io.ReadAll(c)
				if tc.after != "" {
					_, _ = io.WriteString(c, tc.after)
				}
				// Close sends the client's close_notify and FIN, as curl and
				// Go clients do once the answer has ended.
				_ = c.Close()
				if tc.backend != resetMidAnswer && (readErr != nil || string(resp) != closeRaceBody) {
					t.Fatalf("client read %q, %v; want the whole answer", resp, readErr)
				}
				if err := <-backendErr; err != nil {
					t.Fatal(err)
				}
				r := h.next()
				if r.d.Code != tc.wantCode || r.o.End != tc.wantEnd {
					t.Errorf("code %s, end %q (%s); want %s, end %q", r.d.Code, r.o.End, r.d.Summary, tc.wantCode, tc.wantEnd)
				}
			})
		}
	}
}

// closeRaceEnd is how the close-race backend ends.
type closeRaceEnd int

const (
	// resetForUnread: it sends its close_notify, waits until the client's
	// FIN has come through the relay (the client's close_notify before it
	// stays unread), and closes; the unread bytes make the kernel reset
	// instead of sending a FIN.
	resetForUnread closeRaceEnd = iota
	// finAtOnce: it closes right after its answer (close_notify and FIN);
	// what the client sends afterwards meets a closed socket and is reset.
	finAtOnce
	// resetMidAnswer: it resets (SO_LINGER 0) after the headers, before
	// the body and its close_notify, with the client still reading.
	resetMidAnswer
)

// closeRaceBackend reads one request and answers it, ending as end says.
func closeRaceBackend(c *tls.Conn, end closeRaceEnd) error {
	_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
	if !skipHeaders(bufio.NewReader(c)) {
		return errors.New("backend: no request")
	}
	raw := c.NetConn().(*net.TCPConn)
	if end == resetMidAnswer {
		head, _, _ := strings.Cut(closeRaceBody, "\r\n\r\n")
		if _, err := io.WriteString(c, head+"\r\n\r\n"); err != nil {
			return fmt.Errorf("backend: write headers: %w", err)
		}
		_ = raw.SetLinger(0)
		return raw.Close()
	}
	if _, err := io.WriteString(c, closeRaceBody); err != nil {
		return fmt.Errorf("backend: write: %w", err)
	}
	if end == finAtOnce {
		return c.Close()
	}
	if err := c.CloseWrite(); err != nil {
		return fmt.Errorf("backend: close_notify: %w", err)
	}
	// Polling a socket state is no timing assertion: the deadline only
	// stops a broken relay from hanging the test.
	for deadline := time.Now().Add(20 * time.Second); tcpStateOf(raw) != closeWaitState; {
		if time.Now().After(deadline) {
			return errors.New("backend: the client's FIN never came through the relay")
		}
		time.Sleep(time.Millisecond)
	}
	return raw.Close()
}

// closeWaitState is TCP_CLOSE_WAIT: the peer's FIN has arrived.
const closeWaitState = 8

// tcpStateOf is tcp_info's tcpi_state for c's socket, or 0.
func tcpStateOf(c *net.TCPConn) byte {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0
	}
	var info [8]byte
	var state byte
	_ = rc.Control(func(fd uintptr) {
		n := uint32(len(info))
		_, _, e := syscall.Syscall6(syscall.SYS_GETSOCKOPT, fd, syscall.IPPROTO_TCP, syscall.TCP_INFO,
			uintptr(unsafe.Pointer(&info[0])), uintptr(unsafe.Pointer(&n)), 0)
		if e == 0 && n > 0 {
			state = info[0]
		}
	})
	return state
}
