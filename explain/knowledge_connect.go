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
