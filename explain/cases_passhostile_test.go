package explain

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// Hostile and broken clients on listeners that pass TLS through, as a
// hostile-client audit sent them over real sockets (session 24).

// cutHello is a passthrough connection whose client sent the start of a
// hello and its FIN: the listener relayed the partial hello to the backend
// after that FIN, and the backend answered with down bytes (an alert when
// desc is not 0).
func cutHello(mode string, desc uint8, down int64) *Outcome {
	o := answered(nil, nil, down)
	o.Mode, o.JA4 = mode, ""
	o.PeekEnd, o.FirstBytes, o.FirstLen = PeerClosed, tlsBytes, 250
	o.BytesUp = 250
	o.FirstFIN, o.FirstFINAfter = SideClient, o.Duration/2
	if desc != 0 {
		o.Backend.HelloAlert = RecordAlert{Version: tls.VersionTLS12, Level: 2, Desc: desc}
		o.Backend.AnswerLen = copy(o.Backend.AnswerHead[:], []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, desc})
	}
	return o
}

// passHostileCases are those connections, one per fix.
func passHostileCases() []diagCase {
	// s_server answers a record cut off by the end of the stream with
	// decode_error; auto routes TLS to its backend the same way without
	// a client_ssl table.
	cut := cutHello("passthrough", 50, int64(sniff.AlertRecordLen))
	cutAuto := cutHello("auto", 50, int64(sniff.AlertRecordLen))
	cutClosed := cutHello("passthrough", 0, 0)
	// No client-ssl profile stands for a passthrough listener: its
	// undecided, silent and plaintext clients get no BIG-IP line.
	silent := base("passthrough")
	silent.Kind, silent.PeekEnd, silent.Route = sniff.Empty, PeerSilent, "closed"
	stalled := base("passthrough")
	stalled.Kind, stalled.PeekEnd, stalled.FirstBytes, stalled.Route = sniff.Unknown, PeerPartial, []byte{0xa5}, "closed"
	nothing := base("passthrough")
	nothing.Kind, nothing.PeekEnd, nothing.Route = sniff.Empty, PeerClosed, "closed"
	plain := httpOn("passthrough", "non_ssl_reset")
	// A fatal handshake_failure alert as the client's first bytes;
	// s_server answers unexpected_message.
	stray := refusedHello(nil, tls.VersionTLS12, 10)
	stray.Kind, stray.FirstBytes, stray.JA4 = sniff.TLSOther, []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}, ""
	// An SSLv2-only hello; s_server answers protocol_version.
	v2 := refusedHello(nil, tls.VersionTLS12, 70)
	v2.Kind, v2.SSLv2, v2.JA4 = sniff.SSLv2Hello, &sniff.SSLv2ClientHello{Version: 0x0002, WireLen: 48}, ""
	v2.FirstBytes = []byte{0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10}
	// An SSLv3-only hello: -ssl3 is not in OpenSSL 3's s_client.
	v3 := refusedHello(legacyHello(0x0300), tls.VersionTLS12, 70)

	noLine := []string{"without a client-ssl profile", "no BIG-IP line is shown"}
	return []diagCase{
		{name: "client_closed_early_relayed", o: cut, code: CodeClientClosedEarly,
			contains: []string{"sent 250 bytes of a ClientHello and closed its side (FIN)", "relayed the partial hello to 10.0.0.7:8443 after that FIN",
				"the backend answered with alert 50 decode_error and closed", "No ServerHello and no certificate was sent", "no BIG-IP line is shown",
				"15 03 03 00 02 02 32 = alert fatal 50 decode_error"},
			absent: []string{"before a decision", "ca export", "certificate trust", "Nothing from tlsgate: the client chose to close"},
			saw:    "alert 50 decode_error in the clear (`15 03 03 00 02 02 32`), then the close"},
		{name: "client_closed_early_relayed_auto", o: cutAuto, code: CodeClientClosedEarly,
			contains: []string{"relayed the partial hello", "alert 50 decode_error"}, absent: []string{"ca export"}},
		{name: "client_closed_early_relayed_closed", o: cutClosed, code: CodeClientClosedEarly,
			contains: []string{"and the backend closed"}, saw: "the close (FIN), without a byte before it"},
		{name: "client_silent_passthrough", o: silent, code: CodeClientSilent,
			contains: append([]string{"has no handshake timer"}, noLine...)},
		{name: "handshake_timeout_partial_passthrough", o: stalled, code: CodeHandshakeTimeout, contains: noLine},
		{name: "client_closed_nothing_passthrough", o: nothing, code: CodeClientClosedEarly, contains: noLine},
		{name: "plaintext_on_tls_passthrough", o: plain, code: CodePlaintextOnTLS,
			contains: append([]string{"forwards plaintext as it comes"}, noLine...), absent: []string{"In the BIG-IP lines", "ssl_passthru"}},
		{name: "backend_rejected_hello_client_alert", o: stray, code: CodeBackendRejectedHello,
			contains: []string{"opened with an alert record (fatal 40 handshake_failure) instead of a ClientHello", "rejected it with alert 10 unexpected_message",
				"offered no ClientHello", "15 03 03 00 02 02 28"},
			absent: []string{"refused the ClientHello", "client's versions", "-tls1_3"}},
		{name: "backend_rejected_hello_sslv2", o: v2, code: CodeBackendRejectedHello,
			contains: []string{"refused the SSLv2 ClientHello", "offers only SSLv2", "RFC 6176", "-tls1 -cipher DEFAULT@SECLEVEL=0"},
			absent:   []string{"does not say why", "-tls1_3", "-ssl2"}},
		{name: "backend_rejected_hello_ssl3", o: v3, code: CodeBackendRejectedHello,
			contains: []string{"at most SSLv3", "-ssl3 </dev/null", "`enable-ssl3`", "`Unknown option: -ssl3`", "-tls1 -cipher DEFAULT@SECLEVEL=0"}},
	}
}

// TestPassHostileNoBigIP: on every listener that passes TLS through no
// client-side 0126xxxx line appears for these connections, in either
// language, and no placeholder is left unfilled; a fault's refusal on the
// same listener keeps its lines (it imitates a server with the profile).
func TestPassHostileNoBigIP(t *testing.T) {
	checkNoBigIP(t, passHostileCases())
	term := cutHello("terminate", 0, 0)
	term.Route = "closed"
	if d := Diagnose(term); len(d.BigIP) != 1 || strings.Contains(d.Cause, "no BIG-IP line") {
		t.Errorf("terminate: BIG-IP %v, cause %q; want the summary line and no word of its absence", d.BigIP, d.Cause)
	}
}

// checkNoBigIP: none of cases shows a BIG-IP line, in either language,
// and no placeholder is left unfilled.
func checkNoBigIP(t *testing.T, cases []diagCase) {
	t.Helper()
	for _, c := range cases {
		for _, lang := range Langs() {
			d := DiagnoseLang(c.o, lang)
			if len(d.BigIP) != 0 {
				t.Errorf("%s %s: BIG-IP %v, want none", c.name, lang, d.BigIP)
			}
			if text := render(d); strings.Contains(text, "{") {
				t.Errorf("%s %s: unfilled placeholder:\n%s", c.name, lang, text)
			}
		}
	}
}
