package explain

import "github.com/tlsgate/tlsgate/sniff"

// proxyCases are the refusals of a listener that takes PROXY headers
// beyond the missing, unexpected and malformed header of diagCases.
func proxyCases() []diagCase {
	// A required header and a client that sent nothing: the listener
	// refused it rather than relay it without a client address.
	silent := base("plaintext")
	silent.Route, silent.Kind, silent.PeekEnd = "proxy_missing", sniff.Empty, PeerSilent
	silent.Proxy = Proxy{Policy: "v1", Err: "expected a PROXY v1 header, got nothing within the peek timeout of 5s"}
	return []diagCase{
		{name: "client_silent_proxy_required", o: silent, code: CodeClientSilent,
			contains: []string{"not even the PROXY v1 header", "check-send-proxy", "does not relay it", "got nothing within the peek timeout of 5s"},
			saw:      "resets the connection"},
	}
}
