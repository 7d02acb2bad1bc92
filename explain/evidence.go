package explain

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// maxDumpBytes bounds the hex dump in evidence; 32 bytes show a record
// header plus the start of an HTTP request line, which is what operators read.
const maxDumpBytes = 32

// HexASCII renders bytes as "47 45 54 20 |GET |": hex pairs, then the
// printable ASCII with dots for the rest. At most max bytes are shown; a
// suffix says how many more were seen.
func HexASCII(b []byte, max int) string {
	if len(b) == 0 {
		return "(none)"
	}
	shown := b
	if max > 0 && len(b) > max {
		shown = b[:max]
	}
	var hex, ascii strings.Builder
	for i, c := range shown {
		if i > 0 {
			hex.WriteByte(' ')
		}
		fmt.Fprintf(&hex, "%02x", c)
		if c >= 0x20 && c < 0x7f {
			ascii.WriteByte(c)
		} else {
			ascii.WriteByte('.')
		}
	}
	out := hex.String() + " |" + ascii.String() + "|"
	if len(shown) < len(b) {
		out += fmt.Sprintf(" (+%d more bytes)", len(b)-len(shown))
	}
	return out
}

// hexPrefix is the short form used inside sentences: "16 03 01".
func hexPrefix(b []byte, n int) string {
	if len(b) < n {
		n = len(b)
	}
	parts := make([]string, n)
	for i := range n {
		parts[i] = fmt.Sprintf("%02x", b[i])
	}
	return strings.Join(parts, " ")
}

// addrText is an address for prose, "(unknown)" when the listener had none.
func addrText(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return "(unknown)"
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// versionList names versions in wire order, joined by join: f.list in
// prose, valueList in evidence.
func (f *facts) versionList(vs []uint16, join func([]string) string) string {
	names := make([]string, 0, min(len(vs), ListCap+1))
	for _, v := range vs[:min(len(vs), ListCap)] {
		names = append(names, VersionName(v))
	}
	return join(f.more(names, len(vs)))
}

// cipherList names suites with their IANA names (hex for unknown ones),
// joined by join.
func (f *facts) cipherList(ids []uint16, join func([]string) string) string {
	if len(ids) == 0 {
		return f.say("none")
	}
	names := make([]string, 0, min(len(ids), ListCap+1))
	for _, id := range ids[:min(len(ids), ListCap)] {
		names = append(names, CipherName(id))
	}
	return join(f.more(names, len(ids)))
}

// ListCap is how many items an evidence list names before it says how
// many more there were. Real clients offer a few dozen suites at most
// (openssl s_client -cipher ALL:COMPLEMENTOFALL offers 158), but a hostile
// 16 KiB hello can offer about 8,000, which would make one log line
// 165 KB: the explanation stays readable and every line bounded.
const ListCap = 160

// more ends names, the first ListCap of total items, with how many it
// left out.
func (f *facts) more(names []string, total int) []string {
	if total <= len(names) {
		return names
	}
	return append(names, f.say("n_more", "{n}", strconv.Itoa(total-len(names))))
}

// offeredVersions says what the client offered and how it said so, a
// list of versions joined by join.
func (f *facts) offeredVersions(join func([]string) string) string {
	switch {
	case f.o.SSLv2 != nil || f.o.Kind == sniff.SSLv2Hello:
		return f.say("offered_sslv2", "{max}", VersionName(f.maxOffered))
	case len(f.versions) == 0:
		return f.say("unknown")
	case !f.explicitVersions:
		return f.say("offered_legacy", "{max}", VersionName(f.maxOffered))
	}
	return f.versionList(f.versions, join)
}

// kindDesc describes the first bytes in words for causes.
func (f *facts) kindDesc() string {
	o := f.o
	if tlsPrefixStalled(o) || endedUndecided(o) && sniff.StalledHello(o.FirstBytes) {
		// Every mode takes these as TLS (BeganTLS), so they are worded
		// as the TLS they began, like the same stall a byte later, not
		// as too few to tell. A client that left after them (FIN or
		// reset) began TLS just as surely: a lone 0x16 then FIN is worded
		// as 16 03 then FIN is.
		switch {
		case len(o.FirstBytes) == 1:
			return f.say("kind_tls_byte")
		case sslv2HelloStart(o.FirstBytes):
			return f.say("kind_sslv2_prefix")
		}
		return f.say("kind_tls_prefix")
	}
	if endedUndecided(o) {
		return f.say("kind_undecided")
	}
	switch o.Kind {
	case sniff.HTTP1:
		if o.HTTP != nil {
			host := ""
			if o.HTTP.Host != "" {
				host = f.say("kind_http_host", "{host}", o.HTTP.Host)
			}
			return f.say("kind_http", "{request}", o.HTTP.Method+" "+o.HTTP.Target+" "+o.HTTP.Proto, "{host}", host)
		}
		return f.say("kind_http_bare")
	case sniff.HTTP2:
		return f.say("kind_h2")
	case sniff.SSH:
		return f.say("kind_ssh")
	case sniff.ProxyV1:
		return f.say("kind_proxy1")
	case sniff.ProxyV2:
		return f.say("kind_proxy2")
	case sniff.TLSHandshake:
		if n := leadingSkipped(o); n == 1 {
			return f.say("kind_tls_after_one")
		} else if n > 1 {
			return f.say("kind_tls_after", "{n}", strconv.Itoa(n))
		}
		return f.say("kind_tls")
	case sniff.SSLv2Hello:
		return f.say("kind_sslv2")
	case sniff.TLSOther:
		return f.recordDesc()
	case sniff.Empty:
		return f.say("kind_empty")
	}
	return f.say("kind_unknown")
}

// recordDesc names a first record that is no handshake by its content
// type, and an alert by its level and description: the five-byte header
// (and an alert's two bytes) say exactly what came, which "a record that
// is not a handshake" would leave the operator to decode from the hex.
func (f *facts) recordDesc() string {
	if b := f.o.FirstBytes; len(b) == 0 || b[0] < 20 || b[0] > 24 || b[0] == 22 {
		return f.say("kind_tls_other")
	}
	return f.recordNamed("kind_tls_alert", "kind_tls_record")
}

// httpsURL is the URL the client should have used: its own Host header
// when it sent one, else the virtual address.
func httpsURL(o *Outcome) string {
	if o.HTTP != nil && o.HTTP.Host != "" {
		return "https://" + o.HTTP.Host + "/"
	}
	return "https://" + addrText(o.Virtual) + "/"
}

// kindHint adds a protocol-specific likely cause to plaintext_on_tls.
func (f *facts) kindHint(k sniff.Kind) string {
	switch k {
	case sniff.SSH:
		return f.say("hint_ssh")
	case sniff.HTTP2:
		return f.say("hint_h2")
	case sniff.ProxyV1, sniff.ProxyV2:
		return f.say("hint_proxy")
	}
	return ""
}

// tlsPart is the version/cipher/ALPN part of an ok summary.
func (f *facts) tlsPart() string {
	o := f.o
	switch {
	case o.ClientTLS.Done:
		return VersionName(o.ClientTLS.Version) + " " + CipherName(o.ClientTLS.CipherSuite) + " alpn=" + f.orNone(o.ClientTLS.ALPN)
	case o.Hello != nil:
		return f.say("tls_offered", "{versions}", f.offeredVersions(f.list), "{alpn}", f.orNone(strings.Join(o.Hello.ALPN, ",")))
	// An SSLv2-format hello, or a TLS record that is no handshake, was
	// relayed unread: TLS of a form tlsgate does not parse, not plaintext.
	case o.SSLv2 != nil || o.Kind == sniff.SSLv2Hello:
		return f.say("tls_unread", "{what}", f.offeredVersions(f.list))
	case o.Kind == sniff.TLSHandshake:
		// Relayed unread (beyond the parse cap, or no hello sniff
		// could read): TLS all the same, not "plaintext tls".
		return f.say("tls_noread", "{kind}", o.Kind.String())
	case o.Kind.IsTLS():
		return f.say("tls_unread", "{what}", f.kindDesc())
	}
	return plainTLSPart()[langIndex(f.lang)][o.Kind]
}

// plainTLSPart is tlsPart's last answer ("plaintext http1"), worded once
// per language and kind: every plaintext connection's summary has it, and
// wording it per connection cost an allocation.
var plainTLSPart = sync.OnceValue(func() *[2][256]string {
	var t [2][256]string
	for i, lang := range [2]string{LangEN, LangJA} {
		f := &facts{lang: lang}
		for k := range t[i] {
			t[i][k] = f.say("tls_plain", "{kind}", sniff.Kind(k).String())
		}
	}
	return &t
})

// langIndex is lang's row in plainTLSPart.
func langIndex(lang string) int {
	if normLang(lang) == LangJA {
		return 1
	}
	return 0
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// evidenceValue computes one evidence item; "" means "not applicable here".
func (f *facts) evidenceValue(key string) string {
	o := f.o
	switch key {
	case "first_bytes":
		if len(o.FirstBytes) == 0 {
			return ""
		}
		return HexASCII(o.FirstBytes, maxDumpBytes)
	case "kind":
		return o.Kind.String()
	case "http_request":
		return requestLine(o)
	case "http_host":
		if o.HTTP != nil {
			return o.HTTP.Host
		}
	case "non_ssl_action":
		return nonSSLEvidence(o)
	case "route":
		return o.Route
	case "connect":
		return f.connectEvidence()
	case "sni":
		if o.Hello != nil || helloReadByTLS(o) {
			return f.orNone(ClientSNI(o))
		}
	case "versions_offered":
		if len(f.versions) > 0 {
			return f.offeredVersions(valueList)
		}
	case "versions_ours":
		return f.say("version_range", "{from}", VersionName(f.floor), "{to}", VersionName(f.ceiling))
	case "ciphers_offered":
		if o.Hello != nil {
			return f.cipherList(f.suites, valueList)
		}
	case "ciphers_ours":
		if f.negotiable != 0 {
			return f.cipherList(f.ours, valueList) + f.say("at_version", "{version}", VersionName(f.negotiable))
		}
	case "alpn_offered":
		// Joined as every other evidence list is (valueList), not as
		// openssl's -alpn takes it: a collector splits evidence on ", ".
		// The summary's alpn=… and the {backend_alpn} of a command keep ",".
		if o.Hello != nil {
			return valueList(o.Hello.ALPN)
		}
	case "groups_offered":
		if o.Hello != nil {
			return f.groupList(o.Hello.SupportedGroups, valueList)
		}
	case "key_shares":
		if o.Hello != nil {
			if len(o.Hello.KeyShareGroups) == 0 {
				return f.say("key_shares_none")
			}
			return f.groupList(o.Hello.KeyShareGroups, valueList)
		}
	case "groups_ours":
		if len(o.ClientTLS.OurGroups) > 0 {
			return f.groupList(o.ClientTLS.OurGroups, valueList)
		}
	case "ja3":
		return o.JA3
	case "ja4":
		return o.JA4
	case "alert_recv":
		if f.alert >= 0 {
			return alertLabel(f.alert)
		}
	case "peer_skew":
		if p := o.PeerSkew; p.Rule != "" {
			return f.say("peer_skew_evidence", "{listener}", p.Listener, "{rule}", p.Rule, "{skew}", p.Skew.String())
		}
	case "our_cert":
		if o.ClientTLS.OurCertIssuer != "" {
			return f.say("our_cert_configured", "{subject}", strconv.Quote(o.ClientTLS.OurCertSubject), "{issuer}", strconv.Quote(o.ClientTLS.OurCertIssuer))
		}
	case "alert_sent":
		if o.ClientTLS.Attempted && o.ClientTLS.AlertSent >= 0 && !o.ClientTLS.Done {
			return alertLabel(o.ClientTLS.AlertSent)
		}
	case "client_error":
		return o.ClientTLS.Err
	case "hello_error":
		return o.HelloErr
	case "late_bytes":
		if o.ClientTLS.LateBytes > 0 {
			return strconv.FormatInt(o.ClientTLS.LateBytes, 10)
		}
	case "handshake_timeout":
		if o.HandshakeTimeout > 0 {
			return o.HandshakeTimeout.String()
		}
	case "peek":
		return f.peekText()
	case "proxy":
		return f.proxyText()
	case "backend":
		return o.Backend.Addr
	case "backend_error":
		return o.Backend.DialErr
	case "relay_end":
		switch o.End {
		case EndClientReset:
			return f.sayFlow("relay_reset_by", "{side}", f.say("side_client"))
		case EndBackendReset:
			return f.sayFlow("relay_reset_by", "{side}", f.say("side_backend"))
		}
	case "idle":
		if o.End == EndIdleTimeout {
			return f.sayFlow("idle_cut", "{idle}", o.IdleTimeout.String())
		}
	case "backend_tls_error":
		return o.Backend.TLS.Err
	case "backend_before_hello":
		if h := o.Backend.EndedBeforeHello; h != "" {
			// What the wire showed, as tcpdump names it, in every language.
			wire := map[string]string{EndedReset: "RST", EndedFINReset: "FIN → RST"}[h]
			return f.say("before_hello_value", "{how}", wire,
				"{n}", f.bytesN(int64(o.Backend.BeforeHelloBytes)))
		}
	case "backend_verify":
		return o.Backend.TLS.Verify
	case "backend_cert":
		return strings.Join(o.Backend.TLS.PeerCert, " <- ")
	case "backend_endpoints":
		local, remote := backendEndpoints(o)
		return f.addr(local) + " -> " + f.addr(remote)
	case "backend_alpn":
		return valueList(o.Backend.TLS.ALPNOffered)
	case "exchange":
		if e := o.Backend.Exchange; e.Followed && e.Asked && !e.Answered {
			return f.say("exchange_value", "{requests}", strconv.Itoa(e.Requests), "{request_bytes}", f.bytesN(int64(e.RequestBytes)),
				"{closes}", strconv.Itoa(e.Closes))
		}
	case "backend_answer":
		return HexASCII(o.Backend.AnswerHead[:min(o.Backend.AnswerLen, len(o.Backend.AnswerHead))], 0)
	case "hello_alert":
		if o.Backend.HelloAlert.Level != 0 {
			return firstRecordText(o.Backend.HelloAlert)
		}
	case "client_end":
		return clientEndText(o)
	case "faults":
		// With firings recorded, each gets its own "fault" line instead.
		if len(o.FaultFirings) > 0 {
			return ""
		}
		// Rule names are a list like the others: joined with ", ".
		return valueList(o.Faults)
	case "fault_alert_sent":
		if o.FaultApplied != "" && o.ClientTLS.AlertSent >= 0 {
			return alertLabel(o.ClientTLS.AlertSent)
		}
	case "client_reply":
		if o.FaultApplied != "" && o.ClientTLS.AlertRecv >= 0 {
			return alertLabel(o.ClientTLS.AlertRecv)
		}
	case "hello_size":
		if o.Hello != nil && o.Hello.WireLen > 0 {
			return f.helloSize()
		}
	case "skipped_records":
		return f.skippedText()
	case "fin_before_flight":
		if o.ClientTLS.FINBeforeFlight {
			return f.say("fin_before_flight")
		}
		if o.Backend.FINBeforeFlight {
			return f.say("fin_before_backend_flight")
		}
	default:
		return f.inspectEvidence(key)
	}
	return ""
}

func (f *facts) peekText() string {
	o := f.o
	ends := map[PeerEnd]string{PeerSpoke: "peek_spoke", PeerSilent: "peek_silent", PeerClosed: "peek_closed",
		PeerReset: "peek_reset", PeerPartial: "peek_partial"}
	s := f.say("peek_other", "{n}", strconv.Itoa(int(o.PeekEnd)))
	if k, ok := ends[o.PeekEnd]; ok {
		s = f.say(k)
	}
	s += f.say("peek_after", "{n}", f.bytesN(int64(firstLen(o))))
	switch {
	case o.HelloTimeout > 0:
		s += f.say("handshake_timeout_n", "{timeout}", o.HelloTimeout.String())
	case o.PeekTimeout > 0:
		s += f.say("peek_timeout_n", "{timeout}", o.PeekTimeout.String())
	}
	return s
}

func (f *facts) proxyText() string {
	p := f.o.Proxy
	s := "policy=" + f.orNone(p.Policy) + " header=" + map[bool]string{true: "v" + strconv.Itoa(p.Version), false: "none"}[p.Version != 0]
	s += f.proxyAddrs(p.Src, p.Dst)
	switch {
	case p.Local && p.Version == 1:
		s += " protocol=UNKNOWN"
	case p.Local:
		s += " command=LOCAL"
	}
	if p.Version != 0 && f.o.Peer.IsValid() {
		// The socket's peer, the load balancer that sent the header,
		// first: the header's own addresses read on from there.
		s = "peer=" + f.addr(f.o.Peer) + " " + s
	}
	if p.Second != 0 {
		s += " second=v" + strconv.Itoa(p.Second) + f.proxyAddrs(p.SecondSrc, p.SecondDst)
	}
	if p.Err != "" {
		s += " error=" + p.Err
	}
	return s
}

// proxyAddrs is the addresses a PROXY header claimed, " src=… dst=…", or
// "" when it carried none (LOCAL, UNKNOWN, or no header).
func (f *facts) proxyAddrs(src, dst netip.AddrPort) string {
	if !src.IsValid() && !dst.IsValid() {
		return ""
	}
	return " src=" + f.addr(src) + " dst=" + f.addr(dst)
}

// proxyHeaderText is one PROXY header in prose: its version and the
// addresses it claimed, "v1 203.0.113.7:40004 -> 10.0.0.2:443".
func (f *facts) proxyHeaderText(v int, src, dst netip.AddrPort) string {
	s := "v" + strconv.Itoa(v)
	if src.IsValid() || dst.IsValid() {
		s += " " + f.addr(src) + " -> " + f.addr(dst)
	}
	return s
}

// sayFlow is say with the relay's byte counts and duration ({up}, {down},
// {took}) added to pairs, and the counts worded with their noun
// ({up_bytes}, {down_bytes}: "1 byte", "2 bytes").
func (f *facts) sayFlow(key string, pairs ...string) string {
	o := f.o
	return f.say(key, append(pairs, "{up}", strconv.FormatInt(o.BytesUp, 10), "{down}", strconv.FormatInt(o.BytesDown, 10),
		"{up_bytes}", f.bytesN(o.BytesUp), "{down_bytes}", f.bytesN(o.BytesDown),
		"{took}", o.Duration.Round(time.Millisecond).String())...)
}

// skippedText lists the warning alerts sniff dropped before or between the
// hello's records, "" when there were none: the first bytes then begin
// with a record that is no handshake, and this says why the hello after it
// was read all the same.
func (f *facts) skippedText() string {
	if f.o.Hello == nil || len(f.o.Hello.Skipped) == 0 {
		return ""
	}
	parts := make([]string, len(f.o.Hello.Skipped))
	for i, s := range f.o.Hello.Skipped {
		parts[i] = f.say("skipped_alert", "{alert}", alertLabel(int(s.Desc)), "{at}", strconv.Itoa(s.Offset))
	}
	return strings.Join(parts, f.say("list_sep")) + f.say("skipped_note")
}

// leadingSkipped counts the skipped alerts that came before the hello's
// first record, in a row from the first byte.
func leadingSkipped(o *Outcome) int {
	if o.Hello == nil {
		return 0
	}
	n := 0
	for _, s := range o.Hello.Skipped {
		if s.Offset != n*sniff.AlertRecordLen {
			break
		}
		n++
	}
	return n
}
