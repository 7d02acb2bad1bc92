package main

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/listener"
)

// tryHint is the command a newcomer can paste to see the listener work. A
// listener that passes TLS through (passthrough, or auto without a
// client_ssl table) shows the backend's own certificate, which the lab CA
// did not issue: --cacert with the lab CA would fail verification there.
// So would it for a listener's configured certificate (served non-nil),
// which gets a command of its own. A listener with sni_require refuses a
// hello without SNI (alert 40, curl (35)), and curl sends none to an
// address, so its command carries a name. held names the refuse rules
// holding the listener down as it starts: any command would be refused
// (curl (7)), so the hint says that instead.
func tryHint(o listener.Options, a net.Addr, caPath string, served *servedCert, held []string) string {
	h := modeHint(o, a, caPath, served, held)
	if len(held) > 0 || o.Transparent != "" {
		return h
	}
	// A listener that requires a PROXY header diagnoses every command
	// above without one as proxy_missing: the first paste would fail.
	switch o.ProxyProtocol {
	case "v1":
		return curlCall.ReplaceAllString(h, "curl --haproxy-protocol $1") +
			"   (proxy_protocol = \"v1\": --haproxy-protocol makes curl send the header first)"
	case "v2":
		return "none with curl alone: proxy_protocol = \"v2\" wants a PROXY v2 header first, and curl's --haproxy-protocol sends v1; " +
			"send through HAProxy (server ... send-proxy-v2) or a load balancer that sends v2, or set proxy_protocol = \"optional\" to try it directly with: " + h
	}
	return h
}

// dropHint is the hint of a listener held down from the start by refuse
// rules (held) of which the one in force is a syn_drop rule: the port
// drops SYNs, so a command would time out (curl (28)), not be refused.
func dropHint(held []string) string {
	if len(held) == 1 {
		return "none yet: the refuse rule " + held[0] + " drops SYNs to this port, so a connection times out (curl --connect-timeout N exits (28) … Timeout was reached); the down line that follows says how to end it"
	}
	return "none yet: the refuse rules " + strings.Join(held, ", ") + " hold this port, and the one in force drops SYNs, so a connection times out (curl --connect-timeout N exits (28) … Timeout was reached) until all have ended; the down line that follows says how to end them"
}

// curlCall finds each curl invocation in a hint (not "curl (7)" in its
// notes), so a flag can follow the program name.
var curlCall = regexp.MustCompile(`curl (https?://|-)`)

// backendCAArg is where a hint's curl needs the CA of a backend whose TLS
// tlsgate does not terminate.
const backendCAArg = "--cacert <the backend's CA>"

// modeHint is tryHint for the listener's mode, before its PROXY header.
func modeHint(o listener.Options, a net.Addr, caPath string, served *servedCert, held []string) string {
	const backendCA = "--cacert <the backend's CA>   (TLS is passed through: the certificate is the backend's, not the lab CA's)"
	sniRequired := o.ClientSSL != nil && o.ClientSSL.SNIRequire
	switch {
	case len(held) == 1:
		return "none yet: the refuse rule " + held[0] + " keeps this port closed, so a connection is refused (curl (7) Couldn't connect to server); the down line that follows says how to end it"
	case len(held) > 1:
		return "none yet: the refuse rules " + strings.Join(held, ", ") + " keep this port closed, so a connection is refused (curl (7) Couldn't connect to server) until all have ended; the down line that follows says how to end them"
	case o.Transparent != "":
		return transparentHint(o, a, caPath, served)
	case o.Mode == listener.Plaintext && o.Connect != "":
		// An explicit proxy: the client names it, and every tunnel goes
		// to backend whatever host the URL names.
		// tlsgate cannot know whether that backend speaks TLS: -p
		// makes curl tunnel plain HTTP too.
		return fmt.Sprintf("curl --noproxy '' -x http://%s https://NAME/ %s   (an explicit proxy: every tunnel goes to %s whatever NAME; "+
			"a plain HTTP backend: curl --noproxy '' -p -x http://%s http://NAME/; and see the diagnosis for: curl -k https://%s/)", a, backendCAArg, o.Backend, a, a)
	case o.Mode == listener.Plaintext:
		return fmt.Sprintf("curl http://%s/   (and see the diagnosis for: curl -k https://%s/)", a, a)
	case o.Mode == listener.Auto && o.ClientSSL == nil:
		return fmt.Sprintf("curl http://%s/ ; curl https://%s/ %s", a, a, backendCA)
	case o.Mode == listener.Auto && served != nil:
		cmd, note := served.curl(a, sniRequired)
		return fmt.Sprintf("curl http://%s/ ; %s   (%s)", a, cmd, note)
	case o.Mode == listener.Auto && sniRequired:
		return fmt.Sprintf("curl http://%s/ ; curl --cacert %s%s   (%s)", a, caPath, namedURL(a, labName), sniNote)
	case o.Mode == listener.Auto:
		return fmt.Sprintf("curl http://%s/ ; curl --cacert %s https://%s/", a, caPath, a)
	case o.Mode == listener.Passthrough:
		return fmt.Sprintf("curl https://%s/ %s; and see the diagnosis for: curl http://%s/", a, backendCA, a)
	case served != nil:
		cmd, note := served.curl(a, sniRequired)
		return fmt.Sprintf("%s   (%s; and see the diagnosis for: curl http://%s/)", cmd, note, a)
	case sniRequired:
		return fmt.Sprintf("curl --cacert %s%s   (%s; and see the diagnosis for: curl http://%s/)", caPath, namedURL(a, labName), sniNote, a)
	case o.Mode == listener.Inspect:
		return inspectHint(o, a, caPath)
	default:
		return fmt.Sprintf("curl --cacert %s https://%s/   (and see the diagnosis for: curl http://%s/)", caPath, a, a)
	}
}

// transparentHint is the hint of a transparent listener, which serves only
// connections the host's rules redirect to it: a client dialling its
// address is refused (redirect: no_original_dst, curl (7) on loopback;
// tproxy, whose destination is the socket's local address: transparent_loop,
// curl 56, 35 or 7), so the hint says how clients reach it instead.
func transparentHint(o listener.Options, a net.Addr, caPath string, served *servedCert) string {
	var cmd string
	switch {
	case o.Mode == listener.Plaintext:
		cmd = "curl http://<a real server>/"
	case o.Mode == listener.Passthrough || o.Mode == listener.Auto && o.ClientSSL == nil:
		cmd = "curl https://<a real server>/   (TLS is passed through: the certificate is the real server's)"
	case served != nil:
		cmd = "curl --cacert <the CA of " + served.file + "> https://<a real server>/"
	default:
		cmd = "curl --cacert " + caPath + " https://<a real server>/"
	}
	return fmt.Sprintf("none to dial: transparent = %q serves the connections this host's iptables rules redirect to it (a direct dial to %s is refused: %s); "+
		"`tlsgate doctor transparent --mode %s --listen %s` prints the rules, then from a client whose traffic passes this host: %s",
		o.Transparent, a, directDialCode(o.Transparent), o.Transparent, a, cmd)
}

// directDialCode is the diagnosis a direct dial to a transparent listener
// gets. REDIRECT leaves conntrack with no rewrite, so there is no original
// destination; TPROXY's destination is the socket's local address, which
// for a direct dial is the listener itself, so the dial is refused as a
// loop (relaying it would dial tlsgate).
func directDialCode(mode string) string {
	if mode == listener.TransparentTProxy {
		return "transparent_loop"
	}
	return "no_original_dst"
}

// inspectHint is the hint of an inspect listener with a fixed backend. Its
// server leg is verified for the client's SNI, else server_name, else the
// backend's host, and curl sends no SNI to an address: so with server_name
// the command dials that name, and a backend given as an address (which a
// real server's certificate rarely carries) gets a note on dialling a name,
// lest the first command a newcomer pastes fail as backend_tls_verify.
func inspectHint(o listener.Options, a net.Addr, caPath string) string {
	if o.ServerSSL != nil && o.ServerSSL.ServerName != "" {
		return fmt.Sprintf("curl --cacert %s%s   (and see the diagnosis for: curl http://%s/)", caPath, namedURL(a, o.ServerSSL.ServerName), a)
	}
	host, _, err := net.SplitHostPort(o.Backend)
	if err != nil || net.ParseIP(host) == nil {
		return fmt.Sprintf("curl --cacert %s https://%s/   (and see the diagnosis for: curl http://%s/)", caPath, a, a)
	}
	return fmt.Sprintf("curl --cacert %s https://%s/   (without SNI tlsgate verifies backend %s for its address, which works only if its certificate carries %s; "+
		"else dial a name on it:%s; and see the diagnosis for: curl http://%s/)", caPath, a, o.Backend, host, namedURL(a, "NAME"), a)
}

// labName is the host name a hint puts in the URL for a listener whose
// leaves the lab CA mints: it mints one for any SNI.
const labName = "lab.test"

// sniNote says why a hint for an sni_require listener dials by name.
const sniNote = "sni_require refuses a hello without SNI with alert 40, curl (35), and curl sends SNI only for a name: --resolve sends the name to the listener's address"

// namedURL is " --resolve NAME:PORT:ADDR https://NAME:PORT/": a URL with
// name, dialled at a, so the hello carries name as its SNI.
func namedURL(a net.Addr, name string) string {
	host, port, _ := net.SplitHostPort(a.String())
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		host = "[" + host + "]"
	}
	return fmt.Sprintf(" --resolve %s:%s:%s https://%s/", name, port, host, net.JoinHostPort(name, port))
}

// servedCert is what a pasteable command needs of the certificate a
// listener serves from its client_ssl cert file.
type servedCert struct {
	file            string
	subject, issuer string
	// name is a host name on the certificate to put in the URL (a DNS
	// SAN, a wildcard's made concrete, or the CN of one with no SAN, which
	// curl falls back to), picked as the listener's diagnoses pick it;
	// "" when it names only addresses.
	name string
	ips  []net.IP
	// anchored: the file's own chain ends at a self-signed root, so
	// --cacert with the file verifies it.
	anchored bool
	// public: the system roots verify it, so curl needs no --cacert.
	public bool
}

// servedCertOf describes chain, the listener's configured certificate
// (leaf first), nil when o serves leaves minted by the lab CA. system is
// the trust store curl would use without --cacert.
func servedCertOf(o listener.Options, chain []*x509.Certificate, system *x509.CertPool, now time.Time) *servedCert {
	if len(chain) == 0 || o.ClientSSL == nil {
		return nil
	}
	leaf := chain[0]
	// Absolute, as the lab CA's path is: the hint is pasted anywhere.
	file, err := filepath.Abs(o.ClientSSL.CertFile)
	if err != nil {
		file = o.ClientSSL.CertFile
	}
	sc := &servedCert{file: file, subject: leaf.Subject.String(), issuer: leaf.Issuer.String(),
		ips: leaf.IPAddresses}
	if name := listener.NameOn(leaf); net.ParseIP(name) == nil {
		sc.name = name
	}
	own, mid := x509.NewCertPool(), x509.NewCertPool()
	for _, c := range chain {
		// CheckSignatureFrom would refuse a self-signed leaf that is no
		// CA, which --cacert still trusts as itself.
		if bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil {
			own.AddCert(c)
		} else if c != leaf {
			mid.AddCert(c)
		}
	}
	verifies := func(roots *x509.CertPool) bool {
		_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: mid, CurrentTime: now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
		return err == nil
	}
	sc.anchored = verifies(own)
	sc.public = !sc.anchored && system != nil && verifies(system)
	return sc
}

// curl is the command that fetches through a listener at a serving this
// certificate, and a note on why it is not --cacert with the lab CA. The
// URL must carry a name on the certificate: --resolve sends it to a. With
// needSNI (sni_require) an address on the certificate will not do: curl
// sends no SNI for it, and the listener refuses the hello.
func (sc *servedCert) curl(a net.Addr, needSNI bool) (cmd, note string) {
	host, port, _ := net.SplitHostPort(a.String())
	ip := net.ParseIP(host)
	url, resolve := "https://"+a.String()+"/", ""
	named := false
	for _, c := range sc.ips {
		named = named || c.Equal(ip) && !needSNI
	}
	if needSNI && sc.name == "" {
		return "curl -k" + namedURL(a, labName), "-k skips verification: the configured certificate (client_ssl cert " + sc.file + ") " +
			sc.subject + " names no host, and " + sniNote
	}
	if name := sc.name; !named && name != "" {
		addr := host
		if ip != nil && ip.To4() == nil {
			addr = "[" + host + "]"
		}
		resolve = fmt.Sprintf(" --resolve %s:%s:%s", name, port, addr)
		url = "https://" + net.JoinHostPort(name, port) + "/"
		named = true
	}
	cert := fmt.Sprintf("the configured certificate (client_ssl cert %s) %s is issued by %s, not the lab CA", sc.file, sc.subject, sc.issuer)
	switch {
	case !named:
		return "curl -k " + url, "-k skips verification: " + cert + ", and it names no host or address to dial it by"
	case sc.anchored:
		return fmt.Sprintf("curl --cacert %s%s %s", sc.file, resolve, url), cert + "; its file holds the root --cacert trusts"
	case sc.public:
		return "curl" + resolve + " " + url, cert + ", which the system's trust store verifies"
	}
	return "curl -k" + resolve + " " + url, "-k skips verification: " + cert + "; to verify, pass --cacert with that CA's certificate instead"
}
