package explain

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// autoClosed is a connection an auto listener closed before its bytes
// were TLS: first, then the client's FIN (end PeerClosed) or reset.
func autoClosed(first []byte, kind sniff.Kind, end PeerEnd) *Outcome {
	o := base("auto")
	o.Route, o.Kind, o.PeekEnd, o.FirstBytes, o.FirstLen = "closed", kind, end, first, len(first)
	return o
}

// autoClosedCases: an auto listener's client-ssl side runs only for the
// connections it took to terminate (Outcome.Terminated); one it closed
// undecided shows no 0126xxxx line, and says why without claiming the
// listener passed TLS through.
func autoClosedCases() []diagCase {
	noLine := []string{"(mode auto) never took this connection into a TLS handshake", "no BIG-IP line is shown"}
	notPass := []string{"passes TLS through", "through passthrough the certificate"}
	return []diagCase{
		{name: "client_closed_early_auto", o: autoClosed(nil, sniff.Empty, PeerClosed), code: CodeClientClosedEarly,
			contains: noLine, absent: notPass},
		{name: "client_closed_early_auto_tls_prefix", o: autoClosed([]byte{0x16, 0x03}, sniff.Unknown, PeerClosed), code: CodeClientClosedEarly,
			contains: noLine, absent: notPass},
		{name: "client_reset_early_auto", o: autoClosed(nil, sniff.Empty, PeerReset), code: CodeClientResetEarly,
			contains: noLine, absent: notPass},
	}
}

// TestAutoClosedNoBigIP: none of those shows a line, in either language,
// with every placeholder filled; the same connection on a terminate
// listener, or one an auto listener took to terminate, keeps its summary.
func TestAutoClosedNoBigIP(t *testing.T) {
	checkNoBigIP(t, autoClosedCases())
	term := autoClosed([]byte{0x16, 0x03}, sniff.Unknown, PeerClosed)
	term.Mode = "terminate"
	took := autoClosed(tlsBytes, sniff.TLSHandshake, PeerClosed)
	took.Route, took.Terminated = "terminate", true
	for name, o := range map[string]*Outcome{"terminate": term, "auto terminated": took} {
		if d := Diagnose(o); len(d.BigIP) == 0 || strings.Contains(d.Cause, "no BIG-IP line") {
			t.Errorf("%s: BIG-IP %v, cause %q; want the summary line and no word of its absence", name, d.BigIP, d.Cause)
		}
	}
}

// TestModePlaceholdersAgree: the BIG-IP comparisons a cause or check
// makes (remove the profile, Non-SSL Connections, the handshake timer)
// are worded for a virtual server without a client-ssl profile exactly
// where no BIG-IP line is shown for that reason (cause_arrows empty), and
// the trust hint names the backend's CA exactly where the TLS is passed
// through: one fact each, whatever the mode and route.
func TestModePlaceholdersAgree(t *testing.T) {
	type conn struct {
		mode, route string
		terminated  bool
		pass        bool // no client-ssl profile ran
		backendCert bool // the certificate is the backend's
	}
	for _, c := range []conn{
		{"passthrough", "passthrough", false, true, true},
		{"passthrough", "closed", false, true, true},
		{"passthrough", "non_ssl_reset", false, true, true},
		{"auto", "passthrough", false, true, true},
		{"auto", "closed", false, true, false},
		{"auto", "plain", false, true, false},
		{"auto", "terminate", true, false, false},
		{"inspect", "bypass", true, true, true},
		{"inspect", "inspect", true, false, false},
		{"inspect", "non_ssl_reset", false, false, false},
		{"terminate", "terminate", true, false, false},
		{"terminate", "closed", false, false, false},
	} {
		o := base(c.mode)
		o.Route, o.Terminated = c.route, c.terminated
		f := deriveFacts(o)
		f.lang = LangEN
		fill := func(name string) string {
			v, ok := f.modePlaceholder(name)
			if !ok {
				t.Fatalf("%s unknown", name)
			}
			return v
		}
		if got := fill("cause_arrows") == ""; got != c.pass {
			t.Errorf("%s/%s: cause_arrows empty %v, want %v", c.mode, c.route, got, c.pass)
		}
		for name, key := range map[string]string{"bigip_plain_mode": "bigip_plain_mode_pass", "bigip_allow": "bigip_allow_pass", "bigip_silent": "bigip_silent_pass"} {
			want := f.say(key)
			if name == "bigip_silent" {
				want = f.expand(want)
			}
			if got := fill(name) == want; got != c.pass {
				t.Errorf("%s/%s: %s worded without a profile %v, want %v", c.mode, c.route, name, got, c.pass)
			}
		}
		if got := fill("trust_hint") == f.say("trust_hint_pass"); got != c.backendCert {
			t.Errorf("%s/%s: trust_hint names the backend's CA %v, want %v", c.mode, c.route, got, c.backendCert)
		}
	}
}
