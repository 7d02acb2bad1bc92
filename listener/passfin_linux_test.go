package listener

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestPassthroughFINBeforeFlight: a passed-through client that sends its
// ClientHello and half-closes before the backend's flight was relayed
// closed early and refused nothing (client_closed_early, as on a
// terminate listener), on both engines. The backend reads the hello and
// the client's FIN (which the relay passes on only after reading it)
// before it answers, so the relay's order of events is certain. A client
// that reads the start of the flight and then half-closes stays
// client_rejected_backend/abandoned.
func TestPassthroughFINBeforeFlight(t *testing.T) {
	hello := captureHello(t)
	leaf := newTestServerCA(t).leaf(t, "lab.test")
	cases := []struct {
		name      string
		readFirst bool // read the backend's first bytes before the FIN
		code      string
	}{
		{"fin before the flight", false, explain.CodeClientClosedEarly},
		{"fin after the flight", true, explain.CodeClientRejectedBackend},
	}
	for _, engine := range testEngines {
		for _, tc := range cases {
			t.Run(fmt.Sprintf("%s/%s", engine, tc.name), func(t *testing.T) {
				needEngine(t, engine)
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				backend := serveEach(t, ln, func(c net.Conn) {
					defer c.Close()
					_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
					var conn net.Conn = c
					if !tc.readFirst {
						// The hello and then the client's FIN, before
						// a byte of the answer.
						got, err := io.ReadAll(c)
						if err != nil || len(got) == 0 {
							t.Errorf("backend read %d bytes, %v; want the hello, then EOF", len(got), err)
							return
						}
						conn = &readFromConn{Conn: c, r: bytes.NewReader(got)}
					}
					// The client never finishes: the handshake ends with
					// its FIN, after the flight was written.
					_ = tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{leaf}}).Handshake()
				})
				h := startListener(t, Options{Mode: Passthrough, Backend: backend, Engine: engine}, nil)

				c, err := net.Dial("tcp", h.addr)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
				if _, err := c.Write(hello); err != nil {
					t.Fatal(err)
				}
				if tc.readFirst {
					if _, err := io.ReadAtLeast(c, make([]byte, 64), 1); err != nil {
						t.Fatalf("no backend flight: %v", err)
					}
				}
				if err := c.(*net.TCPConn).CloseWrite(); err != nil {
					t.Fatal(err)
				}
				// A half-closed client still reads the flight and the
				// backend's close.
				_, _ = io.Copy(io.Discard, c)
				r := h.next()
				b := r.o.Backend
				if r.d.Code != tc.code || b.FINBeforeFlight == tc.readFirst || !b.FlightSent || r.o.Route != "passthrough" {
					t.Fatalf("code %s (%s), route %s, FIN before flight %v, flight sent %v; want %s",
						r.d.Code, r.d.Summary, r.o.Route, b.FINBeforeFlight, b.FlightSent, tc.code)
				}
			})
		}
	}
}

// readFromConn reads from r instead of its conn, whose bytes (and EOF)
// were read before: a server that answers only after it saw them all.
type readFromConn struct {
	net.Conn
	r io.Reader
}

func (c *readFromConn) Read(b []byte) (int, error) { return c.r.Read(b) }
