package listener

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// clientCert is a self-signed client certificate for backends that ask
// for one (and accept any).
func clientCert(t *testing.T) tls.Certificate {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestPassthroughNormalHandshakesOK: handshakes that finish normally (a
// resumed session, a HelloRetryRequest, a client certificate, a client
// that closes at once after its handshake) are ok on both engines, never
// a refusal by either side.
func TestPassthroughNormalHandshakesOK(t *testing.T) {
	needEpoll(t)
	cert := clientCert(t)
	type tc struct {
		name    string
		backend func(*tls.Config)
		client  func(*tls.Config)
		request bool // send a request and read the answer; else close after the handshake
		conns   int  // connections in a row, sharing the session cache
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		vn := map[uint16]string{tls.VersionTLS12: "tls12", tls.VersionTLS13: "tls13"}[v]
		cases := []tc{
			{name: vn + "/resumed", conns: 3, request: true},
			{name: vn + "/hrr", backend: func(c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.CurveP256} },
				client: func(c *tls.Config) { c.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256} }, conns: 1, request: true},
			{name: vn + "/client-cert", backend: func(c *tls.Config) { c.ClientAuth = tls.RequireAnyClientCert },
				client: func(c *tls.Config) { c.Certificates = []tls.Certificate{cert} }, conns: 2, request: true},
			{name: vn + "/client-cert-none", backend: func(c *tls.Config) { c.ClientAuth = tls.RequestClientCert }, conns: 1, request: true},
			{name: vn + "/close-after-handshake", conns: 2},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				addr, roots := tlsBackendWith(t, c.backend)
				for _, eng := range testEngines {
					needEngine(t, eng)
					h := startListener(t, Options{Name: "normal", Mode: Passthrough, Backend: addr, Engine: eng}, nil)
					cfg := &tls.Config{ServerName: "lab.test", NextProtos: []string{"http/1.1"}, RootCAs: roots,
						MaxVersion: v, ClientSessionCache: tls.NewLRUClientSessionCache(4)}
					if c.client != nil {
						c.client(cfg)
					}
					for i := 0; i < c.conns; i++ {
						raw := dialGuarded(t, h.addr)
						cl := tls.Client(raw, cfg)
						if err := cl.Handshake(); err != nil {
							t.Fatalf("%s #%d: handshake: %v", eng, i, err)
						}
						resumed := cl.ConnectionState().DidResume
						if c.request {
							if _, err := io.WriteString(cl, engineRequest); err != nil {
								t.Fatal(err)
							}
							if _, err := io.ReadAll(cl); err != nil {
								t.Fatalf("%s #%d: read: %v", eng, i, err)
							}
						}
						if c.request {
							_ = raw.Close() // the backend has closed: a close_notify now would draw its RST
						} else {
							_ = cl.Close()
						}
						r := h.next()
						if r.d.Code != explain.CodeOK {
							t.Errorf("%s #%d (resumed %v): code %s, want ok; client end %+v flight %v up %d down %d hello %d end %q",
								eng, i, resumed, r.d.Code, r.o.Backend.ClientEnd, r.o.Backend.FlightSent, r.o.BytesUp, r.o.BytesDown,
								r.o.Hello.WireLen, r.o.End)
						}
					}
				}
			})
		}
	}
}
