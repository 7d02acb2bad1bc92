package listener

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestPassthroughRequestLatencyFiresOnARequest: on passthrough a
// request-stage latency sits on the client's raw socket after its hello,
// where tlsgate sees TLS records it cannot decrypt. It counted as fired
// on every connection it was planned for, a client that refused the
// server's certificate or finished its handshake and left without a
// request included: nothing it delayed was a request. It now fires only
// where it delayed a byte of the client's application data past the
// handshake (any type 23 record under TLS 1.2; under TLS 1.3 those after
// the client's Finished), which the server's hello tells apart. A TLS
// 1.3 close_notify, one more encrypted record, counted as a request; its
// size, which the server's suite fixes, now tells it apart.
func TestPassthroughRequestLatencyFiresOnARequest(t *testing.T) {
	backend, pool := tlsHTTPBackend(t)
	type how func(t *testing.T, addr string, cfg *tls.Config)
	refuse := func(t *testing.T, addr string, cfg *tls.Config) {
		cfg = cfg.Clone()
		cfg.RootCAs = x509.NewCertPool()
		c, err := tls.Dial("tcp", addr, cfg)
		if err == nil {
			c.Close()
			t.Fatal("the client took a certificate it cannot verify")
		}
	}
	leave := func(t *testing.T, addr string, cfg *tls.Config) {
		raw, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		tc := tls.Client(raw, cfg)
		_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			t.Fatal(err)
		}
		// Gone without a close_notify.
		_ = raw.Close()
	}
	// closeNotify leaves after its handshake with a close_notify: under
	// TLS 1.3 one more encrypted record, told from a request by its size.
	closeNotify := func(t *testing.T, addr string, cfg *tls.Config) {
		c, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	request := func(t *testing.T, addr string, cfg *tls.Config) {
		c, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.WriteString(c, "GET /engines HTTP/1.1\r\nHost: lab.test\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		if b, err := io.ReadAll(c); len(b) == 0 {
			t.Fatalf("no response: %v", err)
		}
	}
	clients := []struct {
		name  string
		do    how
		fires int
	}{
		{"refuses the certificate", refuse, 0},
		{"leaves after the handshake", leave, 0},
		{"closes after the handshake", closeNotify, 0},
		{"sends a request", request, 1},
	}
	for _, dir := range []faults.Direction{faults.C2S, faults.Both, faults.S2C} {
		for _, vers := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			for _, cl := range clients {
				name := string(dir) + "/" + tls.VersionName(vers) + "/" + cl.name
				t.Run(name, func(t *testing.T) {
					e := faults.NewEngine(nil)
					if err := e.Add(faults.Rule{Name: "slow-request", Action: faults.ActLatency, Stage: faults.StageRequest,
						Direction: dir, Latency: faults.Duration(time.Millisecond)}); err != nil {
						t.Fatal(err)
					}
					h := startListenerDeps(t, Options{Mode: Passthrough, Backend: backend}, func(d *Deps) { d.Faults = e })
					cl.do(t, h.addr, &tls.Config{ServerName: "lab.test", RootCAs: pool, MinVersion: vers, MaxVersion: vers, NextProtos: []string{"http/1.1"}})
					r := h.next()
					if n := e.List()[0].Fires; n != int64(cl.fires) || len(r.o.Faults) != cl.fires {
						t.Errorf("route %s: fault ls counts %d, log lists %v; want %d", r.o.Route, n, r.o.Faults, cl.fires)
					}
				})
			}
		}
	}
}
