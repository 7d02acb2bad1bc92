package explain

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// relayedUnread is a passthrough connection whose first bytes were TLS of
// a form tlsgate does not parse, passed through to a backend that
// answered: an SSLv2-compatible hello (OpenSSL 0.9.8's SSLv23 client
// offering up to TLS 1.0) or a TLS record that is no handshake.
func relayedUnreadOutcome(kind sniff.Kind) *Outcome {
	o := base("passthrough")
	o.Route, o.Kind = "passthrough", kind
	o.Backend.Addr, o.Backend.Attempted = "10.0.0.7:8443", true
	o.BytesUp, o.BytesDown = 39, 103
	switch kind {
	case sniff.SSLv2Hello:
		o.FirstBytes = []byte{0x80, 0x25, 0x01, 0x03, 0x01}
		o.SSLv2 = &sniff.SSLv2ClientHello{Version: 0x0301, CipherSpecs: []uint32{0x000039, 0x000035, 0x00002f, 0x010080}}
	default:
		o.FirstBytes = []byte{0x17, 0x03, 0x03, 0x00, 0x10}
	}
	return o
}

// TestRelayedUnreadSummary: an SSLv2 hello or a non-handshake TLS record
// relayed on a passthrough listener is TLS that was not terminated, and
// its ok summary says so; it used to read "plaintext sslv2" and
// "plaintext tls_record".
func TestRelayedUnreadSummary(t *testing.T) {
	for _, tc := range []struct {
		kind sniff.Kind
		want map[string]string
	}{
		{sniff.SSLv2Hello, map[string]string{LangEN: "SSLv2-format hello, up to TLS 1.0 (not terminated)", LangJA: "SSLv2 形式の ClientHello（最大 TLS 1.0）（終端せず）"}},
		{sniff.TLSOther, map[string]string{LangEN: "a TLS application_data record, not a handshake (not terminated)", LangJA: "ハンドシェイクではない TLS の application_data レコード（終端せず）"}},
	} {
		for _, lang := range Langs() {
			d := DiagnoseLang(relayedUnreadOutcome(tc.kind), lang)
			if d.Code != CodeOK || !strings.Contains(d.Summary, tc.want[lang]) || strings.Contains(d.Summary, "plaintext") || strings.Contains(d.Summary, "平文") {
				t.Errorf("%s %s: code %s summary %q, want one with %q and no plaintext", tc.kind, lang, d.Code, d.Summary, tc.want[lang])
			}
		}
	}
}
