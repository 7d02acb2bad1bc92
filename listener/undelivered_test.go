package listener

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/faults"
)

// bodyBackend answers every request with a 200 whose body is n bytes, head
// and body in one write.
func bodyBackend(t *testing.T, n int) string {
	t.Helper()
	return serveEach(t, nil, func(c net.Conn) {
		br := bufio.NewReader(c)
		for skipHeaders(br) {
			_, _ = io.WriteString(c, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", n, strings.Repeat("x", n)))
		}
	})
}

// TestResponseCutIsNotDelivered: the exchange the live view draws says
// whether the backend's response reached the client. Before, a reset at
// the response left the backend's 200 in the event, so the timeline showed
// a 200 reaching the client while curl printed (56) Connection reset.
func TestResponseCutIsNotDelivered(t *testing.T) {
	a40 := faults.Alert(40)
	cases := []struct {
		name        string
		rule        *faults.Rule
		body        int
		undelivered bool
	}{
		{"no fault", nil, 2, false},
		{"reset at response", &faults.Rule{Action: faults.ActReset, Stage: faults.StageResponse}, 2, true},
		{"alert at response", &faults.Rule{Action: faults.ActAlert, Alert: &a40, Stage: faults.StageResponse}, 2, true},
		// Above TLS: the response is one write, too large for the path.
		{"mtu stall at the response", &faults.Rule{Action: faults.ActMTU, Stage: faults.StageResponse, MTU: 1400}, 4000, true},
		// Beneath TLS the handshake fits a 1400-byte path, and so does the
		// response's first record (crypto/tls starts small), which carries
		// the head: the status got through before the stall.
		{"mtu stall beneath TLS after the head", &faults.Rule{Action: faults.ActMTU, Stage: faults.StageServerFlight, MTU: 1400}, 4000, false},
		// A 1200-byte path still fits the handshake flight but not that
		// first record: nothing of the response got through.
		{"mtu stall beneath TLS of the head", &faults.Rule{Action: faults.ActMTU, Stage: faults.StageServerFlight, MTU: 1200}, 4000, true},
		// A cut after the head: the client got the status, then lost the body.
		{"truncate in the body", &faults.Rule{Action: faults.ActTruncate, Stage: faults.StageResponse, Bytes: 100, Then: faults.ThenFIN}, 4000, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := faults.NewEngine(nil)
			if tc.rule != nil {
				tc.rule.Name = "cut"
				if err := e.Add(*tc.rule); err != nil {
					t.Fatal(err)
				}
			}
			h := startListenerDeps(t, Options{Mode: Terminate, Backend: bodyBackend(t, tc.body), ClientSSL: &ClientSSL{}},
				func(d *Deps) { d.Faults = e })
			raw, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			// How long the client waits is the stall's input (it gives up),
			// not an assertion.
			_ = raw.SetDeadline(time.Now().Add(2 * time.Second))
			c := tls.Client(raw, &tls.Config{ServerName: "lab.test", RootCAs: h.srv.deps.Minter.CA().Pool(),
				CurvePreferences: []tls.CurveID{tls.X25519}})
			_, _ = io.WriteString(c, "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n")
			got, rerr := io.ReadAll(io.LimitReader(c, int64(tc.body)+64))
			c.Close()
			r := h.next()
			if tc.rule != nil && tc.rule.MTU > 0 && !r.o.ClientTLS.Done {
				t.Skipf("the handshake flight no longer fits a %d-byte path: %s", tc.rule.MTU, r.d.Summary)
			}
			if len(r.o.HTTP1) != 1 || r.o.HTTP1[0].Status != 200 {
				t.Fatalf("exchanges %+v, want the backend's 200", r.o.HTTP1)
			}
			x := r.o.HTTP1[0]
			if x.Undelivered != tc.undelivered {
				t.Errorf("undelivered %v, want %v (client read %d bytes %.20q, %v; bytes down %d)",
					x.Undelivered, tc.undelivered, len(got), got, rerr, r.o.BytesDown)
			}
			if gotStatus := strings.HasPrefix(string(got), "HTTP/1.1 200"); gotStatus == tc.undelivered {
				t.Errorf("client read %.20q: the status reached it %v, the event says undelivered %v", got, gotStatus, x.Undelivered)
			}
			t.Logf("%s", explain.ExchangeText(x))
		})
	}
}
