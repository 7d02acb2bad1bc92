package explain

import (
	"net/netip"

	"github.com/tlsgate/tlsgate/sniff"
)

// symConnect407 is a connect_policy rule's symptom with status 407, as
// faults words it.
const symConnect407 = "http status 407 from the explicit proxy, answering the CONNECT before any TLS (no handshake, the server is never reached): " +
	"curl (56) CONNECT tunnel failed, response 407; Go (http.Transport.Proxy) Get \"https://…\": Proxy Authentication Required; " +
	"Python urllib <urlopen error Tunnel connection failed: 407 Proxy Authentication Required>; openssl s_client -proxy s_client: HTTP CONNECT failed, reason= 407 Proxy Authentication Required; " +
	"Chrome ERR_TUNNEL_CONNECTION_FAILED; " +
	"curl -v -x shows < HTTP/1.1 407 Proxy Authentication Required as the proxy's answer with Proxy-Authenticate: Basic realm=\"tlsgate\" " +
	"(curl --proxy-user, or credentials in the proxy URL, send them; the rule answers 407 whether or not they come, as a proxy does that rejects the ones it got)"

// connectRequest is an explicit proxy's CONNECT as the listener read it.
func connectRequest(o *Outcome, line string) *Outcome {
	o.Kind, o.FirstBytes = sniff.HTTP1, []byte(line+"\r\nHost: app.test:443\r\n\r\n")
	o.HTTP, _ = sniff.ParseHTTPRequest(o.FirstBytes)
	return o
}

// connectCases: a listener with connect = "tunnel" (an explicit proxy):
// a tunnel that carried TLS to the backend, a CONNECT it could not read,
// one the client left unfinished, and one a connect_policy rule refused.
func connectCases() []diagCase {
	tunnel := withHello(base("plaintext"), modernHello())
	tunnel.Route, tunnel.ClientTLS = "passthrough", Leg{AlertSent: -1, AlertRecv: -1}
	tunnel.Connect = Connect{Authority: "lab.test:443", Status: 200, HeadLen: 56}
	tunnel.BytesUp, tunnel.BytesDown = 1893, 4120

	bad := connectRequest(base("plaintext"), "CONNECT app.test HTTP/1.1")
	bad.Route = "connect_bad_request"
	bad.Connect = Connect{Authority: "app.test", Status: 400, HeadLen: 49,
		Err: `listener: CONNECT target "app.test" is not host:port (authority-form, RFC 9110 §9.3.6)`}

	left := base("plaintext")
	left.Kind, left.FirstBytes, left.PeekEnd = sniff.HTTP1, []byte("CONNECT app.test:443 HTTP/1.1\r\n"), PeerClosed
	left.Route = "connect_incomplete"
	left.HTTP, _ = sniff.ParseHTTPRequest(left.FirstBytes)
	left.Connect = Connect{Authority: "app.test:443", Err: "the client left before the CONNECT's head ended (31 bytes)"}

	refused := fired(connectRequest(base("plaintext"), "CONNECT app.test:443 HTTP/1.1"),
		firing("proxy-auth", "connect_policy", "connect", "", 0.2, symConnect407))
	refused.Route, refused.FaultApplied = "fault_connect_policy", "connect_policy"
	refused.Connect = Connect{Authority: "app.test:443", Status: 407, HeadLen: 53, ProxyAuth: "Basic"}

	// TLS straight to the proxy port, no CONNECT: curl 7.88.1 pointed at
	// the proxy as the server, or with https_proxy=https://proxy:3128
	// (then SNI is the proxy's name and ALPN http/1.1 alone).
	proxyPort := func(o *Outcome) *Outcome {
		o.Listener, o.Route, o.Connect.Tunnel = "proxy", "tls_on_plain_reset", true
		o.Virtual = netip.MustParseAddrPort("192.168.20.230:3128")
		return o
	}
	hello := modernHello()
	hello.ServerName, hello.ALPN = "proxy.lab.test", []string{"http/1.1"}
	direct := proxyPort(withHello(base("plaintext"), hello))
	direct.ClientTLS.Attempted, direct.JA4 = false, "t13d0607h1_0f2cb44170f4_5c4c70b73fa0"
	// Only a record header's first bytes, then the peek deadline: the
	// hint rides on the fragment's own words.
	stalled := proxyPort(base("plaintext"))
	stalled.Kind, stalled.FirstBytes, stalled.PeekEnd = sniff.TLSHandshake, []byte{22, 3, 1}, PeerPartial
	stalled.HelloErr = "sniff: need more bytes: record header"

	return []diagCase{
		{name: "tls_on_plaintext_proxy_port", o: direct, code: CodeTLSOnPlaintext,
			saw: "curl: (35) Recv failure: Connection reset by peer",
			contains: []string{"on explicit proxy port proxy (192.168.20.230:3128), with no CONNECT before it",
				"`https_proxy=https://192.168.20.230:3128`", "`curl -x http://192.168.20.230:3128 https://<the site>/`",
				"`https_proxy=http://192.168.20.230:3128`", "* Uses proxy env variable https_proxy == 'https://192.168.20.230:3128'",
				"proxyconnect tcp:"},
			absent: []string{"Use http:// for port", "server-ssl profile"}},
		{name: "tls_on_plaintext_proxy_port_stalled", o: stalled, code: CodeTLSOnPlaintext,
			contains: []string{"hello never completed", "Listener proxy is an explicit proxy (connect = \"tunnel\")",
				"`curl -x http://192.168.20.230:3128 https://<the site>/`"},
			absent: []string{"Use http:// for port"}},
		{name: "ok_connect_tunnel", o: tunnel, code: CodeOK, ok: true,
			contains: []string{"CONNECT lab.test:443 → 200", "lab.test", "t13d0607h2_0f2cb44170f4_5c4c70b73fa0"}},
		{name: "connect_bad_request", o: bad, code: CodeConnectBadRequest,
			saw:      "curl: (56) CONNECT tunnel failed, response 400",
			contains: []string{"is not host:port", "CONNECT app.test → 400", "curl -v --noproxy '' -x http://192.168.20.230:443 https://app.test/"}},
		{name: "connect_bad_request_left", o: left, code: CodeConnectBadRequest,
			contains: []string{"before the blank line", "the client left before the CONNECT's head ended", "CONNECT app.test:443 (the client left"}},
		{name: "fault_connect_policy", o: refused, code: CodeFaultInjected,
			saw: "curl (56) CONNECT tunnel failed, response 407",
			contains: []string{"refused CONNECT app.test:443 with 407", "wants credentials", "curl --proxy-user", "CONNECT app.test:443 with Proxy-Authorization: Basic → 407", "answers 407 either way",
				"tlsgate fault disable proxy-auth"}},
	}
}
