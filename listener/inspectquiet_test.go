package listener

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// TestInspectQuietSummaryShowsBothLegs: an inspect connection whose client
// completes the handshake and leaves without a request ("ok, no request")
// is summarised with both legs, client[…] and server[…], like every other
// inspected success, not with the client leg alone.
func TestInspectQuietSummaryShowsBothLegs(t *testing.T) {
	sca := newTestServerCA(t)
	backend := realHTTPS(t, sca.leaf(t, "www.lab.test", "lab.test"))
	h := startListener(t, Options{Mode: Inspect, Backend: backend,
		ClientSSL: &ClientSSL{}, ServerSSL: &ServerSSL{CAFile: sca.file, Verify: true}}, nil)
	c, err := tls.Dial("tcp", h.addr, &tls.Config{RootCAs: h.srv.deps.Minter.CA().Pool(), ServerName: "lab.test"})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	r := h.next()
	if r.d.Code != explain.CodeOK || !r.o.ClientTLS.Done || !r.o.Backend.TLS.Done || r.o.BytesUp != 0 {
		t.Fatalf("code %s, legs %v/%v, up %d: want ok with both legs up and no request", r.d.Code, r.o.ClientTLS.Done, r.o.Backend.TLS.Done, r.o.BytesUp)
	}
	for _, lang := range explain.Langs() {
		d := explain.DiagnoseLang(r.o, lang)
		if !strings.Contains(d.Summary, "client[TLS 1.3") || !strings.Contains(d.Summary, "server[TLS 1.3") {
			t.Errorf("%s: summary %q, want both legs", lang, d.Summary)
		}
		if !strings.Contains(d.Cause, map[string]string{explain.LangEN: "never sent a request", explain.LangJA: "リクエストを送らずに"}[lang]) {
			t.Errorf("%s: cause %q, want the no-request explanation kept", lang, d.Cause)
		}
	}
}
