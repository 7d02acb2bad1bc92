package explain

// symAbortGRPC is an abort rule's symptom with a grpc_status, as faults
// words it (TestSymptomFixtures).
const symAbortGRPC = "http status 429 from the proxy itself (\"fault filter abort\"), not a TLS error and never relayed to the backend: " +
	"curl exits 0 and prints fault filter abort, or (22) The requested URL returned error: 429 with -f; Go resp.StatusCode == 429 with err == nil; " +
	"a gRPC call (content-type application/grpc, over h2, which the listener then offers in ALPN) gets HTTP 200 with grpc-status 14 (UNAVAILABLE) " +
	"and grpc-message fault filter abort in a Trailers-Only response: curl -v --http2 shows < grpc-status: 14; " +
	"a gRPC client reports status UNAVAILABLE with message \"fault filter abort\""

// symAbortPlain is an abort rule's symptom for plain HTTP/1.1.
const symAbortPlain = "http status 429 from the proxy itself (\"fault filter abort\"), not a TLS error and never relayed to the backend: " +
	"curl exits 0 and prints fault filter abort, or (22) The requested URL returned error: 429 with -f; Go resp.StatusCode == 429 with err == nil"

// abortCases: a mesh answered a gRPC call itself. The connection worked;
// the diagnosis names the rule and the exchange it answered.
func abortCases() []diagCase {
	grpc := fired(handshaken(), firing("mesh-abort", "abort", "request", "", 0.7, symAbortGRPC))
	grpc.BytesUp, grpc.BytesDown = 312, 96
	grpc.HTTP1 = []HTTPExchange{{Method: "POST", Target: "/lab.Echo/Say", Host: "lab.test", Proto: "HTTP/2.0", Status: 200}}
	// An abort rule answered plain HTTP that non_ssl = "allow" let in:
	// the answer is the rule's, and the plain backend never saw it.
	allowed := fired(httpOn("passthrough", "non_ssl_allow"), firing("mesh-abort", "abort", "request", "", 0.7, symAbortPlain))
	allowed.NonSSL = "allow"
	allowed.HTTP1 = []HTTPExchange{{Method: "GET", Target: "/", Host: "lab.test:443", Proto: "HTTP/1.1", Status: 429}}
	return []diagCase{
		{name: "plaintext_allowed_abort", o: allowed, code: CodePlaintextAllowed, ok: true,
			contains: []string{"fault rule mesh-abort answered the request in the backend's place"},
			absent:   []string{"A plaintext answer from the plain backend"},
			saw:      "from fault rule mesh-abort, not from the plain backend: http status 429"},
		{name: "fault_abort_grpc", o: grpc, code: CodeOK, ok: true,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 " +
				"version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"},
			contains: []string{"injected by rule mesh-abort (abort at request)", "Envoy's fault filter abort", "grpc-status 14 (UNAVAILABLE)"}},
	}
}
