package explain

import (
	"slices"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// redirectOn is plaintext on a redirect listener (non_ssl = "redirect")
// that routed it as route: request is the whole request's first line and
// host its Host header ("" for none).
func redirectOn(route, method, target, proto, host string) *Outcome {
	o := base("terminate")
	o.NonSSL, o.Route, o.Kind = "redirect", route, sniff.HTTP1
	head := method + " " + target + " " + proto + "\r\n"
	if host != "" {
		head += "Host: " + host + "\r\n"
	}
	o.FirstBytes = []byte(head + "\r\n")
	o.HTTP = &sniff.HTTPRequest{Method: method, Target: target, Proto: proto, Host: host}
	return o
}

// redirectCases: a redirect listener that answered with its 400 instead
// (CONNECT, OPTIONS *), and one that redirected a request naming no host
// (HTTP/1.0 without Host) to its own address.
func redirectCases() []diagCase {
	// An HTTP/2 prior-knowledge client that half-closed after its
	// preface: no request line a redirect could use, so the 400, which
	// it cannot read either.
	h2Cut := base("terminate")
	h2Cut.NonSSL, h2Cut.Route, h2Cut.Kind, h2Cut.PeekEnd = "redirect", "non_ssl_http400", sniff.HTTP2, PeerClosed
	h2Cut.FirstBytes = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
	return []diagCase{
		{name: "plaintext_on_tls_redirect_h2_cut", o: h2Cut, code: CodePlaintextOnTLS,
			lines:  []string{lineNotSSL, lineSummary},
			saw:    "tlsgate's non_ssl action, redirect (answered 400: the request had no Host to redirect to), wrote its answer in HTTP/1.1",
			absent: []string{"non_ssl = http400"}},
		{name: "plaintext_on_tls_redirect_connect", o: redirectOn("non_ssl_http400", "CONNECT", "lab.test:443", "HTTP/1.1", "lab.test:443"), code: CodePlaintextOnTLS,
			lines: []string{lineNotSSL, lineSummary}, saw: "CONNECT tunnel failed, response 400"},
		{name: "plaintext_on_tls_redirect_options", o: redirectOn("non_ssl_http400", "OPTIONS", "*", "HTTP/1.1", "lab.test"), code: CodePlaintextOnTLS,
			lines: []string{lineNotSSL, lineSummary}, saw: "names no resource a redirect could point at"},
		{name: "plaintext_on_tls_redirect_http10_no_host", o: redirectOn("non_ssl_redirect", "GET", "/a", "HTTP/1.0", ""), code: CodePlaintextOnTLS,
			lines: []string{lineNotSSL, lineSummary}, saw: "goes to https:// on the address the client connected to, 192.168.20.230:443",
			contains: []string{"GET /a HTTP/1.0"}},
	}
}

// TestRedirectSummary: the summary names the non_ssl action as it turned
// out, in English and Japanese: a redirect listener that answered with its
// 400 says so and why, one that redirected to its own address says that,
// and a redirect to the request's host or a configured 400 is the action
// alone.
func TestRedirectSummary(t *testing.T) {
	fin := redirectOn("non_ssl_http400", "GET", "/", "HTTP/1.1", "")
	fin.FirstBytes, fin.PeekEnd = []byte("GET / HT"), PeerClosed
	absolute := redirectOn("non_ssl_redirect", "GET", "http://lab.test/x", "HTTP/1.0", "")
	tests := []struct {
		name   string
		o      *Outcome
		en, ja string
	}{
		{"no host, cut", fin, "non_ssl action: redirect (answered 400: the request had no Host to redirect to)",
			"non_ssl の動作: redirect（リクエストにリダイレクト先にできる Host がなかったので 400 で応答）"},
		{"connect", redirectOn("non_ssl_http400", "CONNECT", "lab.test:443", "HTTP/1.1", "lab.test:443"),
			"non_ssl action: redirect (answered 400: CONNECT names no resource to redirect to)",
			"non_ssl の動作: redirect（CONNECT はリダイレクト先にできるリソースを指さないので 400 で応答）"},
		{"options", redirectOn("non_ssl_http400", "OPTIONS", "*", "HTTP/1.1", "lab.test"),
			"non_ssl action: redirect (answered 400: OPTIONS names no resource to redirect to)",
			"non_ssl の動作: redirect（OPTIONS はリダイレクト先にできるリソースを指さないので 400 で応答）"},
		{"http/1.0 without host", redirectOn("non_ssl_redirect", "GET", "/a", "HTTP/1.0", ""),
			"non_ssl action: redirect (to the address the client connected to, 192.168.20.230:443: the request named no host)",
			"non_ssl の動作: redirect（リクエストがホストを示していないので、クライアントの接続先アドレス 192.168.20.230:443 へ）"},
		{"absolute-form names the host", absolute, "non_ssl action: redirect", "non_ssl の動作: redirect"},
		{"host", redirectOn("non_ssl_redirect", "GET", "/", "HTTP/1.1", "lab.test"), "non_ssl action: redirect", "non_ssl の動作: redirect"},
		{"http400 configured", httpOn("terminate", "non_ssl_http400"), "non_ssl action: http400", "non_ssl の動作: http400"},
	}
	for _, tt := range tests {
		for lang, want := range map[string]string{LangEN: tt.en, LangJA: tt.ja} {
			d := DiagnoseLang(tt.o, lang)
			if d.Code != CodePlaintextOnTLS || !strings.HasSuffix(d.Summary, want) {
				t.Errorf("%s (%s): %s %q, want it to end %q", tt.name, lang, d.Code, d.Summary, want)
			}
		}
	}
}

// TestRedirectFallbackEvidence: a redirect listener that answered with
// its 400 says both in its non_ssl_action evidence, as the summary does,
// in every language; a redirect or a configured 400 is the action alone.
func TestRedirectFallbackEvidence(t *testing.T) {
	tests := []struct {
		name string
		o    *Outcome
		want string
	}{
		{"connect", redirectOn("non_ssl_http400", "CONNECT", "lab.test:443", "HTTP/1.1", "lab.test:443"), "redirect (answered 400)"},
		{"redirected", redirectOn("non_ssl_redirect", "GET", "/", "HTTP/1.1", "lab.test"), "redirect"},
		{"http400 configured", httpOn("terminate", "non_ssl_http400"), "http400"},
	}
	for _, tt := range tests {
		for _, lang := range Langs() {
			d := DiagnoseLang(tt.o, lang)
			i := slices.IndexFunc(d.Evidence, func(e Evidence) bool { return e.Key == "non_ssl_action" })
			if i < 0 || d.Evidence[i].Value != tt.want {
				t.Errorf("%s (%s): evidence %+v, want non_ssl_action %q", tt.name, lang, d.Evidence, tt.want)
			}
		}
	}
}
