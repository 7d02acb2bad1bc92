package explain

// symRewriteBody is a body rewrite's symptom, as faults words it
// (TestSymptomFixtures).
const symRewriteBody = "no error expected: the response changes (Via added; body: \"Welcome\" replaced by \"You have been hijacked\"); " +
	"the client sees it in the page it reads (curl prints the replaced text), on the first response of a connection; " +
	"a compressed body, or one over 1 MiB, keeps its content"

// rewriteBodyCases: a proxy replaced text in the page. Nothing failed; the
// diagnosis says which rule changed what the client read.
func rewriteBodyCases() []diagCase {
	swapped := fired(handshaken(), firing("swap-welcome", "rewrite", "response", "s2c", 0.6, symRewriteBody))
	swapped.BytesUp, swapped.BytesDown = 517, 4096
	swapped.HTTP1 = []HTTPExchange{{Method: "GET", Target: "/", Host: "lab.test", Proto: "HTTP/1.1", Status: 200, RespBytes: 34}}
	return []diagCase{
		{name: "fault_rewrite_body", o: swapped, code: CodeOK, ok: true,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 " +
				"version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"},
			contains: []string{"injected by rule swap-welcome (rewrite at response)", "text in the page replaced",
				`body: "Welcome" replaced by "You have been hijacked"`}},
	}
}
