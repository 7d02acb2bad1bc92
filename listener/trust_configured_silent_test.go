package listener

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestTrustConfiguredCertSilentClose: a client that reads tlsgate's
// certificate flight and leaves without an alert (a FIN, or a
// close_notify and a FIN) on a listener serving its configured
// certificate. The diagnosis must name that certificate's issuer; it used
// to say "see `tlsgate ca export`" (client_closed_early) or "Run `tlsgate
// ca export`" and "add … to bypass", which a terminate listener does not
// have (client_rejected_silently). A minted leaf keeps the lab-CA advice.
func TestTrustConfiguredCertSilentClose(t *testing.T) {
	private := newTestServerCA(t) // CN=real server CA
	leaf := issue(t, private.cert, private.key, x509.ExtKeyUsageServerAuth, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour), "lab.test")
	tests := []struct {
		name        string
		max         uint16 // the hello's highest version
		closeNotify bool
		code        string
	}{
		// Under TLS 1.3 a plaintext close_notify after the flight reads
		// as a bad record MAC, so the alert case runs on TLS 1.2.
		{"fin", tls.VersionTLS13, false, explain.CodeClientRejectedSilently},
		{"close_notify", tls.VersionTLS12, true, explain.CodeClientClosedEarly},
	}
	for _, tt := range tests {
		for _, configured := range []bool{true, false} {
			t.Run(tt.name+"/"+map[bool]string{true: "configured", false: "minted"}[configured], func(t *testing.T) {
				cs := &ClientSSL{}
				if configured {
					cs.CertFile, cs.KeyFile = leaf.certPEM, leaf.keyPEM
				}
				h := startListener(t, Options{Mode: Terminate, Backend: plainHTTP(t), ClientSSL: cs}, nil)
				leaveAfterFlight(t, h.addr, captureHelloMax(t, tt.max), tt.closeNotify)
				r := h.next()
				if r.d.Code != tt.code || !r.o.ClientTLS.ServerFlightSent {
					t.Fatalf("code %s (%s), flight sent %v, err %q; want %s after the flight", r.d.Code, r.d.Summary, r.o.ClientTLS.ServerFlightSent, r.o.ClientTLS.Err, tt.code)
				}
				text := r.d.Cause + "\n" + strings.Join(r.d.Checks, "\n")
				if !configured {
					if !strings.Contains(text, "tlsgate ca export") || evidence(r.d, "our_cert") != "" {
						t.Errorf("a minted leaf's diagnosis lost the lab-CA advice:\n%s", text)
					}
					// Only an inspect listener has a bypass to add names to.
					if strings.Contains(text, "to bypass on listener") {
						t.Errorf("a terminate listener's diagnosis suggests bypass:\n%s", text)
					}
					return
				}
				for _, want := range []string{"issued by CN=real server CA", "--cacert <that CA's file>", "client_ssl.cert", "-showcerts"} {
					if !strings.Contains(text, want) {
						t.Errorf("diagnosis does not say %q:\n%s", want, text)
					}
				}
				for _, bad := range []string{"see `tlsgate ca export`", "Run `tlsgate ca export`", "lab-ca.pem", "bypass"} {
					if strings.Contains(text, bad) {
						t.Errorf("diagnosis says %q for a configured certificate:\n%s", bad, text)
					}
				}
				if got := evidence(r.d, "our_cert"); !strings.Contains(got, `issuer="CN=real server CA"`) {
					t.Errorf("our_cert evidence %q", got)
				}
			})
		}
	}
}

// leaveAfterFlight sends hello, reads the first record of tlsgate's
// answer (its flight is one write), then, optionally after a close_notify,
// half-closes and drains, so the kernel sends a FIN, not a reset for
// unread bytes.
func leaveAfterFlight(t *testing.T, addr string, hello []byte, closeNotify bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(trustClientTimeout))
	if _, err := c.Write(hello); err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 5)
	if _, err := io.ReadFull(c, head); err != nil || head[0] != 22 {
		t.Fatalf("no handshake record back: %x %v", head, err)
	}
	if _, err := io.CopyN(io.Discard, c, int64(head[3])<<8|int64(head[4])); err != nil {
		t.Fatal(err)
	}
	if closeNotify {
		if _, err := c.Write([]byte{21, 3, 3, 0, 2, 1, 0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, c)
}

// captureHelloMax is captureHello from a Go client capped at version max.
func captureHelloMax(t *testing.T, max uint16) []byte {
	t.Helper()
	return captureHelloName(t, max, "lab.test")
}

// captureHelloName is captureHelloMax dialling name: an IP address sends
// no SNI, as Go's client omits it for addresses.
func captureHelloName(t *testing.T, max uint16, name string) []byte {
	t.Helper()
	return captureHelloConfig(t, &tls.Config{ServerName: name, InsecureSkipVerify: true, MaxVersion: max})
}

// TestConfiguredChain: the chain a start-up hint must trust is the
// configured certificate's where the client sees it, and none where it
// sees a leaf minted by the lab CA: without a cert file, and on inspect,
// which mints even when client_ssl names a file.
func TestConfiguredChain(t *testing.T) {
	private := newTestServerCA(t) // CN=real server CA
	leaf := issue(t, private.cert, private.key, x509.ExtKeyUsageServerAuth, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour), "lab.test")
	tests := []struct {
		name string
		mode Mode
		file bool
		want string // the leaf's subject, "" for none
	}{
		{"terminate with a cert file", Terminate, true, "CN=lab.test"},
		{"auto with a cert file", Auto, true, "CN=lab.test"},
		{"terminate minting", Terminate, false, ""},
		{"inspect with a cert file", Inspect, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := &ClientSSL{}
			if tt.file {
				cs.CertFile, cs.KeyFile = leaf.certPEM, leaf.keyPEM
			}
			opts := Options{Mode: tt.mode, Backend: "127.0.0.1:1", ClientSSL: cs}
			if tt.mode == Auto {
				opts.PlainBackend = "127.0.0.1:1"
			}
			h := startListener(t, opts, nil)
			chain := h.srv.ConfiguredChain()
			got := ""
			if len(chain) > 0 {
				got = chain[0].Subject.String()
			}
			if got != tt.want {
				t.Errorf("ConfiguredChain leaf %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTrustConfiguredCertNoSNI: a client that sent no SNI and left after
// the flight of a configured certificate is told to dial the name on that
// certificate, not "<name on the certificate>", which tlsgate knows.
func TestTrustConfiguredCertNoSNI(t *testing.T) {
	private := newTestServerCA(t)
	leaf := issue(t, private.cert, private.key, x509.ExtKeyUsageServerAuth, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour), "lab.test")
	cs := &ClientSSL{CertFile: leaf.certPEM, KeyFile: leaf.keyPEM}
	h := startListener(t, Options{Mode: Terminate, Backend: plainHTTP(t), ClientSSL: cs}, nil)
	leaveAfterFlight(t, h.addr, captureHelloName(t, tls.VersionTLS13, "127.0.0.1"), false)
	r := h.next()
	if r.d.Code != explain.CodeClientRejectedSilently || r.o.Hello == nil || r.o.Hello.ServerName != "" {
		t.Fatalf("code %s (%s), hello %+v; want client_rejected_silently without SNI", r.d.Code, r.d.Summary, r.o.Hello)
	}
	text := r.d.Summary + "\n" + r.d.Cause + "\n" + strings.Join(r.d.Checks, "\n")
	if !strings.Contains(text, "-servername lab.test") || strings.Contains(text, "<name on the certificate>") {
		t.Errorf("diagnosis does not dial the certificate's name lab.test:\n%s", text)
	}
}
