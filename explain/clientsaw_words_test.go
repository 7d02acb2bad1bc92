package explain

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestMaxConnClientSawNamesCurlSeven: a client refused by max_connections
// gets a reset right after the TCP handshake, and curl most often prints
// "(7) Couldn't connect to server", which reads as a closed port. Both
// languages must name it and say the port is open.
func TestMaxConnClientSawNamesCurlSeven(t *testing.T) {
	o := base("terminate")
	o.Route, o.Kind = "refused_max_conn", sniff.Empty
	for _, tc := range []struct{ lang, notClosed string }{
		{LangEN, "looks like a closed port but is not"},
		{LangJA, "実際は開いている"},
	} {
		d := DiagnoseLang(o, tc.lang)
		for _, w := range []string{"(7) Failed to connect to", "Couldn't connect to server", tc.notClosed, "write:errno=104", "connect: connection reset by peer"} {
			if !strings.Contains(d.ClientSaw, w) {
				t.Errorf("%s: client saw %q lacks %q", tc.lang, d.ClientSaw, w)
			}
		}
	}
}

// TestStallEndClientFINJapanese: the Japanese words of a stalled relay the
// client half-closed say so too, with the backend's alert as its answer.
func TestStallEndClientFINJapanese(t *testing.T) {
	o := caseNamed(t, stallCases(), "handshake_timeout_relayed_client_fin")
	d := DiagnoseLang(o, LangJA)
	for _, w := range []string{"クライアントが 5.002s 後に自分の側を閉じ（FIN）、その後バックエンドがアラート 50 decode_error を返して閉じた"} {
		if !strings.Contains(d.Summary+d.Cause, w) {
			t.Errorf("ja summary %q / cause %q lacks %q", d.Summary, d.Cause, w)
		}
	}
}

// TestProxiedListenerWordsJapanese: the Japanese words name a proxied
// listener by its own address and the VIP as the client's.
func TestProxiedListenerWordsJapanese(t *testing.T) {
	o := caseNamed(t, diagCases(), "tls_on_plaintext_proxied")
	d := DiagnoseLang(o, LangJA)
	text := d.Summary + strings.Join(d.Checks, "\n")
	for _, w := range []string{"リスナー pp1（127.0.0.1:19622。クライアントの接続先は PROXY ヘッダによるとロードバランサの VIP 10.9.9.9:443）",
		"ポート 443（クライアントの接続先。PROXY ヘッダにあるロードバランサの VIP 10.9.9.9:443。リスナー pp1 自体は 127.0.0.1:19622）",
		"リスナー pp1（127.0.0.1:19622）で TLS を話すべきなら"} {
		if !strings.Contains(text, w) {
			t.Errorf("ja %q lacks %q", text, w)
		}
	}
}

// caseNamed finds the outcome of the case called name among cases.
func caseNamed(t *testing.T, cases []diagCase, name string) *Outcome {
	t.Helper()
	for _, c := range cases {
		if c.name == name {
			return c.o
		}
	}
	t.Fatalf("no %s case", name)
	return nil
}
