package listener

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/internal/sserver"
)

// startPlainSServer runs a default `openssl s_server -www` on loopback,
// the backend a hostile-client audit sent broken first bytes through
// passthrough to.
func startPlainSServer(t *testing.T) string {
	t.Helper()
	bin := needTool(t, "openssl", "openssl")
	certFile, keyFile := writeKeyPair(t, clientCert(t))
	addr, err := sserver.Start(t, bin, "s_server", "-accept", "127.0.0.1:0", "-cert", certFile, "-key", keyFile, "-www")
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// sslv2OnlyHello is an SSLv2-format ClientHello offering SSLv2 alone
// (version 0x0002), seven cipher specs and a 16-byte challenge.
func sslv2OnlyHello() []byte {
	b := []byte{0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10,
		0x07, 0x00, 0xc0, 0x05, 0x00, 0x80, 0x03, 0x00, 0x80, 0x01, 0x00, 0x80, 0x06, 0x00, 0x40, 0x04, 0x00, 0x80, 0x02, 0x00, 0x80}
	for range 16 {
		b = append(b, 0xab)
	}
	return b
}

// TestPassthroughHostileFirstBytes sends what a hostile-client audit sent
// to passthrough listeners (and to an auto listener without client_ssl,
// which passes TLS through), with a real s_server behind them, on every
// engine: a real hello cut short by the client's FIN, a fatal alert
// record as the first bytes, and an SSLv2-only hello. Each is relayed and
// refused by the backend; the diagnosis must say what the client sent and
// what the backend answered, with no BIG-IP line, since no client-ssl
// profile stands for these listeners.
func TestPassthroughHostileFirstBytes(t *testing.T) {
	backend := startPlainSServer(t)
	hello := captureHello(t)
	sends := []struct {
		name    string
		data    []byte
		desc    uint8 // s_server's alert
		code    string
		summary string // substring of the summary
	}{
		{"cut-hello", hello[:100], 50, explain.CodeClientClosedEarly, "relayed the partial hello to " + backend + " after that FIN, and the backend answered with alert 50 decode_error"},
		{"alert-first", []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}, 10, explain.CodeBackendRejectedHello, "opened with an alert record (fatal 40 handshake_failure) instead of a ClientHello"},
		{"sslv2-only", sslv2OnlyHello(), 70, explain.CodeBackendRejectedHello, "the client offers only SSLv2"},
	}
	for _, eng := range testEngines {
		for _, mode := range []Mode{Passthrough, Auto} {
			t.Run(string(eng)+"/"+string(mode), func(t *testing.T) {
				needEngine(t, eng)
				opts := Options{Mode: mode, Backend: backend, Engine: eng, PeekTimeout: 5 * time.Second}
				if mode == Auto {
					opts.PlainBackend = backend
				}
				h := startListener(t, opts, nil)
				for _, s := range sends {
					c, err := net.Dial("tcp", h.addr)
					if err != nil {
						t.Fatal(err)
					}
					_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
					if _, err := c.Write(s.data); err != nil {
						t.Fatal(err)
					}
					if err := c.(*net.TCPConn).CloseWrite(); err != nil {
						t.Fatal(err)
					}
					got, _ := io.ReadAll(c)
					c.Close()
					want := []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, s.desc}
					r := h.next()
					if string(got) != string(want) || r.o.Backend.HelloAlert.Desc != s.desc {
						t.Errorf("%s: client read % x, hello alert %+v; want % x from the backend", s.name, got, r.o.Backend.HelloAlert, want)
					}
					if r.d.Code != s.code || !strings.Contains(r.d.Summary, s.summary) || len(r.d.BigIP) != 0 {
						t.Errorf("%s: code %s, BIG-IP %v, summary %q; want %s, no line, and %q", s.name, r.d.Code, r.d.BigIP, r.d.Summary, s.code, s.summary)
					}
					if text := r.d.Cause + strings.Join(r.d.Checks, " "); strings.Contains(text, "ca export") || strings.Contains(text, "-tls1_3") {
						t.Errorf("%s: advice for a lab CA or a TLS 1.3 retry that does not apply:\n%s", s.name, text)
					}
				}
			})
		}
	}
}
