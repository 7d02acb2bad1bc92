package e2e

import (
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
)

// logLine is one JSON log entry; conn is set for connection events.
type logLine struct {
	Level string     `json:"level"`
	Msg   string     `json:"msg"`
	Conn  *connEvent `json:"conn"`
	// Fields of tlsgate's own lines (max_connections refusals).
	Listener     string `json:"listener"`
	Refused      int64  `json:"refused"`
	RefusedTotal int64  `json:"refused_total"`
}

// connEvent is the harness's event shape (the keys the suites read).
type (
	connEvent = tg.Event
)

// lines parses the JSON log written since the gateway became ready. Only
// complete lines are parsed: the writer may be mid-line.
func (g *gate) lines(t *testing.T) []logLine {
	t.Helper()
	out, _ := tg.JSONLines[logLine](t, g.TestLog(t))
	return out
}

// events returns the connection events of listener name.
func (g *gate) events(t *testing.T, name string) []*connEvent {
	t.Helper()
	var out []*connEvent
	for _, l := range g.lines(t) {
		if l.Conn != nil && l.Conn.Listener == name {
			out = append(out, l.Conn)
		}
	}
	return out
}

// waitEvent waits for an event of listener name that match accepts.
func (g *gate) waitEvent(t *testing.T, name, what string, match func(*connEvent) bool) *connEvent {
	t.Helper()
	deadline := time.Now().Add(tg.EventWait)
	for {
		for _, e := range g.events(t, name) {
			if match(e) {
				return e
			}
		}
		if time.Now().After(deadline) || g.Exited() {
			var seen []string
			for _, e := range g.events(t, name) {
				seen = append(seen, e.String())
			}
			t.Fatalf("no event on listener %s for %s; events seen:\n%s\nprocess output:\n%s",
				name, what, strings.Join(seen, "\n"), g.Output())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// eventFrom waits for the event of the connection from client (ip:port).
func (g *gate) eventFrom(t *testing.T, name, client string) *connEvent {
	t.Helper()
	return g.waitEvent(t, name, "client "+client, func(e *connEvent) bool { return e.Client == client })
}

// onlyEvent waits for the first event of listener name; for listeners that
// see a single connection.
func (g *gate) onlyEvent(t *testing.T, name string) *connEvent {
	t.Helper()
	return g.waitEvent(t, name, "any connection", func(*connEvent) bool { return true })
}

// countEvents waits until listener name has n events with code and returns
// them.
func (g *gate) countEvents(t *testing.T, name, code string, n int) []*connEvent {
	t.Helper()
	deadline := time.Now().Add(tg.EventWait)
	for {
		var got []*connEvent
		for _, e := range g.events(t, name) {
			if e.Diagnosis == code {
				got = append(got, e)
			}
		}
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) || g.Exited() {
			t.Fatalf("listener %s: %d %s events, want %d", name, len(got), code, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// loopback is the client address form events use for a local port.
func loopback(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }

// Exact BIG-IP line texts (bigip-log.md §2, verified templates).
const (
	lineNotSSL             = "01260009:4: Connection error: ssl_passthru:5234: not SSL (40)"
	lineUnsupportedVersion = "01260009:4: Connection error: ssl_hs_rxhello:10026: unsupported version (40)"
	lineNoSharedCiphers    = "01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)"
)

// handshakeFailed is the 01260013 summary line: left opened the TCP
// connection, right accepted it.
func handshakeFailed(left, right string) string {
	return "01260013:4: SSL Handshake failed for TCP " + left + " -> " + right
}

// noSharedPeers is the 01260026 line; it writes ip.port, colon between peers,
// and a final period.
func noSharedPeers(client, virtual string) string {
	return "01260026:4: No shared ciphers between SSL peers " + dotted(client) + ":" + dotted(virtual) + "."
}

func dotted(hostport string) string {
	h, p, _ := net.SplitHostPort(hostport)
	return h + "." + p
}

// wantLines compares an event's BIG-IP lines exactly, in order.
func wantLines(t *testing.T, e *connEvent, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if fmt.Sprintf("%q", e.BigIP) != fmt.Sprintf("%q", want) {
		t.Errorf("bigip lines:\n got %q\nwant %q\nevent: %s", e.BigIP, want, e)
	}
}

// sessionRe is the BIG-IP 17.1 "SSL Handshake details" event for a
// completed handshake. F5 documents it without a message ID, so the line
// must carry none: no "ID:sev:" prefix, not even an empty one.
var sessionRe = regexp.MustCompile(`^SSL Handshake details for TCP (\S+) -> (\S+) entity: (client|server) SID: [0-9a-f]{16} ` +
	`version: (TLSv1(?:\.[123])?) cipher-suite: [A-Z0-9_-]+ key-exchange: \S+ mutual-authentication: false$`)

// wantSessionLines checks that a successful terminated connection logs one
// session event for its client leg (client -> virtual) and, when tlsgate
// spoke TLS to the backend, one for the server leg (tlsgate's local address
// -> backend), and nothing else.
func wantSessionLines(t *testing.T, e *connEvent, version string) {
	t.Helper()
	type leg struct{ left, right, entity string }
	want := []leg{{e.Client, e.Virtual, "client"}}
	if e.Backend.TLS.Done {
		want = append(want, leg{e.Backend.Local, e.Backend.Remote, "server"})
	}
	if len(e.BigIP) != len(want) {
		t.Errorf("bigip lines %q, want %d SSL Handshake details line(s)", e.BigIP, len(want))
		return
	}
	for i, w := range want {
		m := sessionRe.FindStringSubmatch(e.BigIP[i])
		if m == nil || m[1] != w.left || m[2] != w.right || m[3] != w.entity || m[4] != version {
			t.Errorf("bigip line %q,\nwant SSL Handshake details for TCP %s -> %s entity: %s ... version: %s (and no message ID prefix)",
				e.BigIP[i], w.left, w.right, w.entity, version)
		}
	}
}

// wantCode checks the diagnosis code.
func wantCode(t *testing.T, e *connEvent, code string) {
	t.Helper()
	if e.Diagnosis != code {
		t.Errorf("diagnosis = %q, want %q; event: %s", e.Diagnosis, code, e)
	}
}

// ephemeralRe checks a client side is loopback with a port.
var ephemeralRe = regexp.MustCompile(`^127\.0\.0\.1:([1-9][0-9]*)$`)

// clientPort extracts the port of an event's client address.
func clientPort(t *testing.T, e *connEvent) int {
	t.Helper()
	m := ephemeralRe.FindStringSubmatch(e.Client)
	if m == nil {
		t.Fatalf("event client %q is not 127.0.0.1:port", e.Client)
	}
	p, _ := strconv.Atoi(m[1])
	return p
}
