package explain

import (
	"net/netip"

	"github.com/tlsgate/tlsgate/sniff"
)

// proxyCases are the refusals of a listener that takes PROXY headers
// beyond the missing, unexpected and malformed header of diagCases.
func proxyCases() []diagCase {
	// A required header and a client that sent nothing: the listener
	// refused it rather than relay it without a client address.
	silent := base("plaintext")
	silent.Route, silent.Kind, silent.PeekEnd = "proxy_missing", sniff.Empty, PeerSilent
	silent.Proxy = Proxy{Policy: "v1", Err: "expected a PROXY v1 header, got nothing within the peek timeout of 5s"}
	// Two headers: an outer proxy's, then the real client's, as a chain
	// of two proxies that both add one sends them. The first header has
	// set Client and Virtual; the listener refused the second.
	lb := netip.MustParseAddrPort("10.0.0.1:40004")
	two := base("plaintext")
	two.Route, two.Kind, two.Peer = "proxy_malformed", sniff.ProxyV1, netip.MustParseAddrPort("10.9.9.9:50000")
	two.Client, two.Virtual = lb, testVirtual
	two.FirstBytes = []byte("PROXY TCP4 192.168.99.86 192.168.20.230 32962 443\r\n")
	two.Proxy = Proxy{Policy: "v1", Version: 1, Src: lb, Dst: testVirtual, Second: 1, SecondSrc: testClient, SecondDst: testVirtual,
		Err: "listener: a second PROXY v1 header follows the first (v1 10.0.0.1:40004 -> 192.168.20.230:443): v1 192.168.99.86:32962 -> 192.168.20.230:443"}
	// A v1 header, then the start of a v2 one that never parsed: the
	// mismatch of versions is the second header's, not the listener's.
	mixed := base("plaintext")
	mixed.Route, mixed.Kind, mixed.Client = "proxy_malformed", sniff.ProxyV2, lb
	mixed.FirstBytes = []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11")
	mixed.Proxy = Proxy{Policy: "v1", Version: 1, Src: lb, Dst: testVirtual, Second: 2,
		Err: "listener: a second PROXY v2 header follows the first (v1 10.0.0.1:40004 -> 192.168.20.230:443): PROXY header incomplete when the client closed the connection (14 bytes)"}
	// HAProxy's check-send-proxy: a v2 LOCAL header (no addresses, so
	// Client stays the socket's peer), then the check closes or resets.
	check := base("terminate")
	check.Route, check.Kind, check.PeekEnd = "closed", sniff.Empty, PeerReset
	check.Peer, check.Client = lb, lb
	check.Proxy = Proxy{Policy: "v2", Version: 2, Local: true}
	checkFIN := *check
	checkFIN.PeekEnd = PeerClosed
	// A LOCAL header and then data is a connection like any other.
	localData := *check
	localData.PeekEnd, localData.FirstBytes = PeerReset, []byte("\x16\x03")
	// The v1 form of the same check: `PROXY UNKNOWN\r\n` names no client
	// either (go-proxyproto reads it as the LOCAL command), on a v1 or an
	// optional listener.
	unknown := *check
	unknown.PeekEnd = PeerClosed
	unknown.Proxy = Proxy{Policy: "v1", Version: 1, Local: true}
	unknownRST := unknown
	unknownRST.PeekEnd = PeerReset
	unknownRST.Proxy.Policy = "optional"
	unknownData := unknown
	unknownData.FirstBytes = []byte("\x16\x03")
	return []diagCase{
		{name: "health_check_proxy_unknown_fin", o: &unknown, code: CodeHealthCheck, ok: true,
			contains: []string{"health check from 10.0.0.1:40004", "PROXY v1 UNKNOWN header, then FIN without data", "`PROXY UNKNOWN`", "send-proxy", "BIG-IP logs nothing", "header=v1 protocol=UNKNOWN"},
			absent:   []string{"v2", "LOCAL"}},
		{name: "health_check_proxy_unknown_reset", o: &unknownRST, code: CodeHealthCheck, ok: true,
			contains: []string{"PROXY v1 UNKNOWN header, then RST without data", "policy=optional header=v1 protocol=UNKNOWN"}},
		{name: "proxy_unknown_then_data", o: &unknownData, code: CodeClientClosedEarly,
			lines: []string{"01260013:4: SSL Handshake failed for TCP 10.0.0.1:40004 -> 192.168.20.230:443"}},
		{name: "health_check_proxy_local_reset", o: check, code: CodeHealthCheck, ok: true,
			contains: []string{"health check from 10.0.0.1:40004", "LOCAL", "then RST without data", "check-send-proxy", "BIG-IP logs nothing", "header=v2 command=LOCAL"}},
		{name: "health_check_proxy_local_fin", o: &checkFIN, code: CodeHealthCheck, ok: true,
			contains: []string{"then FIN without data"}},
		{name: "proxy_local_then_data_reset", o: &localData, code: CodeClientResetEarly,
			lines: []string{"01260013:4: SSL Handshake failed for TCP 10.0.0.1:40004 -> 192.168.20.230:443"}},
		{name: "proxy_two_headers", o: two, code: CodeProxyMalformed,
			contains: []string{"two PROXY headers from 10.9.9.9:50000", "first v1 10.0.0.1:40004 -> 192.168.20.230:443, then v1 192.168.99.86:32962 -> 192.168.20.230:443",
				"Two proxies in a chain", "accept-proxy", "spoof",
				"header=v1 src=10.0.0.1:40004 dst=192.168.20.230:443 second=v1 src=192.168.99.86:32962 dst=192.168.20.230:443"},
			absent: []string{"expects v1"}, saw: "before anything reaches the backend"},
		{name: "proxy_two_headers_mixed", o: mixed, code: CodeProxyMalformed,
			contains: []string{"second one (v2)", "second=v2 error="}, absent: []string{"expects v1"}},

		{name: "client_silent_proxy_required", o: silent, code: CodeClientSilent,
			contains: []string{"not even the PROXY v1 header", "check-send-proxy", "does not relay it", "got nothing within the peek timeout of 5s"},
			saw:      "resets the connection"},
	}
}
