package faults

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/tlsgate/tlsgate/sniff"
)

// A connect_policy rule is the catalog's proxy.connect_policy: an explicit
// proxy (Squid, a corporate gateway) refusing a client's CONNECT before
// any TLS, with 403 (its ACL), 407 (it wants credentials) or 502 (it could
// not reach the authority). It acts only where a listener with
// connect = "tunnel" reads a CONNECT, and is planned there, once the
// CONNECT's head is in and before the tunnel's first bytes
// (Engine.PlanConnect): its sni selector matches the CONNECT authority's
// host, the only name there is yet. It is never planned with the
// connection's other rules, which judge the tunnel's ClientHello.

// Connect policy defaults.
const (
	DefaultConnectStatus = http.StatusForbidden
	// ConnectRealm is the realm a 407 asks Basic credentials for.
	ConnectRealm = "tlsgate"
)

// PlanConnect evaluates the connect_policy rules for a CONNECT to host (the
// authority's host, without its port) on the connection ci describes. It
// returns nil when none fired. ci.Connect and ci.Plain are set here.
func (e *Engine) PlanConnect(ci ConnInfo, host string) *Plan {
	s := e.snap.Load()
	if len(s.connect.rules) == 0 {
		return nil
	}
	// The authority stands in for the SNI (a hello with only a name), so
	// the sni selector and the index by exact name read it unchanged;
	// validateConnectPolicy refuses the selectors that read more of one.
	ci.Hello, ci.JA3, ci.JA4, ci.HelloSegments = &sniff.ClientHello{ServerName: host}, "", "", 0
	ci.Plain, ci.Connect = true, true
	pl := planning{e: e, ci: &ci}
	pl.v = newConnView(&ci)
	var c candidates
	s.connect.candidates(&pl.v, &c)
	for i := c.next(); i >= 0; i = c.next() {
		pl.try(s.connect.rules[i])
	}
	return pl.p
}

// ConnectRefused returns the fired connect_policy rule of the plan, or nil.
func (p *Plan) ConnectRefused() *Rule {
	if p == nil {
		return nil
	}
	for _, r := range p.rules {
		if r.Action == ActConnectPolicy {
			return r
		}
	}
	return nil
}

// validateConnectPolicy checks a connect_policy rule's status and
// selectors: a CONNECT carries an authority and nothing of a ClientHello.
func (r *Rule) validateConnectPolicy(fail failFunc) error {
	switch {
	case r.Status != 0 && r.Status < 400:
		return fail("status", "%d would not refuse the CONNECT (a 2xx opens the tunnel, a 1xx or 3xx is no answer a client takes from a proxy); "+
			"want 403 (the proxy's ACL, the default), 407 (it wants credentials), 502 (it could not reach the host) or another 4xx/5xx", r.Status)
	case r.Status > 599:
		return fail("status", "%d is outside 400..599", r.Status)
	case r.SNI == SNINone:
		return fail("sni", "%q never matches: a CONNECT always names a host; give a host glob, or leave sni out", SNINone)
	}
	for _, f := range []struct {
		field string
		set   bool
	}{{"ja3", r.JA3 != ""}, {"ja4", r.JA4 != ""}, {"alpn", r.ALPN != ""}, {"max_offered_version", r.MaxOfferedVersion != 0},
		{"hello_min_size", r.HelloMinSize != 0}, {"hello_multi_segment", r.HelloMultiSegment}} {
		if f.set {
			return fail(f.field, "connect_policy answers the CONNECT, before any ClientHello: only sni (the CONNECT's host), listener, client and the connection counters select")
		}
	}
	return nil
}

// ConnectStage is the stage a connect_policy firing reports: the
// CONNECT's head, read before any ClientHello. It is a label for the log
// only; the rule is planned by PlanConnect, outside the stage order.
const ConnectStage = "connect"

// ConnectRefusal is the whole answer a connect_policy rule gives a
// CONNECT, as a proxy sends it: the status line, a 407's
// Proxy-Authenticate (RFC 9110 §11.7.1), a short body naming the rule,
// and Connection: close. tlsgate closes the connection after it.
func ConnectRefusal(r *Rule, authority string) []byte {
	status := DefaultConnectStatus
	if r != nil && r.Status != 0 {
		status = r.Status
	}
	text := connectStatusText(status)
	name := ""
	if r != nil {
		name = r.Name
	}
	body := fmt.Sprintf("tlsgate: CONNECT %s refused with %d %s by fault rule %s (connect_policy)\n", authority, status, text, name)
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, text)
	if status == http.StatusProxyAuthRequired {
		fmt.Fprintf(&b, "Proxy-Authenticate: Basic realm=%q\r\n", ConnectRealm)
	}
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	return []byte(b.String())
}

// connectStatusText is the reason phrase of a refusal's status line:
// net/http's text, "Error" for a status it has none for. Go's client
// prints that phrase as its whole error, so the symptom quotes the same.
func connectStatusText(status int) string {
	if text := http.StatusText(status); text != "" {
		return text
	}
	return "Error"
}

// connectPolicySymptom is what a client of a refused CONNECT shows: the
// proxy's status, before any TLS (curl 7.88.1, Go 1.26, Python 3.11 and
// OpenSSL 3.0 observed).
func connectPolicySymptom(r *Rule) string {
	status := DefaultConnectStatus
	if r != nil && r.Status != 0 {
		status = r.Status
	}
	text := connectStatusText(status)
	s := fmt.Sprintf("%s %d from the explicit proxy, answering the CONNECT before any TLS (no handshake, the server is never reached): "+
		"curl (56) CONNECT tunnel failed, response %[2]d; Go (http.Transport.Proxy) Get \"https://…\": %[3]s; "+
		"Python urllib <urlopen error Tunnel connection failed: %[2]d %[3]s>; openssl s_client -proxy s_client: HTTP CONNECT failed, reason= %[2]d %[3]s; "+
		"Chrome ERR_TUNNEL_CONNECTION_FAILED; "+
		"curl -v -x shows < HTTP/1.1 %[2]d %[3]s as the proxy's answer",
		ClassHTTP, status, text)
	if status == http.StatusProxyAuthRequired {
		s += fmt.Sprintf(" with Proxy-Authenticate: Basic realm=%q (curl --proxy-user, or credentials in the proxy URL, send them; the rule answers 407 whether or not they come, as a proxy does that rejects the ones it got)", ConnectRealm)
	}
	return s
}
