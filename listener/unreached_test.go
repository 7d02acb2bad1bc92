package listener

import (
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// TestDecryptedStagesNeverReachedFireNothing: on a listener that
// terminates TLS, the wrappers and stops of the stages after the client's
// handshake (handshake_done, request, response, idle) go on only once it
// completed and the backend answered the dial. A client that sent its
// ClientHello, read tlsgate's flight and left (closed, or reset) without
// finishing the handshake, and one whose handshake completed in front of a
// backend that refused the dial, met none of those stages; their rules
// were still logged and counted (fault ls, tlsgate_faults_fired_total) as
// fired. A chain rule acts in the handshake itself, when its certificate
// goes out, and stays fired.
func TestDecryptedStagesNeverReachedFireNothing(t *testing.T) {
	a40 := faults.Alert(40)
	late := []faults.Rule{
		{Action: faults.ActTruncate, Bytes: 10, Stage: faults.StageResponse},
		{Action: faults.ActLatency, Latency: faults.Duration(time.Millisecond), Stage: faults.StageRequest},
		{Action: faults.ActBlockPage},
		{Action: faults.ActAbort},
		{Action: faults.ActAlert, Alert: &a40, Stage: faults.StageResponse},
		{Action: faults.ActReset, Stage: faults.StageHandshakeDone},
		{Action: faults.ActIdleTimeout, Timeout: faults.Duration(time.Minute)},
	}
	cases := []struct {
		name string
		// leave is how the client leaves; deadBackend: the handshake
		// completes and the backend refuses the dial.
		rst, deadBackend bool
	}{
		{"hello then close", false, false},
		{"hello then reset", true, false},
		{"backend refused", false, true},
	}
	for _, tc := range cases {
		for _, rule := range late {
			if tc.deadBackend && (rule.Action == faults.ActAbort || rule.Stage == faults.StageHandshakeDone) {
				continue // they act before any backend is dialled
			}
			t.Run(tc.name+"/"+string(rule.Action)+"@"+string(rule.Stage), func(t *testing.T) {
				e := faults.NewEngine(nil)
				rule.Name = "late"
				chain := faults.Rule{Name: "bad-chain", Action: faults.ActChain, Chain: faults.Chain("expired")}
				if err := e.Set([]faults.Rule{rule, chain}); err != nil {
					t.Fatal(err)
				}
				o := Options{Name: "term", Mode: Terminate, ClientSSL: &ClientSSL{}, Backend: hstsBackend(t)}
				if tc.deadBackend {
					o.Backend = closedAddr(t)
				}
				h := startListenerDeps(t, o, func(d *Deps) { d.Faults = e })
				raw, err := net.Dial("tcp", h.addr)
				if err != nil {
					t.Fatal(err)
				}
				defer raw.Close()
				_ = raw.SetDeadline(time.Now().Add(20 * time.Second)) // a bound, not an assertion
				var c net.Conn = raw
				if !tc.deadBackend {
					// The hello goes out; the client's next flight does not.
					c = &helloOnly{Conn: raw}
				}
				err = tls.Client(c, &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true}).Handshake()
				if !tc.deadBackend && !errors.Is(err, errHelloOnly) {
					t.Fatalf("handshake: %v, want it to stop after the hello", err)
				}
				if tc.rst {
					_ = raw.(*net.TCPConn).SetLinger(0)
				}
				_ = raw.Close()
				r := h.next()
				if strings.Join(r.o.Faults, ",") != "bad-chain" {
					t.Errorf("route %s, faults %v, want only bad-chain, whose certificate went out", r.o.Route, r.o.Faults)
				}
				for _, st := range e.List() {
					if want := int64(map[string]int{"bad-chain": 1}[st.Rule.Name]); st.Fires != want {
						t.Errorf("fault ls: %s fired %d times, want %d", st.Rule.Name, st.Fires, want)
					}
				}
				if strings.Contains(r.d.Summary, "late") {
					t.Errorf("summary %q names a rule that did nothing", r.d.Summary)
				}
			})
		}
	}
}

// errHelloOnly is helloOnly's refusal of every write after the first.
var errHelloOnly = errors.New("the test client sends its ClientHello only")

// helloOnly lets the first write (a TLS client's ClientHello) through and
// fails the rest, so the client leaves after reading the server's flight
// without finishing its handshake, whatever the timing.
type helloOnly struct {
	net.Conn
	wrote bool
}

func (h *helloOnly) Write(b []byte) (int, error) {
	if h.wrote {
		return 0, errHelloOnly
	}
	h.wrote = true
	return h.Conn.Write(b)
}
