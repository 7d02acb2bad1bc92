package listener

import (
	"crypto/tls"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
	"github.com/tlsgate/tlsgate/sniff"
)

// alertFirstConn writes a warning alert record (user_canceled) before the
// first bytes its TLS client writes, as some stacks do on a reused
// connection; crypto/tls's server drops it and answers the hello.
type alertFirstConn struct {
	net.Conn
	sent bool
}

func (a *alertFirstConn) Write(b []byte) (int, error) {
	if !a.sent {
		a.sent = true
		if _, err := a.Conn.Write([]byte{21, 3, 3, 0, 2, 1, 90}); err != nil {
			return 0, err
		}
	}
	return a.Conn.Write(b)
}

// TestHelloAfterWarningAlert: the hello after a warning alert is read as
// crypto/tls reads it, so routing and SNI-keyed fault rules see it, the
// log names its SNI and JA4 with no warning of an unread hello, and the
// evidence lists the dropped alert. Without sniff's skip, the first bytes
// were a record that is no handshake and the hello went unread.
func TestHelloAfterWarningAlert(t *testing.T) {
	sca := newTestServerCA(t)
	tlsLn, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "lab.test")}})
	if err != nil {
		t.Fatal(err)
	}
	backendTLS := serveEach(t, tlsLn, func(c net.Conn) { _, _ = io.Copy(c, c) })
	block := faults.Rule{Name: "block-sni", SNI: "blocked.test", Stage: faults.StageClientHello, Action: faults.ActReset}
	tests := []struct {
		name, sni string
		mode      Mode
		blocked   bool
	}{
		{"terminate", "lab.test", Terminate, false},
		{"passthrough", "lab.test", Passthrough, false},
		{"sni rule on terminate", "blocked.test", Terminate, true},
		{"sni rule on passthrough", "blocked.test", Passthrough, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Add(block); err != nil {
				t.Fatal(err)
			}
			opts := Options{Mode: tt.mode, Backend: echoBackend(t)}
			if tt.mode == Terminate {
				opts.ClientSSL = &ClientSSL{}
			} else {
				opts.Backend = backendTLS
			}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			raw, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			// A deadline only so a broken listener cannot hang the test.
			_ = raw.SetDeadline(time.Now().Add(30 * time.Second))
			tc := tls.Client(&alertFirstConn{Conn: raw}, &tls.Config{ServerName: tt.sni, InsecureSkipVerify: true})
			herr := tc.Handshake()
			if herr == nil {
				_, _ = tc.Write([]byte("ping"))
				_, _ = io.ReadFull(tc, make([]byte, 4))
				_ = tc.CloseWrite() // close_notify, then the FIN a passthrough relay waits for
				_ = raw.(*net.TCPConn).CloseWrite()
				_, _ = io.Copy(io.Discard, tc)
			}
			r := h.next()
			if r.o.Hello == nil || r.o.Hello.ServerName != tt.sni || r.o.JA4 == "" || r.o.Kind != sniff.TLSHandshake {
				t.Fatalf("hello %+v kind %v JA4 %q; want the hello after the alert read, SNI %s", r.o.Hello, r.o.Kind, r.o.JA4, tt.sni)
			}
			if got := r.o.Hello.Skipped; len(got) != 1 || got[0] != (sniff.SkippedAlert{Offset: 0, Desc: 90}) {
				t.Errorf("skipped %+v, want the user_canceled alert at offset 0", got)
			}
			if tt.blocked {
				if herr == nil || !slices.Equal(r.o.Faults, []string{"block-sni"}) {
					t.Fatalf("handshake %v, faults %v: the SNI rule must see the hello and reset it", herr, r.o.Faults)
				}
				return
			}
			if herr != nil {
				t.Fatalf("handshake: %v (diagnosis %s)", herr, r.d.Code)
			}
			if r.d.Code != explain.CodeOK || len(r.d.Warnings) != 0 || !strings.Contains(r.d.Summary, "sni="+tt.sni) {
				t.Errorf("code %s summary %q warnings %q; want ok naming the SNI, no warning", r.d.Code, r.d.Summary, r.d.Warnings)
			}
			found := false
			for _, ev := range r.d.Evidence {
				found = found || ev.Key == "skipped_records" && strings.Contains(ev.Value, "90 user_canceled at offset 0")
			}
			if !found {
				t.Errorf("evidence %+v lacks the skipped alert", r.d.Evidence)
			}
		})
	}
}
