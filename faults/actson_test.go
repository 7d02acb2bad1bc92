package faults

import (
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// A rule fires only on a connection it can act on, so its fire count and
// the log's "the client should see" never describe something that did not
// happen.
func TestPlanSkipsRulesThatCannotAct(t *testing.T) {
	// It asks for an OCSP staple (status_request), as Go clients do:
	// without it an ocsp_times rule has nothing to act on (certfit_test).
	hello := &sniff.ClientHello{ServerName: "a.test", LegacyVersion: 0x0303, Extensions: []uint16{0, 5}}
	terminated := ConnInfo{Listener: "l", Index: 1, Hello: hello, Decrypted: true}
	passed := ConnInfo{Listener: "l", Index: 1, Hello: hello}
	plain := ConnInfo{Listener: "l", Index: 1, Plain: true}
	tests := []struct {
		rule                      Rule
		terminated, passed, plain bool
	}{
		{Rule{Action: ActChain, Chain: ChainExpired}, true, false, false},
		{Rule{Action: ActChain, Skew: Duration(-3600e9)}, true, false, false},
		{Rule{Action: ActReset, Stage: StageHandshakeDone}, true, false, false},
		{Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageHandshakeDone}, true, false, false},
		{Rule{Action: ActBlockPage}, true, false, true},
		{Rule{Action: ActRewrite, HeadersAdd: []string{"Via: x"}}, true, false, true},
		{Rule{Action: ActHTTPDate, Skew: Duration(-3600e9)}, true, false, true},
		{Rule{Action: ActOCSPTimes, Skew: Duration(3600e9)}, true, false, false},
		{Rule{Action: ActVersion, MinVersion: VersionTLS13}, true, true, false},
		{Rule{Action: ActCipher, Groups: []string{"P-384"}}, true, true, false},
		{Rule{Action: ActReset}, true, true, true},
		// A TLS answer means nothing to a client that sent plaintext.
		{Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageRequest}, true, true, false},
		{Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageResponse}, true, true, false},
		{Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageClientHello}, true, true, false},
		{Rule{Action: ActSNIPolicy}, true, true, false},
		{Rule{Action: ActSSL3ServerHello}, true, true, false},
		{Rule{Action: ActPlaintextReply}, true, true, true},
		{Rule{Action: ActLatency, Latency: Duration(1e6), Stage: StageResponse}, true, true, true},
	}
	for _, tt := range tests {
		tt.rule.Name = "r"
		for _, c := range []struct {
			name string
			ci   ConnInfo
			want bool
		}{{"terminated", terminated, tt.terminated}, {"passed through", passed, tt.passed}, {"plain", plain, tt.plain}} {
			e := NewEngine(nil)
			if err := e.Add(tt.rule); err != nil {
				t.Fatal(err)
			}
			if got := !e.Plan(c.ci).Empty(); got != c.want {
				t.Errorf("%s at %s on a %s connection: fired %v, want %v", tt.rule.Action, tt.rule.Stage, c.name, got, c.want)
			}
			if st := e.List(); !c.want && st[0].Fires != 0 {
				t.Errorf("%s on a %s connection: %d fires counted", tt.rule.Action, c.name, st[0].Fires)
			}
		}
	}
}

// A version or cipher rule acts through a handshake tlsgate runs, or by
// refusing a hello it parsed: on TLS it passes through with a hello beyond
// sniff's parse cap (Hello nil, relayed unread) it cannot act, and must
// not fire. Terminated, crypto/tls reads that hello and enforces it.
func TestPolicyNeedsAHello(t *testing.T) {
	unread := ConnInfo{Listener: "l", Index: 1}
	terminated := ConnInfo{Listener: "l", Index: 1, Decrypted: true}
	for _, r := range []Rule{
		{Name: "r", Action: ActVersion, MinVersion: VersionTLS13},
		{Name: "r", Action: ActCipher, Groups: []string{"P-384"}},
	} {
		for _, c := range []struct {
			name string
			ci   ConnInfo
			want bool
		}{{"passed through, unread", unread, false}, {"terminated, unread by sniff", terminated, true}} {
			e := NewEngine(nil)
			if err := e.Add(r); err != nil {
				t.Fatal(err)
			}
			if got := !e.Plan(c.ci).Empty(); got != c.want {
				t.Errorf("%s on a hello %s: fired %v, want %v", r.Action, c.name, got, c.want)
			}
		}
	}
}

// A connection its listener ends at its first bytes (ConnInfo.ListenerEnds:
// TLS at a plaintext listener, plain HTTP at a TLS listener whose non_ssl
// is not allow) never reaches a later stage, and carries no HTTP or TLS
// past them: a rule there must not fire, whatever it needs. A rule that
// acts on the first bytes still does (an alert at client_hello answers a
// TLS client before a plaintext listener resets it).
func TestListenerEndsKeepsLaterRulesOff(t *testing.T) {
	hello := &sniff.ClientHello{ServerName: "a.test", LegacyVersion: 0x0303}
	tlsEnded := ConnInfo{Listener: "l", Index: 1, Hello: hello, ListenerEnds: true}
	plainEnded := ConnInfo{Listener: "l", Index: 1, Plain: true, ListenerEnds: true}
	tests := []struct {
		rule       Rule
		tls, plain bool
	}{
		{Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageServerFlight}, false, false},
		{Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageRequest}, false, false},
		{Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageIdle, Timeout: Duration(1e9)}, false, false},
		{Rule{Action: ActRecordCorrupt}, false, false},
		{Rule{Action: ActBlockPage}, false, false},
		{Rule{Action: ActAbort}, false, false},
		{Rule{Action: ActRewrite, HeadersAdd: []string{"Via: x"}}, false, false},
		{Rule{Action: ActHTTPDate, Skew: Duration(3600e9)}, false, false},
		{Rule{Action: ActReset, Stage: StageResponse}, false, false},
		{Rule{Action: ActTruncate, Bytes: 10}, false, false},
		{Rule{Action: ActLatency, Latency: Duration(1e6), Stage: StageResponse}, false, false},
		// A plaintext listener resets every TLS client at its hello: a
		// version floor there would take credit for that reset.
		{Rule{Action: ActVersion, MinVersion: VersionTLS13}, false, false},
		// At the first bytes, before the listener's own end.
		{Rule{Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageClientHello}, true, false},
		{Rule{Action: ActReset, Stage: StageClientHello}, true, true},
		{Rule{Action: ActPlaintextReply}, true, true},
	}
	for _, tt := range tests {
		tt.rule.Name = "r"
		for _, c := range []struct {
			name string
			ci   ConnInfo
			want bool
		}{{"TLS", tlsEnded, tt.tls}, {"plain", plainEnded, tt.plain}} {
			e := NewEngine(nil)
			if err := e.Add(tt.rule); err != nil {
				t.Fatal(err)
			}
			if got := !e.Plan(c.ci).Empty(); got != c.want {
				t.Errorf("%s at %s on %s its listener ends: fired %v, want %v", tt.rule.Action, tt.rule.Stage, c.name, got, c.want)
			}
			if st := e.List(); !c.want && st[0].Fires != 0 {
				t.Errorf("%s at %s on %s its listener ends: %d fires counted", tt.rule.Action, tt.rule.Stage, c.name, st[0].Fires)
			}
		}
	}
}
