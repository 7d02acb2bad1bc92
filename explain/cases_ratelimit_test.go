package explain

// symRateLimit is a rate_limit rule's symptom (rate 5, the default window
// and burst), as faults words it.
const symRateLimit = "http status 429 from the proxy itself (\"local_rate_limited\", with Retry-After and x-envoy-ratelimited: true) for connections over 5 per 1s (burst 5); " +
	"not a TLS error and never relayed to the backend: curl exits 0 and prints local_rate_limited, or (22) The requested URL returned error: 429 with -f; " +
	"Go resp.StatusCode == 429 with err == nil; connections within the rate reach the backend"

// rateLimitCases: a connection over a rate_limit rule's rate had its
// requests answered 429 by the rule; it worked as TLS, and the diagnosis
// names the rule, the exchange and what a rate limit is in the field.
func rateLimitCases() []diagCase {
	limited := fired(handshaken(), firing("api-limit", "rate_limit", "request", "", 0.4, symRateLimit))
	limited.BytesUp, limited.BytesDown = 78, 171
	limited.HTTP1 = []HTTPExchange{{Method: "GET", Target: "/hello", Host: "lab.test", Proto: "HTTP/1.1", Status: 429, RespBytes: 18}}
	return []diagCase{
		{name: "fault_rate_limit", o: limited, code: CodeOK, ok: true,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 " +
				"version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"},
			saw: "429 from the proxy itself (\"local_rate_limited\", with Retry-After and x-envoy-ratelimited: true)",
			contains: []string{"injected by rule api-limit (rate_limit at request)", "Envoy's local rate limit", "honour Retry-After",
				"GET lab.test/hello → 429"}},
	}
}
