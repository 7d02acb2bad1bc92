package explain

import (
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// expand fills the {name} placeholders of a knowledge template. Values are
// computed only for the names a template uses; unknown names stay as they
// are, so a typo shows up in the output (and in the tests) instead of
// vanishing.
func (f *facts) expand(tmpl string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	// Every logged connection expands its summary: the values first, then
	// the text in one allocation of its final size, where a builder grown
	// as they came took four or five (BENCHMARKS.md, "Session 18").
	var vals [16]string
	n, size := 0, 0
	for rest := tmpl; ; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			size += len(rest)
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			size += len(rest)
			break
		}
		if n == len(vals) {
			return f.expandGrowing(tmpl) // a long template: rare
		}
		v, ok := f.placeholder(rest[open+1 : open+end])
		if !ok {
			v = rest[open : open+end+1]
		}
		vals[n] = v
		n++
		size += open + len(v)
		rest = rest[open+end+1:]
	}
	var b strings.Builder
	b.Grow(size)
	for _, v := range vals[:n] {
		open := strings.IndexByte(tmpl, '{')
		end := strings.IndexByte(tmpl[open:], '}')
		b.WriteString(tmpl[:open])
		b.WriteString(v)
		tmpl = tmpl[open+end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// expandGrowing is expand for a template with more placeholders than
// expand keeps values for.
func (f *facts) expandGrowing(tmpl string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			break
		}
		name := tmpl[open+1 : open+end]
		b.WriteString(tmpl[:open])
		if v, ok := f.placeholder(name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(tmpl[open : open+end+1])
		}
		tmpl = tmpl[open+end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// The client certificate and key tlsgate lab writes beside its CA; pki
// names them ClientCertFile and ClientKeyFile (explain imports no pki).
const (
	clientCertFile = "client.pem"
	clientKeyFile  = "client-key.pem"
)

// placeholder is the value of one template name.
func (f *facts) placeholder(name string) (string, bool) {
	o := f.o
	switch name {
	case "listener":
		return f.orNone(o.Listener), true
	case "mode":
		return f.orNone(o.Mode), true
	case "client":
		return f.addr(o.Client), true
	case "client_ip":
		return f.host(o.Client), true
	// The virtual server is what the client dialled: on a transparent
	// listener, the original destination rather than tlsgate's socket.
	case "virtual":
		return f.addr(virtualEndpoint(o)), true
	case "listener_addr":
		return f.addr(listenerAddr(o)), true
	case "listener_at":
		return f.listenerAt(), true
	case "vip_which":
		return f.vipWhich(), true
	case "virtual_host":
		return f.host(virtualEndpoint(o)), true
	case "idle_timeout":
		return o.IdleTimeout.String(), true
	case "vport":
		return f.port(virtualEndpoint(o)), true
	case "sni":
		return f.orNone(f.sni()), true
	case "sni_or_host":
		if s := f.sni(); s != "" {
			return s, true
		}
		// Without SNI, an inspecting listener minted its leaf for the
		// address the client dialled: that is the name, not a stand-in.
		if o.LeafName != "" {
			return o.LeafName, true
		}
		// A configured certificate's name is known from its file.
		if o.ClientTLS.OurCertName != "" {
			return o.ClientTLS.OurCertName, true
		}
		return f.say("name_on_cert"), true
	case "servername_opt":
		// openssl s_client's -servername for what the client sent: none
		// without SNI, as s_client sends none for an IP in -connect.
		if s := f.sni(); s != "" {
			return " -servername " + s, true
		}
		return "", true
	case "sni_flag":
		// openssl s_client sending what the client sent: -noservername
		// rather than nothing, since some versions send the -connect
		// host as SNI and then see another certificate.
		if s := f.sni(); s != "" {
			return " -servername " + s, true
		}
		return " -noservername", true
	case "verify_name_opt":
		// s_client checks no name unless told, and a client does: the
		// name it sent, or without SNI the address it dialled.
		if s := f.sni(); s != "" {
			return " -verify_hostname " + s, true
		}
		if v := virtualEndpoint(o); v.IsValid() {
			return " -verify_ip " + f.host(v), true
		}
		return "", true
	case "curl_target":
		// The URL a curl reaches the virtual server by with the same SNI:
		// a name goes to the dialled address through --resolve, and
		// without SNI curl dials the address itself (it sends none for
		// an IP).
		v := virtualEndpoint(o)
		if s := f.sni(); s != "" && v.IsValid() {
			hp, ip := net.JoinHostPort(s, f.port(v)), f.host(v)
			if v.Addr().Unmap().Is6() {
				ip = "[" + ip + "]"
			}
			return "--resolve " + hp + ":" + ip + " https://" + hp + "/", true
		}
		return "https://" + f.addr(v) + "/", true
	case "lab_ca":
		if o.CAFile != "" {
			return o.CAFile, true
		}
		return "lab-ca.pem", true
	case "ca_dir_opt":
		// tlsgate ca export reads the default CA directory unless told;
		// a lab run with --ca-dir keeps its CA elsewhere.
		if o.CAFile != "" {
			return " --ca-dir " + filepath.Dir(o.CAFile), true
		}
		return "", true
	case "client_cert", "client_key":
		// tlsgate lab writes a client certificate issued by the lab CA,
		// and its key, beside the CA's certificate (ClientCertFile and
		// ClientKeyFile in pki): a listener with an empty client_ca
		// accepts it, so the curl a check prints works as written.
		file := clientCertFile
		if name == "client_key" {
			file = clientKeyFile
		}
		if o.CAFile != "" {
			return filepath.Join(filepath.Dir(o.CAFile), file), true
		}
		return file, true
	case "admin_opt":
		if o.FaultAdmin != "" {
			return " --admin " + o.FaultAdmin, true
		}
		return "", true
	case "offered_versions":
		return f.offeredVersions(f.list), true
	case "max_offered":
		return VersionName(f.maxOffered), true
	case "floor":
		return VersionName(f.floor), true
	case "ceiling":
		return VersionName(f.ceiling), true
	case "our_versions":
		return f.say("version_range", "{from}", VersionName(f.floor), "{to}", VersionName(f.ceiling)), true
	case "negotiable":
		return VersionName(f.negotiable), true
	case "groups_offered":
		if o.Hello == nil {
			return f.say("unknown"), true
		}
		return f.groupList(o.Hello.SupportedGroups, f.list), true
	case "groups_ours":
		return f.groupList(o.ClientTLS.OurGroups, f.list), true
	case "offered_cipher_count":
		return strconv.Itoa(len(f.suites)), true
	case "offered_suites":
		return f.countN(len(f.suites), "one_suite", "n_suites"), true
	case "offered_cipher_suites":
		return f.countN(len(f.suites), "one_cipher_suite", "n_cipher_suites"), true
	case "shared_ciphers":
		names := make([]string, 0, len(f.shared))
		for _, id := range f.shared {
			names = append(names, CipherName(id))
		}
		return f.orNone(f.list(names)), true
	case "shared_key":
		if len(f.shared) > 0 {
			return keyLabel(suiteKey(f.shared[0])), true
		}
		return f.say("none"), true
	case "our_key":
		return f.orNone(keyLabel(o.ClientTLS.OurKey)), true
	case "our_key_suite":
		// The example must fit the key the advice tells the operator to
		// add suites for, or following it changes nothing.
		if o.ClientTLS.OurKey == "rsa" {
			return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", true
		}
		return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", true
	case "our_key_origin":
		// Only minted leaves are known to be ECDSA P-256: a configured
		// certificate's own key is the one to name.
		if f.servesConfigured() {
			detail := o.ClientTLS.OurKeyDetail
			if detail == "" {
				detail = keyLabel(o.ClientTLS.OurKey)
			}
			return f.say("key_origin_configured", "{listener}", f.orNone(o.Listener), "{subject}", f.orNone(o.ClientTLS.OurCertSubject),
				"{key}", f.orNone(detail)), true
		}
		return f.say("key_origin_minted"), true
	case "alert":
		return alertLabel(f.alert), true
	case "err":
		return f.orNone(o.ClientTLS.Err), true
	case "hello_err":
		return f.orNone(o.HelloErr), true
	case "hello_err_why":
		// Why a hello did not parse, when a parse ran: a record of
		// another type first leaves nothing to say beyond the bytes.
		if o.HelloErr == "" {
			return "", true
		}
		return ": " + o.HelloErr, true
	case "kind":
		return o.Kind.String(), true
	case "kind_desc":
		return f.kindDesc(), true
	case "kind_hint":
		return f.kindHint(o.Kind), true
	case "https_url":
		return httpsURL(o), true
	case "first_hex":
		return hexPrefix(o.FirstBytes, 5), true
	case "first_bytes":
		return f.bytesN(int64(firstLen(o))), true
	case "late_bytes":
		return f.bytesN(o.ClientTLS.LateBytes), true
	case "sent_bytes":
		return f.bytesN(int64(firstLen(o)) + o.ClientTLS.LateBytes), true
	case "bytes_up", "client_fin_after", "unanswered_request", "exchange_requests", "exchange_request_bytes", "pass_client_end":
		return f.finPlaceholder(name)
	case "h2_streams", "h2_backend_frames", "h2_end":
		return f.h2Placeholder(name)
	case "handshake_timeout":
		return o.HandshakeTimeout.String(), true
	case "hello_seen":
		return f.helloSeen(), true
	case "tls_began":
		return f.tlsBegan(), true
	case "request":
		return f.orNone(requestLine(o)), true
	case "host":
		if o.HTTP != nil {
			return f.orNone(o.HTTP.Host), true
		}
		return f.say("none"), true
	case "non_ssl":
		return nonSSLAction(o), true
	case "non_ssl_done":
		return f.nonSSLDone(), true
	case "backend":
		return f.orNone(o.Backend.Addr), true
	case "backend_target":
		// curl's URL for the backend itself, with the client's SNI: the
		// server a proxy in between judged, asked directly.
		host, port, err := net.SplitHostPort(o.Backend.Addr)
		ip, ipErr := netip.ParseAddr(host)
		if s := f.sni(); s != "" && err == nil && ipErr == nil {
			hp, at := net.JoinHostPort(s, port), ip.String()
			if ip.Is6() {
				at = "[" + at + "]"
			}
			return "--resolve " + hp + ":" + at + " https://" + hp + "/", true
		}
		return "https://" + f.orNone(o.Backend.Addr) + "/", true
	case "backend_trust":
		// curl's trust for the backend, as tlsgate's server_ssl had it.
		if o.Backend.TLS.VerifySkipped {
			return "-k", true
		}
		return f.say("backend_trust_ca"), true
	case "backend_trust_why":
		if o.Backend.TLS.VerifySkipped {
			return f.say("backend_trust_k_why", "{listener}", f.orNone(o.Listener)), true
		}
		return f.say("backend_trust_ca_why", "{listener}", f.orNone(o.Listener)), true
	case "backend_local":
		local, _ := backendEndpoints(o)
		return f.addr(local), true
	case "backend_remote":
		_, remote := backendEndpoints(o)
		return f.addr(remote), true
	case "dial_err":
		return f.orNone(o.Backend.DialErr), true
	case "backend_tls_err":
		return f.orNone(o.Backend.TLS.Err), true
	case "verify":
		return f.orNone(firstNonEmpty(o.Backend.TLS.Verify, o.Backend.TLS.Err)), true
	case "backend_alert":
		return alertLabel(backendAlert(o.Backend.TLS)), true
	case "backend_alpn":
		// As openssl s_client's -alpn takes it: comma-separated.
		if p := o.Backend.TLS.ALPNOffered; len(p) > 0 {
			return strings.Join(p, ","), true
		}
		return f.say("none_bare"), true
	case "proxy_policy":
		return f.orNone(o.Proxy.Policy), true
	case "proxy_got":
		return f.orNone(proxyVersionSeen(o)), true
	case "proxy_err":
		return f.orNone(o.Proxy.Err), true
	case "proxy_not_ssl":
		if !f.tlsListener || f.noProfile {
			return "", true
		}
		return " " + f.say("proxy_not_ssl"), true
	case "proxy_first":
		return f.proxyHeaderText(o.Proxy.Version, o.Proxy.Src, o.Proxy.Dst), true
	case "proxy_second":
		return f.proxyHeaderText(o.Proxy.Second, o.Proxy.SecondSrc, o.Proxy.SecondDst), true
	case "our_cert_subject":
		return f.orNone(o.ClientTLS.OurCertSubject), true
	case "our_cert_issuer":
		return f.orNone(o.ClientTLS.OurCertIssuer), true
	case "peer":
		return f.addr(o.Peer), true
	case "proxied":
		// A connection that came through a PROXY header names two
		// addresses: the client the header claimed and the socket's peer,
		// the load balancer that sent it. Without a header the client is
		// the peer, and the summary says nothing more.
		if o.Proxy.Version == 0 {
			return "", true
		}
		return f.say("proxied", "{client}", f.addr(o.Client), "{peer}", f.addr(o.Peer), "{v}", strconv.Itoa(o.Proxy.Version)), true
	case "peek_timeout":
		if o.HelloTimeout > 0 {
			return f.say("handshake_timeout_of", "{timeout}", o.HelloTimeout.String()), true
		}
		if o.PeekTimeout > 0 {
			return o.PeekTimeout.String(), true
		}
		return f.say("peek_timeout"), true
	case "tls":
		return f.tlsPart(), true
	case "ja4":
		return f.orNone(o.JA4), true
	case "backend_host":
		// For a capture filter: the address without the port.
		if o.Backend.Remote.IsValid() {
			return f.host(o.Backend.Remote), true
		}
		if h, _, err := net.SplitHostPort(o.Backend.Addr); err == nil {
			return h, true
		}
		return f.orNone(o.Backend.Addr), true
	case "before_hello_end":
		// How the backend ended a connection before tlsgate's ClientHello
		// left (Backend.EndedBeforeHello): a reset, or a close and then a
		// reset, and what it sent first.
		sent := f.say("before_hello_silent")
		if n := o.Backend.BeforeHelloBytes; n > 0 {
			sent = f.say("before_hello_sent", "{n}", f.bytesN(int64(n)))
		}
		how := f.say("before_hello_" + o.Backend.EndedBeforeHello)
		return f.say("before_hello_end", "{how}", how, "{sent}", sent), true
	case "backend_local_host":
		// tlsgate's own address towards the backend, without the
		// ephemeral port: what a backend's access rule names.
		if o.Backend.Local.IsValid() {
			return f.host(o.Backend.Local), true
		}
		return f.say("unknown"), true
	case "up":
		return strconv.FormatInt(o.BytesUp, 10), true
	case "down":
		return strconv.FormatInt(o.BytesDown, 10), true
	case "up_bytes":
		return f.bytesN(o.BytesUp), true
	case "down_bytes":
		return f.bytesN(o.BytesDown), true
	case "duration":
		return o.Duration.Round(time.Millisecond).String(), true
	}
	return f.inspectPlaceholder(name)
}

// backendAlert is the alert the backend sent on the server leg: the one
// read on the wire, else the one its error names; -1 when none.
func backendAlert(b Leg) int {
	if b.AlertRecv > 0 {
		return b.AlertRecv
	}
	return AlertFromError(b.Err)
}

func (f *facts) sni() string { return ClientSNI(f.o) }

// ClientSNI is the server name the client sent: from the ClientHello
// tlsgate parsed, else from the one crypto/tls read on tlsgate's own
// handshake (a hello beyond sniff's parse cap); "" when it sent none or
// nobody read it.
func ClientSNI(o *Outcome) string {
	if o.Hello != nil {
		return o.Hello.ServerName
	}
	return o.ClientTLS.ServerName
}

// helloReadByTLS says crypto/tls read the client's hello on tlsgate's
// own handshake, so its SNI (none included) is known without a parse.
func helloReadByTLS(o *Outcome) bool {
	l := o.ClientTLS
	return l.Done || l.ServerFlightSent || l.HelloRetryOnly || l.ServerName != "" || l.HelloRead
}

func requestLine(o *Outcome) string {
	if o.HTTP == nil {
		return ""
	}
	return strings.TrimSpace(o.HTTP.Method + " " + o.HTTP.Target + " " + o.HTTP.Proto)
}

// proxyVersionSeen is the PROXY header version on the wire, "" if none.
func proxyVersionSeen(o *Outcome) string {
	switch {
	case o.Kind == sniff.ProxyV1 || o.Proxy.Version == 1:
		return "1"
	case o.Kind == sniff.ProxyV2 || o.Proxy.Version == 2:
		return "2"
	}
	return ""
}

// keyLabel spells a key type as certificates and cipher names do.
func keyLabel(k string) string {
	switch k {
	case "rsa":
		return "RSA"
	case "ecdsa":
		return "ECDSA"
	case "ed25519":
		return "Ed25519"
	}
	return k
}

// firstLen is how many bytes the client sent before the decision: all of
// them, not only the first 64 the Outcome keeps.
func firstLen(o *Outcome) int {
	return max(o.FirstLen, len(o.FirstBytes))
}

// helloSeen words what came of a TLS record whose ClientHello never
// completed, from the bytes alone: part of its header, or the header and
// part of the body it announced. It claims nothing about the hello's
// contents (no SNI, no versions): none of them were read.
func (f *facts) helloSeen() string {
	o := f.o
	n := firstLen(o)
	switch {
	case n == 1:
		return f.say("hello_seen_byte")
	case sslv2HelloStart(o.FirstBytes):
		// An SSLv2 header: its length counts what follows it.
		announced := int(o.FirstBytes[0]&0x7f)<<8 | int(o.FirstBytes[1])
		if n <= 3 {
			return f.say("hello_seen_sslv2_header", "{n}", strconv.Itoa(n), "{len}", strconv.Itoa(announced))
		}
		return f.say("hello_seen_sslv2_body", "{n}", strconv.Itoa(n), "{body}", strconv.Itoa(n-2), "{len}", strconv.Itoa(announced))
	}
	if n < recordHeaderLen || len(o.FirstBytes) < recordHeaderLen {
		return f.say("hello_seen_header", "{n}", f.bytesN(int64(n)))
	}
	announced := int(o.FirstBytes[3])<<8 | int(o.FirstBytes[4])
	body := n - recordHeaderLen
	if body >= announced {
		// The first record came whole: the hello continues in another.
		return f.say("hello_seen_records", "{n}", strconv.Itoa(n))
	}
	return f.say("hello_seen_body", "{n}", strconv.Itoa(n), "{body}", strconv.Itoa(body), "{len}", strconv.Itoa(announced))
}

// tlsBegan says why the bytes a hello stalled or was cut after are taken
// for TLS: a record's start only TLS begins with, a lone 0x16 that nearly
// always is one, or an SSLv2 header naming a ClientHello.
func (f *facts) tlsBegan() string {
	switch b := f.o.FirstBytes; {
	case len(b) == 1:
		return f.say("tls_began_byte")
	case sslv2HelloStart(b):
		return f.say("tls_began_sslv2")
	}
	return f.say("tls_began")
}

// bytesN words a count of bytes, singular for one.
func (f *facts) bytesN(n int64) string {
	if n == 1 {
		return f.say("one_byte")
	}
	return f.say("n_bytes", "{n}", strconv.FormatInt(n, 10))
}

// countN words a count with its noun: the phrase one for 1, else many
// with {n} filled in.
func (f *facts) countN(n int, one, many string) string {
	if n == 1 {
		return f.say(one)
	}
	return f.say(many, "{n}", strconv.Itoa(n))
}

// recordHeaderLen is a TLS record header's length: content type, version,
// length (RFC 8446 §5.1).
const recordHeaderLen = 5
