package bigiplog

import (
	"encoding/json"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// severityCase is one kind of outcome and the severity its connection must
// carry in every format: 4 (warning) for a failure, 6 (info) for a success.
type severityCase struct {
	name string
	o    *explain.Outcome
	code string // what explain must call it, so the row tests what it says
	sev  int
}

// sevOutcome is a connection on listener web before anything went wrong.
func sevOutcome(mode string) *explain.Outcome {
	return &explain.Outcome{
		ID: 21, Listener: "web", Mode: mode, NonSSL: "reset", Route: mode,
		Client:  netip.MustParseAddrPort("192.168.99.86:32962"),
		Virtual: netip.MustParseAddrPort("192.168.20.230:443"),
		Peer:    netip.MustParseAddrPort("192.168.99.86:32962"),
		PeekEnd: explain.PeerSpoke, PeekTimeout: 5 * time.Second, Duration: 2 * time.Millisecond,
		ClientTLS: explain.Leg{AlertSent: -1, AlertRecv: -1},
		Backend:   explain.Backend{TLS: explain.Leg{AlertSent: -1, AlertRecv: -1}},
	}
}

// sevHello gives o a ClientHello, as a client starting TLS sends it.
func sevHello(o *explain.Outcome) *explain.Outcome {
	o.Kind, o.FirstBytes = sniff.TLSHandshake, []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01}
	o.Hello = okOutcome().Hello
	o.ClientTLS.Attempted = true
	return o
}

// sevBackend is a finished client handshake about to dial the backend.
func sevBackend() *explain.Outcome {
	o := sevHello(sevOutcome("terminate"))
	o.ClientTLS.Done, o.ClientTLS.Version, o.ClientTLS.CipherSuite = true, 0x0304, 0x1301
	o.Backend.Addr, o.Backend.Attempted = "10.0.0.7:8443", true
	return o
}

func severityCases() []severityCase {
	tlsOnPlain := sevHello(sevOutcome("plaintext"))
	tlsOnPlain.ClientTLS.Attempted, tlsOnPlain.Route = false, "plain"
	proxyMissing := sevHello(sevOutcome("terminate"))
	proxyMissing.Proxy.Policy = "v2"
	proxyUnexpected := sevOutcome("terminate")
	proxyUnexpected.Kind, proxyUnexpected.FirstBytes = sniff.ProxyV1, []byte("PROXY TCP4 10.0.0.1 10.0.0.2 51514 443\r\n")
	refused := sevBackend()
	refused.Backend.DialErr, refused.Backend.Refused = "dial tcp 10.0.0.7:8443: connect: connection refused", true
	timedOut := sevBackend()
	timedOut.Backend.DialErr, timedOut.Backend.TimedOut = "dial tcp 10.0.0.7:8443: i/o timeout", true
	health := sevOutcome("terminate")
	health.Route, health.Kind, health.PeekEnd = "closed", sniff.Empty, explain.PeerReset
	health.Proxy = explain.Proxy{Policy: "v2", Version: 2, Local: true}
	allowed := sevOutcome("terminate")
	allowed.NonSSL, allowed.Route, allowed.Kind = "allow", "non_ssl_allow", sniff.HTTP1
	allowed.FirstBytes = []byte("GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n")
	allowed.HTTP = &sniff.HTTPRequest{Method: "GET", Target: "/", Proto: "HTTP/1.1", Host: "lab.test"}
	// A rule that slowed a connection which still worked.
	slowOK := okOutcome()
	slowOK.Faults = []string{"slow-accept"}
	slowOK.FaultFirings = []explain.FaultFiring{{Rule: "slow-accept", Action: "latency", Stage: "accept", Direction: "c2s", Symptom: testSymSlow}}
	return []severityCase{
		// Failures with a BIG-IP group of their own.
		{"plaintext_on_tls", plaintextOutcome(), explain.CodePlaintextOnTLS, 4},
		{"no_shared_cipher", noCipherOutcome("192.168.99.86:32962", "192.168.20.230:636"), explain.CodeNoSharedCipher, 4},
		{"backend_tls_verify", backendVerifyOutcome(), explain.CodeBackendTLSVerify, 4},
		{"fault_wrap_timeout", faultWrapOutcome(), explain.CodeHandshakeTimeout, 4},
		// Failures BIG-IP has no line for: only our lines say so.
		{"tls_on_plaintext", tlsOnPlain, explain.CodeTLSOnPlaintext, 4},
		{"proxy_missing", proxyMissing, explain.CodeProxyMissing, 4},
		{"proxy_unexpected", proxyUnexpected, explain.CodeProxyUnexpected, 4},
		{"backend_refused", refused, explain.CodeBackendRefused, 4},
		{"backend_timeout", timedOut, explain.CodeBackendTimeout, 4},
		{"fault_injected", faultStopOutcome(), explain.CodeFaultInjected, 4},
		// Successes, also one with warnings and one a rule slowed.
		{"ok", okOutcome(), explain.CodeOK, 6},
		{"ok_warnings", inspectOutcome(), explain.CodeOK, 4},
		{"ok_fault_fired", slowOK, explain.CodeOK, 6},
		{"health_check", health, explain.CodeHealthCheck, 6},
		{"plaintext_allowed", allowed, explain.CodePlaintextAllowed, 6},
	}
}

// ltmLineRe splits one bigip or syslog line: optional <PRI>, severity
// word, process, and an optional "ID:digit:" after the PID.
var ltmLineRe = regexp.MustCompile(`^(?:<([0-9]+)>)?[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} \S+ ([a-z]+) (tmm[0-9]*|tlsgate)\[[0-9]+\]: (?:([0-9a-f]{8}):([0-7]): )?`)

// TestSeverityAgrees renders each kind of outcome in every format at the
// level the listener logs it (Level) and checks that all of them give the
// connection one severity: the json and console level, the word of each of
// our bigip lines and its syslog <PRI>. BIG-IP's own lines keep the
// severity their ID carries, word, digit and PRI alike.
func TestSeverityAgrees(t *testing.T) {
	words := map[string]int{"warn": 4, "info": 6}
	for _, tc := range severityCases() {
		d := explain.Diagnose(tc.o)
		if d.Code != tc.code {
			t.Fatalf("%s: diagnosed %s, want %s", tc.name, d.Code, tc.code)
		}
		ent := zapcore.Entry{Level: Level(d), Time: testTime, Message: d.Summary}
		fields := []zapcore.Field{Field(Event{Outcome: tc.o})}
		for _, format := range []string{"bigip", "syslog", "json", "console"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				text := encodeSeverity(t, format, ent, fields)
				lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
				switch format {
				case "json":
					var v struct{ Level string }
					if err := json.Unmarshal([]byte(text), &v); err != nil {
						t.Fatal(err)
					}
					if words[v.Level] != tc.sev {
						t.Errorf("json level %q, want severity %d", v.Level, tc.sev)
					}
				case "console":
					if f := strings.Split(text, "\t"); len(f) < 2 || words[f[1]] != tc.sev {
						t.Errorf("console line %.80q, want severity %d", text, tc.sev)
					}
				default:
					ours := 0
					for _, l := range lines {
						ours += checkLTMSeverity(t, l, format == "syslog", tc.sev)
					}
					if ours == 0 {
						t.Errorf("no tlsgate line in\n%s", text)
					}
				}
			})
		}
	}
}

// encodeSeverity encodes one entry in format ("syslog" is the bigip format
// as the forwarder sends it, with <PRI>).
func encodeSeverity(t *testing.T, format string, ent zapcore.Entry, fields []zapcore.Field) string {
	t.Helper()
	var enc zapcore.Encoder = newLTMEncoder(testOptions, true)
	if format != "syslog" {
		o := testOptions
		o.Format = format
		var err error
		if enc, err = NewEncoder(o); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := enc.EncodeEntry(ent, fields)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Free()
	return buf.String()
}

// checkLTMSeverity checks one bigip or syslog line and reports whether it
// is one of ours: ours carry want; a BIG-IP line its ID's digit (info for
// an ID-less session event); the <PRI> always local0 plus the word's
// severity.
func checkLTMSeverity(t *testing.T, line string, syslog bool, want int) int {
	t.Helper()
	m := ltmLineRe.FindStringSubmatch(line)
	if m == nil || (m[1] != "") != syslog {
		t.Errorf("line not in the ltm form: %q", line)
		return 0
	}
	sev := severityDigit(m[2])
	switch {
	case m[3] == "tlsgate" && sev != want:
		t.Errorf("our line at %s, want %s: %q", m[2], SeverityWord(want), line)
	case m[3] != "tlsgate" && m[4] != "" && strconv.Itoa(sev) != m[5]:
		t.Errorf("BIG-IP line's word %s disagrees with its ID's digit: %q", m[2], line)
	case m[3] != "tlsgate" && m[4] == "" && sev != 6:
		t.Errorf("ID-less BIG-IP line not at info: %q", line)
	}
	if syslog && m[1] != strconv.Itoa(128+sev) {
		t.Errorf("<PRI> %s, want %d for %s: %q", m[1], 128+sev, m[2], line)
	}
	if m[3] == "tlsgate" {
		return 1
	}
	return 0
}

// severityDigit is the severity digit of a syslog level word, -1 if unknown.
func severityDigit(word string) int {
	for sev := 0; sev < 8; sev++ {
		if SeverityWord(sev) == word {
			return sev
		}
	}
	return -1
}
