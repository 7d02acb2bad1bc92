package listener

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// TestLargeHelloFailOpen: a middlebox that gives up on a hello spanning
// segments and passes it unread (large_hello, then = "fail_open") lets a
// Go client's post-quantum hello past an SNI block that resets curl's
// small one for the same name. On a terminating and a passthrough
// listener alike.
func TestLargeHelloFailOpen(t *testing.T) {
	sca := newTestServerCA(t)
	roots := x509.NewCertPool()
	roots.AddCert(sca.cert)
	tlsLn, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{sca.leaf(t, "shop.blocked.test")}})
	if err != nil {
		t.Fatal(err)
	}
	// The backend closes right after its answer, as a Connection: close
	// server does. The Go client's close_notify then meets a closed socket
	// (a reset after the backend's FIN), or lies unread in it when the
	// backend closes (a reset instead of a FIN, which may reach tlsgate
	// before the client's FIN): both are the close race, a normal end.
	tlsBackend := serveEach(t, tlsLn, func(c net.Conn) {
		if skipHeaders(bufio.NewReader(c)) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
		}
	})
	for _, mode := range []Mode{Terminate, Passthrough} {
		t.Run(string(mode), func(t *testing.T) {
			e := faults.NewEngine(nil)
			if err := e.Set([]faults.Rule{
				{Name: "waf-sni-block", SNI: "*.blocked.test", Action: faults.ActReset},
				{Name: "gives-up", Action: faults.ActLargeHello, Then: faults.ThenFailOpen},
			}); err != nil {
				t.Fatal(err)
			}
			opts := Options{Mode: mode, Backend: tlsBackend}
			if mode == Terminate {
				opts.Backend = plainHTTP(t)
			}
			h := startListenerDeps(t, opts, func(d *Deps) { d.Faults = e })
			trust := roots
			caFile := sca.file
			if mode == Terminate {
				trust, caFile = h.srv.deps.Minter.CA().Pool(), labCAFile(t, h)
			}

			// curl's hello (about 500 bytes) fits one segment: the
			// middlebox reads its SNI and the block resets it.
			_, port, _ := net.SplitHostPort(h.addr)
			exit, _, stderr := runTool(t, needTool(t, "curl", "curl"), "-q", "-sS", "--noproxy", "*", "--max-time", "20", "-o", os.DevNull,
				"--cacert", caFile, "--resolve", "shop.blocked.test:"+port+":127.0.0.1", "https://shop.blocked.test:"+port+"/")
			wantSeen(t, seen{exit: exit, out: stderr}, []int{35}, regexp.MustCompile(`^curl: \(35\) Recv failure: Connection reset by peer`))
			r := h.next()
			if r.d.Code != explain.CodeFaultInjected || !slices.Equal(r.o.Faults, []string{"waf-sni-block"}) {
				t.Errorf("curl: code %s, faults %q (%s); want the SNI block alone", r.d.Code, r.o.Faults, r.d.Summary)
			}

			// Go's post-quantum hello (about 1.5 KB) is more than one
			// full-size segment: the middlebox passes it unread.
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", h.addr, &tls.Config{ServerName: "shop.blocked.test", RootCAs: trust})
			if err != nil {
				t.Fatalf("Go client: %v; the fail-open middlebox should have let its large hello through", err)
			}
			_ = c.SetDeadline(time.Now().Add(20 * time.Second))
			if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: shop.blocked.test\r\nConnection: close\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			resp, err := io.ReadAll(c)
			_ = c.Close()
			if err != nil || !strings.HasPrefix(string(resp), "HTTP/1.1 200 OK") {
				t.Errorf("Go client read %q, %v", resp, err)
			}
			r = h.next()
			if r.d.Code != explain.CodeOK || !slices.Equal(r.o.Faults, []string{"gives-up"}) {
				t.Fatalf("Go client: code %s, faults %q (%s); want a normal connection with the fail-open rule alone", r.d.Code, r.o.Faults, r.d.Summary)
			}
			if len(r.o.FaultFirings) != 1 || !strings.HasSuffix(r.o.FaultFirings[0].Symptom, "kept rule waf-sni-block from seeing the hello") {
				t.Errorf("firings %+v: want the blinded SNI rule named", r.o.FaultFirings)
			}
			if !strings.Contains(r.d.Cause, "lets it through unread (fail-open)") {
				t.Errorf("cause %q: want the fail-open middlebox named", r.d.Cause)
			}
		})
	}
}
