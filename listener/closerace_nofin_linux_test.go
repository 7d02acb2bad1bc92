package listener

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/tlsgate/tlsgate/explain"
)

// TestBackendCloseRaceBeforeClientFIN: the close race of a backend that
// closes with the client's close_notify unread, when its reset reaches
// tlsgate before the client's FIN does (a client writes its close_notify
// and closes its socket in two calls, and can be descheduled between
// them). The client here sends its close_notify alone and keeps its
// socket open until the connection is logged, so that order is certain.
// Its last record is a closing alert (an encrypted alert record under TLS
// 1.2, a record of an encrypted alert's size under TLS 1.3): a normal end
// on both engines, and on inspect's bypass, which passes the client's TLS
// through as passthrough does. A client whose last bytes were another
// request, which the reset lost, stays backend_reset.
func TestBackendCloseRaceBeforeClientFIN(t *testing.T) {
	sca := newTestServerCA(t)
	roots := x509.NewCertPool()
	roots.AddCert(sca.cert)
	cases := []struct {
		name    string
		version uint16
		// after is what the client sends once it has read the answer,
		// instead of its close_notify; "" sends the close_notify.
		after    string
		wantCode string
		wantEnd  explain.End
	}{
		{"TLS 1.3 close_notify", tls.VersionTLS13, "", explain.CodeOK, ""},
		{"TLS 1.2 close_notify", tls.VersionTLS12, "", explain.CodeOK, ""},
		{"TLS 1.3 next request", tls.VersionTLS13, "GET /more HTTP/1.1\r\nHost: lab.test\r\n\r\n", explain.CodeBackendReset, explain.EndBackendReset},
		{"TLS 1.2 next request", tls.VersionTLS12, "GET /more HTTP/1.1\r\nHost: lab.test\r\n\r\n", explain.CodeBackendReset, explain.EndBackendReset},
	}
	listeners := []struct {
		name  string
		opts  Options
		route string
	}{
		{"goroutines", Options{Mode: Passthrough, Engine: EngineGoroutines}, "passthrough"},
		{"epoll", Options{Mode: Passthrough, Engine: EngineEpoll}, "passthrough"},
		{"uring", Options{Mode: Passthrough, Engine: EngineUring}, "passthrough"},
		{"inspect-bypass", Options{Mode: Inspect, Bypass: []string{"lab.test"}}, "bypass"},
	}
	for _, l := range listeners {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%s", l.name, tc.name), func(t *testing.T) {
				needEngine(t, l.opts.Engine)
				ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "lab.test")}})
				if err != nil {
					t.Fatal(err)
				}
				backendErr := make(chan error, 1)
				backend := serveEach(t, ln, func(c net.Conn) {
					backendErr <- resetOnUnreadBackend(c.(*tls.Conn))
				})
				opts := l.opts
				opts.Backend = backend
				h := startListener(t, opts, nil)

				c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", h.addr,
					&tls.Config{ServerName: "lab.test", RootCAs: roots, MaxVersion: tc.version})
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
				if _, err := io.WriteString(c, engineRequest); err != nil {
					t.Fatal(err)
				}
				if resp, err := io.ReadAll(c); err != nil || string(resp) != closeRaceBody {
					t.Fatalf("client read %q, %v; want the whole answer", resp, err)
				}
				if tc.after != "" {
					_, err = io.WriteString(c, tc.after)
				} else {
					err = c.CloseWrite() // close_notify, and no FIN
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := <-backendErr; err != nil {
					t.Fatal(err)
				}
				// The client's FIN goes only after the log line.
				r := h.next()
				if r.o.Route != l.route || r.d.Code != tc.wantCode || r.o.End != tc.wantEnd {
					t.Errorf("route %q code %s, end %q (%s); want %q, %s, end %q", r.o.Route, r.d.Code, r.o.End, r.d.Summary, l.route, tc.wantCode, tc.wantEnd)
				}
			})
		}
	}
}

// resetOnUnreadBackend reads one request, answers it with its
// close_notify, waits until the client's next bytes have come through the
// relay and lie unread in its socket, and closes: the unread bytes make its
// kernel reset instead of sending a FIN.
func resetOnUnreadBackend(c *tls.Conn) error {
	_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
	if !skipHeaders(bufio.NewReader(c)) {
		return errors.New("backend: no request")
	}
	if _, err := io.WriteString(c, closeRaceBody); err != nil {
		return fmt.Errorf("backend: write: %w", err)
	}
	if err := c.CloseWrite(); err != nil {
		return fmt.Errorf("backend: close_notify: %w", err)
	}
	raw := c.NetConn().(*net.TCPConn)
	// Polling a socket is no timing assertion: the deadline only stops a
	// broken relay from hanging the test.
	for deadline := time.Now().Add(20 * time.Second); unreadOf(raw) <= 0; {
		if time.Now().After(deadline) {
			return errors.New("backend: the client's bytes never came through the relay")
		}
		time.Sleep(time.Millisecond)
	}
	return raw.Close()
}

// unreadOf is how many bytes wait unread in c's socket (SIOCINQ), or -1.
func unreadOf(c *net.TCPConn) int {
	rc, err := c.SyscallConn()
	if err != nil {
		return -1
	}
	n := int32(-1)
	_ = rc.Control(func(fd uintptr) {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&n))); e != 0 {
			n = -1
		}
	})
	return int(n)
}
