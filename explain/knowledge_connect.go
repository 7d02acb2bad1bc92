package explain

import (
	"net/http"
	"strconv"
)

// CodeConnectBadRequest: a listener with connect = "tunnel" (an explicit
// proxy) read a CONNECT it could not serve and answered 400, or the client
// left before its CONNECT's head ended.
const CodeConnectBadRequest = "connect_bad_request"

// ruleConnectBadRequest: the explicit proxy's CONNECT never became a
// tunnel for a reason of the request's own; nothing after it happened.
func ruleConnectBadRequest(f *facts) (verdict, bool) {
	switch f.o.Route {
	case "connect_bad_request":
		return verdict{code: CodeConnectBadRequest}, true
	case "connect_incomplete":
		return verdict{code: CodeConnectBadRequest, variant: "left"}, true
	}
	return verdict{}, false
}

// checkConnectCurl is the first check of every CONNECT refusal: curl shows
// the proxy's status line before any TLS.
const checkConnectCurl = "Ask the proxy what it answers: `curl -v --noproxy '' -x http://{virtual} https://{connect_authority}/` prints `> CONNECT {connect_authority} HTTP/1.1` and the proxy's own status line (`< HTTP/1.1 …`) before any TLS; a TLS error could only come after a 200 Connection established. (`--noproxy ''` overrides a NO_PROXY that would send curl around the proxy.)"

// proxyPortChecks are the checks for TLS straight to an explicit proxy's
// port, a whole hello (variant proxy) or a fragment of one (proxy_*, see
// addProxyFragments).
var proxyPortChecks = []string{
	"Give the client the proxy as a proxy, with the http scheme: `curl -x http://{virtual} https://<the site>/`, or `https_proxy=http://{virtual}` in its environment (http:// even for https:// sites: the TLS runs end to end inside the tunnel, not to the proxy).",
	"Find which mistake it is: `env | grep -i _proxy` (an `https_proxy=https://…` is the second; curl's -v output shows it as `* Uses proxy env variable https_proxy == 'https://…'` before the ClientHello), and the URL the client fetches (the site's name, not the proxy's address {virtual}).",
	"If clients should reach the backend here directly over TLS, listener {listener} ({listener_addr}) is the wrong port for them: point them at a TLS listener, or give this one mode = \"passthrough\" or \"terminate\" instead of connect = \"tunnel\".",
}

// proxyFragmentTail tells a fragment of a hello on an explicit proxy's
// port (a stalled or cut hello, a record that is no hello) why the port
// matters: the fragment's own cause speaks of plain ports.
const proxyFragmentTail = " Listener {listener} is an explicit proxy (connect = \"tunnel\"), where a client sends `CONNECT host:port HTTP/1.1` before any TLS: " +
	"TLS straight to its port comes from a client pointed at the proxy as if it were the server, or given the proxy with the https scheme (`https_proxy=https://…`)."

// proxyFragments are the tls_on_plaintext variants read from less than a
// whole hello, each of which has a proxy_ twin on an explicit proxy's port.
var proxyFragments = []string{"record", "reset_stalled", "reset_cut", "client_reset_cut"}

// addProxyFragments adds to t, a whole table, the proxy_ twin of each of
// proxyFragments: its own words, the proxy's checks and tail.
func addProxyFragments(t map[string]entry, checks []string, tail string) {
	for _, v := range proxyFragments {
		e := t[CodeTLSOnPlaintext+"/"+v]
		e.checks, e.tail = checks, tail
		t[CodeTLSOnPlaintext+"/proxy_"+v] = e
	}
}

// connectKnowledge covers the explicit proxy's CONNECT: a head it could
// not read, and a connect_policy rule's refusal.
func connectKnowledge() map[string]entry {
	return map[string]entry{
		CodeConnectBadRequest: {
			summary: "CONNECT from {client} on listener {listener} answered 400: {connect_err}",
			cause: "Listener {listener} is an explicit proxy (connect = \"tunnel\") and read a CONNECT it could not serve: {connect_err}. " +
				"A proxy answers such a request with 400 Bad Request, as tlsgate did, and opens no tunnel: no TLS began and the backend was never dialled. " +
				"A client that names its proxy (https_proxy, `curl -x`, a browser's proxy setting) sends `CONNECT host:port HTTP/1.1`, its headers and a blank line before any TLS; " +
				"a head that never ends comes from a client that is no proxy client (a raw TCP tool, another protocol aimed at the proxy port) or one whose headers outgrow the peek cap.",
			checks: []string{checkConnectCurl,
				"Compare what came (first bytes, request line) with what a proxy reads: `CONNECT host:port HTTP/1.1`, the port included (authority-form, RFC 9110 §9.3.6), and a blank line after the headers.",
				"Check the client is configured for a proxy at {virtual} at all: `env | grep -i _proxy`; a client pointed here as if it were the server sends its request or its ClientHello instead."},
			clientSaw: "The proxy answered `HTTP/1.1 400 Bad Request` instead of a tunnel: curl `curl: (56) CONNECT tunnel failed, response 400`; Go `Get \"https://…\": Bad Request`; Python urllib `<urlopen error Tunnel connection failed: 400 Bad Request>`; openssl s_client -proxy `s_client: HTTP CONNECT failed, reason= 400 Bad Request`; Chrome ERR_TUNNEL_CONNECTION_FAILED.",
			evidence:  []string{"first_bytes", "http_request", "connect", "peek"},
		},
		CodeConnectBadRequest + "/left": {
			summary: "client {client} left listener {listener} before its CONNECT ended: {connect_err}",
			cause: "Listener {listener} is an explicit proxy (connect = \"tunnel\"). The client began a CONNECT and closed the connection before the blank line that ends its head, " +
				"so there was nothing to answer and no tunnel: the client gave up (its own timeout, a cancelled request) or is no proxy client.",
			checks: []string{"Capture the client's side (`tcpdump -ni any -w connect.pcap host {client_ip} and port {vport}`): a CONNECT whose request line came and whose headers never ended was cut short by the client, by its own timeout or a cancelled request, or by a device between it and the proxy.",
				"Compare with a client that sends the whole head at once: `curl -v --noproxy '' -x http://{virtual} https://lab.test/` shows the CONNECT and the proxy's answer."},
			clientSaw: "No answer: the client closed the connection itself before it had sent the whole CONNECT.",
		},
		// TLS straight to the proxy's own port, no CONNECT before it
		// (measured with curl 7.88.1 and Go 1.26: both are reset).
		CodeTLSOnPlaintext + "/proxy": {
			summary: "TLS ClientHello (SNI {sni}, {offered_versions}) from {client} on explicit proxy port {listener} ({listener_at}), with no CONNECT before it",
			cause: "Listener {listener} is an explicit proxy (connect = \"tunnel\"): a client must ask it for a tunnel with `CONNECT host:port HTTP/1.1` in plaintext, and start TLS only inside the tunnel, after the proxy's 200. " +
				"This client began a TLS handshake (SNI {sni}, offering {offered_versions}) on the proxy port itself, with no CONNECT, so tlsgate reset it as a plaintext port resets TLS. " +
				"The common causes: the client was pointed at the proxy as if it were the server (`curl https://{virtual}/`, a URL, a DNS name or a pool member with the proxy's address), " +
				"or it was given the proxy with the https scheme (`https_proxy=https://{virtual}`, `curl -x https://{virtual}`), and then speaks TLS to the proxy itself, which a plain proxy port does not. " +
				"Either way any SNI is the proxy's name, not the site's (none for an IP address); curl 7.88 offers ALPN h2 and http/1.1 to a server but http/1.1 alone to an https:// proxy. " +
				"BIG-IP has no verified SSL log line for this case, so none is shown.",
			checks:    proxyPortChecks,
			clientSaw: "tlsgate reset the connection: curl prints `curl: (35) Recv failure: Connection reset by peer` either way (with an https:// proxy its -v output first shows `* Uses proxy env variable https_proxy == 'https://{virtual}'`); Go `read: connection reset by peer`, with an https:// proxy in Transport.Proxy `proxyconnect tcp: read tcp …: read: connection reset by peer`; Chrome ERR_CONNECTION_RESET.",
			evidence:  []string{"first_bytes", "sni", "versions_offered", "alpn_offered", "ja4"},
		},
		CodeFaultInjected + "/connect_policy": {
			summary: "injected by rule {fault_rule}: the explicit proxy refused CONNECT {connect_authority} with {connect_status}",
			cause: "On a real network this is an explicit proxy refusing the client's CONNECT to {connect_authority} with {connect_status}, before any TLS: " +
				"403 is the proxy's ACL (Squid `http_access deny`, a corporate gateway's category or port rule: many allow CONNECT only to port 443), " +
				"407 says it wants credentials the client did not send or got wrong (its Proxy-Authenticate names the scheme), and 502 that the proxy could not resolve or reach the host itself. " +
				"No handshake took place, so nothing about certificates, versions or ciphers is involved, and the server was never reached.",
			checks: []string{checkConnectCurl,
				"For a 403, read the proxy's ACL for this client and destination (Squid's access.log shows TCP_DENIED/403 with the CONNECT; `http_access deny CONNECT !SSL_ports` refuses other ports than 443). " +
					"For a 407, give the client credentials (`curl --proxy-user user:pass -x …`, or `https_proxy=http://user:pass@proxy:3128`) in the scheme the proxy asks for (the CONNECT evidence below says whether it sent a Proxy-Authorization header; a connect_policy rule answers 407 either way, as a proxy does that rejects the credentials it got). For a 502, check the proxy itself can resolve and reach {connect_authority}.",
				"Check which proxy the client uses: `env | grep -i _proxy`, and NO_PROXY for the hosts that should go direct.",
				checkFaultOff},
			clientSaw: "The proxy's {connect_status} instead of a tunnel, before any TLS: curl `curl: (56) CONNECT tunnel failed, response {connect_status}`; Go (with Transport.Proxy) `Get \"https://…\":` and the status's text (`Forbidden`, `Proxy Authentication Required`, `Bad Gateway`); Python urllib `<urlopen error Tunnel connection failed: {connect_status_line}>`; openssl s_client -proxy `s_client: HTTP CONNECT failed, reason= {connect_status_line}`; Chrome ERR_TUNNEL_CONNECTION_FAILED.",
			evidence:  []string{"first_bytes", "http_request"},
		},
	}
}

// connectPlaceholder fills the CONNECT's names; ok=false leaves the name
// to others.
func (f *facts) connectPlaceholder(name string) (string, bool) {
	c := f.o.Connect
	switch name {
	case "connect_authority":
		return f.orNone(c.Authority), true
	case "connect_err":
		return f.orNone(c.Err), true
	case "connect_status":
		if c.Status == 0 {
			return f.orNone(""), true
		}
		return strconv.Itoa(c.Status), true
	case "connect_status_line":
		// The status and its reason phrase as the refusal's line says
		// them (net/http's text, "Error" where it has none), which
		// Python and openssl quote whole.
		if c.Status == 0 {
			return f.orNone(""), true
		}
		text := http.StatusText(c.Status)
		if text == "" {
			text = "Error"
		}
		return strconv.Itoa(c.Status) + " " + text, true
	}
	return "", false
}

// connectEvidence is the CONNECT's evidence line: what it asked for and
// how tlsgate answered; "" on a connection without one.
func (f *facts) connectEvidence() string {
	c := f.o.Connect
	if c.Authority == "" && c.Err == "" {
		return ""
	}
	s := "CONNECT " + f.orNone(c.Authority)
	if c.ProxyAuth != "" {
		s += f.say("connect_with_auth", "{scheme}", c.ProxyAuth)
	}
	if c.Status != 0 {
		s += " → " + strconv.Itoa(c.Status)
	}
	if c.Err != "" {
		s += " (" + c.Err + ")"
	}
	return s
}
