package listener

import (
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// endedRoutes are the routes on which the listener ends the connection
// itself, relaying none of it.
var endedRoutes = map[string]bool{
	"closed": true, "tls_on_plain_reset": true,
	"non_ssl_reset": true, "non_ssl_http400": true, "non_ssl_redirect": true,
}

// TestEndsAtFirstBytesAgreesWithRoute walks first bytes of every kind
// (TLS, plaintext, undecided, stalled hello starts, silence) through
// every mode and non_ssl action on real sockets: the fault plan's
// endsAtFirstBytes, asked of the logged Outcome, must say the listener
// ended the connection exactly when route did. Both read one choice
// (choose); endsAtFirstBytes used to repeat route's reasoning, and a
// stalled hello start routed as TLS could be planned as plaintext.
func TestEndsAtFirstBytesAgreesWithRoute(t *testing.T) {
	// The backend reads what comes and closes, so every relay ends; a
	// silent client's relay ends at the read deadline (not an assertion).
	backend := serveEach(t, nil, func(c net.Conn) {
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, _ = c.Read(make([]byte, 64))
	})
	hello := captureHello(t)
	inputs := []struct {
		name string
		b    []byte
	}{
		{"hello", hello},
		{"http", []byte("GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n")},
		{"ssh", []byte("SSH-2.0-probe\r\n")},
		{"binary", []byte{0, 1, 2, 3}},
		{"stalled 16 03", []byte{0x16, 0x03}},
		{"stalled 16", []byte{0x16}},
		{"stalled SSLv2 header", []byte{0x80, 0x2e, 0x01}},
		{"stalled high bit", []byte{0x80}},
		{"stalled GE", []byte("GE")},
		{"silent", nil},
	}
	listeners := []struct {
		name string
		opts Options
	}{
		{"plaintext", Options{Mode: Plaintext}},
		{"auto", Options{Mode: Auto}},
		{"auto client_ssl", Options{Mode: Auto, ClientSSL: &ClientSSL{}}},
		{"passthrough", Options{Mode: Passthrough}},
		{"passthrough allow", Options{Mode: Passthrough, NonSSL: NonSSLAllow}},
		{"passthrough http400", Options{Mode: Passthrough, NonSSL: NonSSLHTTP400}},
		{"terminate", Options{Mode: Terminate}},
		{"terminate redirect", Options{Mode: Terminate, NonSSL: NonSSLRedirect}},
		{"inspect", Options{Mode: Inspect}},
		{"inspect allow", Options{Mode: Inspect, NonSSL: NonSSLAllow}},
	}
	// The connections run side by side, not as parallel subtests (which
	// -parallel bounds by the CPUs): each waits out a deadline or two.
	var wg sync.WaitGroup
	for _, l := range listeners {
		for _, in := range inputs {
			o := l.opts
			o.Backend, o.PlainBackend = backend, backend
			// Deadlines are the stalls' input: long enough that a client
			// descheduled between connect and write still counts as
			// having written.
			o.PeekTimeout, o.HandshakeTimeout, o.IdleTimeout = 1500*time.Millisecond, 1500*time.Millisecond, 10*time.Second
			h := startListener(t, o, nil)
			c := dialGuarded(t, h.addr)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Write(in.b); err != nil {
					t.Errorf("%s/%s: %v", l.name, in.name, err)
					return
				}
				_, _ = io.Copy(io.Discard, c)
				_ = c.Close()
				select {
				case r := <-h.out:
					if ended, predicted := endedRoutes[r.o.Route], h.srv.endsAtFirstBytes(h.srv.choose(r.o)); ended != predicted {
						t.Errorf("%s/%s: route %q (ended %v), endsAtFirstBytes %v (%s)", l.name, in.name, r.o.Route, ended, predicted, r.d.Summary)
					}
				case <-time.After(30 * time.Second):
					t.Errorf("%s/%s: no outcome reported", l.name, in.name)
				}
			}()
		}
	}
	wg.Wait()
}

// TestChooseStalledHelloStart: route's choice for each stalled hello
// start, per mode, as TestStalledRecordPrefix sees it on sockets, without
// them: the choice reads only the Outcome.
func TestChooseStalledHelloStart(t *testing.T) {
	for _, first := range [][]byte{{0x16}, {0x16, 0x03}, {0x80, 0x2e, 0x01}, {0x80, 0x2e, 0x01, 0x00}} {
		for mode, want := range map[Mode]choice{
			Plaintext: chooseResetTLS, Auto: choosePassthrough, Passthrough: choosePassthrough,
			Terminate: chooseTerminate, Inspect: chooseInspectUnread,
		} {
			t.Run(fmt.Sprintf("% x/%s", first, mode), func(t *testing.T) {
				s := &Server{opts: Options{Mode: mode}}
				o := &explain.Outcome{Kind: sniff.Unknown, PeekEnd: explain.PeerPartial}
				keepFirst(o, first)
				if got := s.choose(o); got != want {
					t.Errorf("choice %d, want %d", got, want)
				}
			})
		}
	}
}
