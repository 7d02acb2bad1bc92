package explain

import (
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// Languages the explanations are written in. English is the default and
// the language of Diagnose; Japanese is written for Japanese network
// engineers, with command lines, code names, alert names and BIG-IP lines
// left as they are.
const (
	// LangEN is English, the default.
	LangEN = "en"
	// LangJA is Japanese.
	LangJA = "ja"
)

// Langs lists the languages DiagnoseLang and ExplainLine speak.
func Langs() []string { return []string{LangEN, LangJA} }

// ValidLang reports whether lang is one of Langs ("" counts as English).
func ValidLang(lang string) bool { return lang == "" || lang == LangEN || lang == LangJA }

// normLang maps "" and unknown languages onto English.
func normLang(lang string) string {
	if lang == LangJA {
		return LangJA
	}
	return LangEN
}

// phraseTables holds the small words that go inside the knowledge
// templates (placeholder values and evidence values that are prose), per
// language. Built once and only read.
var phraseTables = sync.OnceValue(func() map[string]map[string]string {
	return map[string]map[string]string{LangEN: phrasesEN(), LangJA: phrasesJA()}
})

// list joins items as the language writes a list in prose: ", " in
// English, "、" in Japanese (the ideographic comma, as Japanese prose
// writes lists). Evidence values never use it: they are technical values,
// the same in every language (see DiagnoseLang), and a collector splits
// them on ", "; they join with valueList.
func (f *facts) list(items []string) string {
	return strings.Join(items, f.say("list_comma"))
}

// valueList joins technical values (versions, suites, groups, ALPN
// protocols) as every language's evidence shows them: ", ".
func valueList(items []string) string { return strings.Join(items, ", ") }

// say returns the phrase key in the facts' language, with the {name}
// value pairs filled in one pass (values are never read as templates).
func (f *facts) say(key string, pairs ...string) string {
	tables := phraseTables()
	s, ok := tables[normLang(f.lang)][key]
	if !ok {
		s = tables[LangEN][key]
	}
	if len(pairs) == 0 {
		return s
	}
	return fillPairs(s, pairs)
}

// fillPairs replaces each {name} in s whose "{name}", value pair is in
// pairs, in one scan. It runs for every logged connection, where building a
// strings.Replacer per call cost more than the whole substitution.
func fillPairs(s string, pairs []string) string {
	var b strings.Builder
	b.Grow(len(s) + 32)
	for {
		open := strings.IndexByte(s, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(s[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(s[:open])
		key, val := s[open:open+end+1], ""
		found := false
		for i := 0; i+1 < len(pairs); i += 2 {
			if pairs[i] == key {
				val, found = pairs[i+1], true
				break
			}
		}
		if found {
			b.WriteString(val)
		} else {
			b.WriteString(key)
		}
		s = s[open+end+1:]
	}
	b.WriteString(s)
	return b.String()
}

// orNone is orNone in the facts' language.
func (f *facts) orNone(s string) string {
	if s == "" {
		return f.say("none")
	}
	return s
}

// addr is addrText in the facts' language.
func (f *facts) addr(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return f.say("unknown")
	}
	return addrText(ap)
}

// port is ap's port for prose, in the same words as addr when it is unknown.
func (f *facts) port(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return f.say("unknown")
	}
	return strconv.Itoa(int(ap.Port()))
}

// host is ap's IP for prose, in the same words as addr when it is unknown.
func (f *facts) host(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return f.say("unknown")
	}
	return ap.Addr().Unmap().String()
}

// phrasesEN are the English small words. Their wording is the one the
// golden files hold.
func phrasesEN() map[string]string {
	return map[string]string{
		"list_sep":               "; ",
		"list_comma":             ", ",
		"msg_shows_alert":        " (with `-msg` it shows the alert: `<<< … Alert … warning {alert}`)",
		"none":                   "(none)",
		"none_bare":              "none",
		"n_more":                 "… and {n} more",
		"connect_with_auth":      " with Proxy-Authorization: {scheme}",
		"unknown":                "(unknown)",
		"name_on_cert":           "<name on the certificate>",
		"key_origin_minted":      "(certificates minted from the lab CA are ECDSA P-256)",
		"key_origin_configured":  "(listener {listener} serves its configured certificate, client_ssl cert, {subject}, whose key is {key})",
		"peek_timeout":           "the peek timeout",
		"draw_part":              ", draw {draw}",
		"down_plain":             "{n} of decrypted data",
		"before_hello_end":       "{how}, {sent}",
		"before_hello_reset":     "with a reset",
		"before_hello_fin_reset": "with a close (FIN) and then a reset",
		"before_hello_sent":      "after sending {n}",
		"before_hello_silent":    "having sent nothing",
		"before_hello_value":     "{how} after {n} from the backend",
		"down_wire":              "{n}",
		"fault_old_cap":          " Capped at {v}, the client gets through only where the server accepts {v}: a tlsgate listener's client_ssl min_version defaults to 1.2 (set it to the cap), and OpenSSL 3 clients need `-cipher DEFAULT@SECLEVEL=0` (curl `--ciphers DEFAULT@SECLEVEL=0`) below TLS 1.2.",
		"trust_hint_ssl":         "often certificate trust; see `tlsgate ca export{ca_dir_opt}`",
		"trust_hint_pass":        "often certificate trust: through passthrough the certificate is the backend's, so the client must trust the backend's CA, not tlsgate's lab CA",
		"then_fin":               "a FIN: it read an early end of the stream",
		"then_rst":               "a reset (RST)",
		"then_hold":              "nothing more: it waited for the rest until its own timeout",
		"not_recorded_par":       "(not recorded)",
		"version_range":          "{from} to {to}",
		"offered_sslv2":          "SSLv2-format hello, up to {max}",
		"offered_legacy":         "{max} and below (legacy_version; no supported_versions)",

		"kind_http":          "a plaintext HTTP request ({request}{host})",
		"kind_http_host":     ", Host {host}",
		"kind_http_bare":     "a plaintext HTTP request",
		"kind_h2":            "a cleartext HTTP/2 preface (h2c prior knowledge)",
		"kind_ssh":           "an SSH client banner",
		"kind_proxy1":        "a PROXY protocol v1 header",
		"kind_proxy2":        "a PROXY protocol v2 header",
		"kind_tls":           "a TLS handshake record",
		"kind_sslv2":         "an SSLv2-format ClientHello",
		"kind_tls_other":     "a TLS record that is not a handshake",
		"kind_tls_alert":     "a TLS alert record ({level} {alert}), not a handshake",
		"kind_tls_record":    "a TLS {type} record, not a handshake",
		"kind_tls_after":     "a TLS handshake after {n} warning alert records",
		"kind_tls_after_one": "a TLS handshake after a warning alert record",
		"kind_empty":         "no bytes",
		"kind_unknown":       "bytes of no protocol tlsgate recognises",
		"kind_undecided":     "too few to tell which protocol they begin",
		"kind_tls_prefix":    "the start of a TLS record header, which nothing but TLS begins with",
		"kind_tls_byte":      "a TLS handshake record's first byte (0x16), which no plaintext protocol begins with",
		"kind_sslv2_prefix":  "the header of an SSLv2-format ClientHello (msg_type 1)",

		"hello_seen_header":       "{n} of a TLS record header",
		"hello_seen_body":         "{n} bytes, a TLS record header and {body} of the {len} bytes it announced",
		"hello_seen_records":      "{n} bytes of TLS records, the ClientHello still incomplete",
		"hello_seen_byte":         "1 byte, a TLS handshake record's content type (0x16)",
		"hello_seen_sslv2_header": "{n} bytes of an SSLv2 record header, announcing a {len}-byte ClientHello (msg_type 1)",
		"hello_seen_sslv2_body":   "{n} bytes of an SSLv2-format ClientHello, {body} of the {len} bytes its record header announced",
		"tls_began":               "Only TLS begins so",
		"tls_began_byte":          "A lone 0x16 begins a TLS handshake record far more often than anything else",
		"tls_began_sslv2":         "An SSLv2 record header with msg_type 1 begins an SSLv2-format ClientHello, which old clients send to offer TLS too",
		"hint_ssh":                " For SSH: the wrong port in `ssh -p` or in a port forward, pointed at this TLS service.",
		"hint_h2":                 " For cleartext HTTP/2: a client using prior knowledge (`curl --http2-prior-knowledge http://…`) or a gRPC client without TLS.",
		"hint_proxy":              " For a PROXY header: the load balancer adds PROXY protocol but the listener does not expect it.",

		"tls_offered": "offered {versions} alpn={alpn} (not terminated)",
		"tls_unread":  "{what} (not terminated)",

		"hello_alert_warning": ", at warning level, and then the connection closed. Most clients skip a warning alert that comes before the ServerHello and report the close instead; Java refuses a warning of an alert used only in handshakes",
		"our_cert_configured": "configured (client_ssl cert), subject={subject} issuer={issuer}",
		"tls_plain":           "plaintext {kind}",
		"proxied":             " client {client} via {peer} (PROXY v{v})",
		"tls_noread":          "{kind}, no ClientHello read (not terminated)",

		"at_version":                " (at {version})",
		"peek_spoke":                "spoke",
		"peek_silent":               "silent",
		"peek_closed":               "closed (FIN)",
		"peek_reset":                "reset (RST)",
		"peek_partial":              "partial, then silent",
		"peek_other":                "peek end {n}",
		"peek_after":                " after {n}",
		"peek_timeout_n":            " (peek timeout {timeout})",
		"handshake_timeout_n":       " (handshake timeout {timeout})",
		"handshake_timeout_of":      "{timeout} (the handshake timeout)",
		"idle_cut":                  "no byte either way for {idle}, then both sides reset; up {up} B, down {down} B in {took}",
		"exchange_value":            "client request records: {requests} ({request_bytes}); backend records after them: {closes} (alerts or close_notify), none that can hold an answer",
		"relay_reset_by":            "reset by the {side} after up {up} B, down {down} B in {took}; tlsgate reset the other side",
		"side_client":               "client",
		"side_backend":              "backend",
		"skipped_alert":             "warning alert {alert} at offset {at}",
		"relayed_by_pass":           "passthrough",
		"relayed_by_bypass":         "the bypass",
		"n_bytes":                   "{n} bytes",
		"one_byte":                  "1 byte",
		"one_suite":                 "1 suite",
		"n_suites":                  "{n} suites",
		"pass_client_fin":           "closed its sending side (FIN) {t} after connecting",
		"pass_client_notify":        "ended its TLS session with an alert record (its close_notify; {backend}'s FIN in reply reached the relay {t} after connecting, before the client's own FIN)",
		"one_record":                "1 record",
		"n_records":                 "{n} records",
		"one_cipher_suite":          "1 cipher suite",
		"n_cipher_suites":           "{n} cipher suites",
		"passes_tls":                "Listener {listener} passes TLS through",
		"passes_tls_bypass":         "Listener {listener} passes this connection's TLS through unread (bypass: {bypass})",
		"stall_end_idle":            "tlsgate's idle_timeout of {idle} reset both sides",
		"stall_end_reset":           "the {side} reset it",
		"stall_end_alert":           "the backend answered with alert {alert} and the connection closed",
		"stall_end_answer":          "the backend answered with {down_bytes} and the connection closed",
		"proxy_not_ssl":             "A BIG-IP virtual server with a client-ssl profile and no PROXY protocol handling reads the header as the first bytes of TLS: no handshake record, so it logs `not SSL` (the lines above), as it does for plaintext HTTP on the same port.",
		"listener_at_proxy":         "{own}; the client connected to the load balancer's VIP {vip}, per the PROXY header",
		"listener_at_orig":          "{own}; the client connected to {vip}, its original destination",
		"non_ssl_redirect_no_host":  "redirect (answered 400: the request had no Host to redirect to)",
		"non_ssl_redirect_unusable": "redirect (answered 400: {method} names no resource to redirect to)",
		"backend_trust_ca":          "--cacert <server_ssl.ca>",
		"backend_trust_ca_why":      "--cacert with the CA file in listener {listener}'s server_ssl.ca, which tlsgate verified the backend with; leave it out when server_ssl.ca is empty, as tlsgate then trusted the system pool",
		"backend_trust_k_why":       "-k, since listener {listener} has server_ssl.verify = false and tlsgate did not verify the backend either",
		"non_ssl_redirect_address":  "redirect (to the address the client connected to, {vip}: the request named no host)",
		"vip_which_proxy":           " (the address the client connected to: the load balancer's VIP {vip}, from the PROXY header; listener {listener} itself is at {own})",
		"vip_which_orig":            " (the client's original destination {vip}; listener {listener} itself is at {own})",
		"stall_end_client_fin":      "the client closed its side (FIN) after {after}; the backend then {then}",
		"stall_end_backend_fin":     "the backend closed (FIN) first, after {after}: its own handshake timeout, or it gave up on the partial hello; the client then closed",
		"stall_then_alert":          "answered with alert {alert} and closed",
		"stall_then_answer":         "answered with {down_bytes} and closed",
		"stall_then_closed":         "closed",
		"stall_then_reset":          "reset it",
		"bigip_plain_mode_ssl":      "BIG-IP: remove the client-ssl profile from the virtual",
		"bigip_plain_mode_pass":     "a BIG-IP virtual server without SSL profiles forwards plaintext as it comes; tlsgate refuses it by the listener's non_ssl action",
		"bigip_allow_ssl":           "BIG-IP: Non-SSL Connections enabled",
		"bigip_allow_pass":          "with plain_backend set; BIG-IP's Non-SSL Connections is a client-ssl profile setting, which a passthrough virtual server does not have",
		"bigip_silent_ssl":          "On a client-ssl virtual server BIG-IP ends this with a handshake timeout.",
		"bigip_silent_pass":         "A BIG-IP virtual server without a client-ssl profile has no handshake timer and keeps such a connection until its TCP idle timeout; tlsgate resets it (RST) at peek_timeout ({peek_timeout}).",
		"stall_why_split":           "A ClientHello larger than one TCP segment (a post-quantum one is about 1.6 KB: Go 1.24 and later, Chrome 124 and later) arrives in two; a middlebox that drops the second segment, or a path MTU black hole, leaves exactly this.",
		"stall_why_short":           "Stopping after {n}, within one TCP segment on any path, cannot come from a dropped second segment or an MTU black hole: the client itself stopped part-way through its first message (a stuck or very slow client, a test tool or scanner, or a slow-loris client holding connections open).",
		"stall_check_mtu":           "Test the path MTU from the client: `ping -M do -s 1472 {virtual_host}` should pass.",
		"stall_check_short":         "Find out what {client_ip} is (a scanner, a health checker, a load tool) and whether it ever sends the rest: `tcpdump -ni any host {client_ip} and port {vport}`.",
		"stall_end_closed":          "it was closed (FIN), by the backend's own handshake timeout or by the client giving up",
		"key_shares_none":           "none (an empty key_share list)",
		"cause_arrows":              "In the BIG-IP lines, the left side of the arrow ({client}) is the client's address and its ephemeral source port; the right side ({virtual}) is the virtual server address and port it connected to. `x:80 -> y:443` does not mean port 80 was forwarded to 443: it is a client whose source port happened to be 80. ",
		"bigip_none_pass":           " Listener {listener} passes TLS through, as a BIG-IP virtual server without a client-ssl profile does; such a virtual server runs none of TMM's SSL code for the connection and logs no SSL error for it (no 01260009, no 01260013), so no BIG-IP line is shown.",
		"bigip_none_auto":           " Listener {listener} (mode auto) never took this connection into a TLS handshake of its own: it ended before its bytes were TLS, or they were not TLS. No client-ssl profile ran for it, and the 0126xxxx lines (01260009, 01260013) come only from a client-ssl profile's SSL code (a BIG-IP client-ssl profile with Non-SSL Connections enabled logs no SSL error for plaintext it lets through), so no BIG-IP line is shown.",
		"cut_end_backend":           "the backend {then}",
		"cut_saw_alert":             "alert {alert} in the clear (`{record}`), then the close",
		"cut_saw_reset":             "a reset (RST) from the backend's side",
		"cut_saw_bytes":             "{down_bytes} from the backend, then the close",
		"cut_saw_closed":            "the close (FIN), without a byte before it",
		"record_alert":              "an alert record ({level} {alert})",
		"record_other":              "a {type} record",
		"ssl3_note":                 " `-ssl3` runs only on an openssl built with SSLv3 (`enable-ssl3`): OpenSSL 3 packages leave it out and stop at `Unknown option: -ssl3`. There, `-tls1 -cipher DEFAULT@SECLEVEL=0` instead tries the lowest version they can send; a backend that refuses TLS 1.0 refuses SSLv3 too.",
		"knob_max_rule":             "max_version of fault rule {rule}",
		"knob_max_listener":         "max_version on listener {listener}",
		"late_fin": " Another order of events ends the same way, and tlsgate's socket cannot tell the two apart: a client that meant to close right after its ClientHello, writing the hello and then shutting its sending side in a second call (`nc -N`, a script's shutdown(SHUT_WR)), can be descheduled between the two calls, and its FIN then leaves after tlsgate's flight has arrived. " +
			"Both reach tlsgate as a FIN with no alert and no byte after the flight; only the FIN's timing differs, and on a busy machine it proves nothing. If the client is such a script or probe, it refused nothing and closed early (client_closed_early): the certificate is not the question.",
		"fin_before_flight":         "had arrived when tlsgate wrote its handshake flight (the socket was in CLOSE_WAIT)",
		"fin_before_backend_flight": "read by the relay before it wrote the first byte of the backend's answer to the client",
		"skipped_note":              " (dropped before the ClientHello, as crypto/tls drops them; the hello after them was read)",

		"verify_skipped":   "skipped (server_ssl.verify = false): any certificate would have been accepted",
		"verified_for":     "verified for {name}",
		"verified":         "verified",
		"brief_verified":   " verified",
		"brief_unverified": " unverified",
		"mimicked_yes":     "yes: the leaf copies the real server's subject and SANs",
		"mimicked_no":      "no: the leaf names only the SNI (or the destination IP)",
		"streak_first":     "first failure for SNI {sni} and JA4 {ja4}",
		"streak_n":         "{n} in a row for SNI {sni} and JA4 {ja4}",
		"streak_sentence":  " {n} failures in a row from this client type (JA4 {ja4}) for this host (SNI {sni}).",
		"more_not_kept":    "(+{n} more not kept)",

		"upstream_unverified":                   "reached the real server {dest} without verifying its certificate (server_ssl.verify = false)",
		"upstream_verified":                     "verified the real server {dest}'s certificate for {name}",
		"mimic_note":                            " that copies the real server's subject and SANs",
		"backend_saw_inspect":                   "In inspect mode tlsgate sets up the server leg before it answers the client, so the client's handshake never gets a reply: tlsgate resets the connection after the ClientHello; curl prints `curl: (35) Recv failure: Connection reset by peer`, Go `read: connection reset by peer`, browsers ERR_CONNECTION_RESET.",
		"backend_saw":                           "The client's TLS handshake with tlsgate succeeds, then tlsgate resets the connection with no response from the backend: curl prints `curl: (56) Recv failure: Connection reset by peer`, `(52) Empty reply from server`, or, when the reset lands as it is about to send, `(55) getpeername() failed with errno 107: Transport endpoint is not connected` (curl 7.88) or `(55) Send failure: Connection reset by peer`; Go `read: connection reset by peer`, browsers ERR_CONNECTION_RESET.",
		"backend_saw_h2":                        "The client's TLS handshake with tlsgate succeeds (ALPN h2), then tlsgate resets the connection with no response from the backend: curl over HTTP/2 prints `curl: (16) Send failure: Connection reset by peer` (or `(55) Send failure: …`) when the reset meets a frame it is sending, else `(56) Recv failure: Connection reset by peer` or `(55) getpeername() failed with errno 107: Transport endpoint is not connected` (curl 7.88); Go `read: connection reset by peer`, browsers ERR_CONNECTION_RESET.",
		"backend_closed_early_saw":              "No answer at all, and the end of the stream where it belonged: curl `(52) Empty reply from server`, Go `EOF` (net/http: `server closed idle connection` or `EOF` on the request), browsers ERR_EMPTY_RESPONSE.",
		"backend_closed_early_saw_reset":        "No answer at all, and a reset: curl `(56) Recv failure: Connection reset by peer` (or `(55) getpeername() failed with errno 107: Transport endpoint is not connected`, curl 7.88, when the reset comes before it reads), Go `read: connection reset by peer`, browsers ERR_CONNECTION_RESET.",
		"backend_closed_early_saw_h2":           "No answer over HTTP/2 (h2 over TLS, or h2c in plaintext), and the end of the stream: curl `(18) HTTP/2 stream 1 was not closed cleanly before end of the underlying stream` (or `(52) Empty reply from server` when the end comes before its first frame is read), Go `unexpected EOF`, browsers ERR_CONNECTION_CLOSED.",
		"backend_closed_early_saw_h2_reset":     "No answer over HTTP/2 (h2 over TLS, or h2c in plaintext), and a reset: curl `(56) Recv failure: Connection reset by peer`, or `(16)`/`(55) Send failure: Connection reset by peer` when the reset meets a frame it is sending; Go `read: connection reset by peer`, browsers ERR_CONNECTION_RESET.",
		"backend_closed_early_saw_fin_reset":    "No answer at all: the end of the stream, then a reset (the backend reset the request tlsgate relayed after its close, and tlsgate passed that on): curl `(52) Empty reply from server` when it read the end first, else `(56) Recv failure: Connection reset by peer`; Go `EOF` or `read: connection reset by peer`, browsers ERR_EMPTY_RESPONSE or ERR_CONNECTION_RESET.",
		"backend_closed_early_saw_h2_fin_reset": "No answer over HTTP/2 (h2 over TLS, or h2c in plaintext): the end of the stream, then a reset: curl `(18) HTTP/2 stream 1 was not closed cleanly before end of the underlying stream` when it read the end first, else `(56) Recv failure: Connection reset by peer` or `(16) Send failure: Connection reset by peer`; Go `unexpected EOF` or `read: connection reset by peer`.",
		"backend_reset_saw":                     "A reset in the middle of the exchange: curl prints `curl: (56) Recv failure: Connection reset by peer`, or `curl: (55) Send failure: Connection reset by peer` when the reset meets a request body it is still sending (curl 7.88.1, over https:// and http:// alike); Go `read: connection reset by peer`, browsers ERR_CONNECTION_RESET, often with part of the response already received.",
		"backend_reset_saw_h2":                  "A reset in the middle of the HTTP/2 exchange (h2 over TLS, or h2c in plaintext): curl prints `(16) Send failure: Connection reset by peer` (or `(55) Send failure: …`) when the reset meets a frame it is sending, else `(56) Recv failure: Connection reset by peer` or `(55) getpeername() failed with errno 107: Transport endpoint is not connected` (curl 7.88); Go `read: connection reset by peer`, browsers ERR_CONNECTION_RESET, often with part of the response already received.",
		"backend_saw_passthrough":               "tlsgate does not terminate TLS here: it dials the backend as soon as the ClientHello is in and resets the client when that fails, so the client's handshake gets a RST instead of a ServerHello: curl prints `curl: (35) Recv failure: Connection reset by peer`, openssl s_client `write:errno=104`, Go `read: connection reset by peer`, browsers ERR_CONNECTION_RESET.",
		"backend_saw_plain":                     "The client's connection succeeds and its first bytes go out, then tlsgate resets it with no response from the backend: curl prints `curl: (56) Recv failure: Connection reset by peer`, Go `read: connection reset by peer`, browsers ERR_CONNECTION_RESET.",

		"rank_unknown": "unknown strength",
		"rank_0":       "3DES/RC4",
		"rank_1":       "static RSA key exchange, no forward secrecy",
		"rank_2":       "ECDHE with CBC",
		"rank_3":       "ECDHE with an AEAD cipher",
		"rank_4":       "TLS 1.3 AEAD",

		"alert_unrecorded":  "an alert (not recorded)",
		"alert_n":           "alert {alert}",
		"saw_alert_none":    "A TLS alert: curl exits 35 naming it, Go prints `remote error: tls: …`.",
		"saw_alert":         "tls alert {alert}: curl prints {curl}, Go {go}, Chrome {chrome}.",
		"saw_after_warning": "nothing for the warning itself, then what follows it (an EOF after the close, a reset, or a timeout)",
		"chrome_blames":     " (it blames the client certificate)",
		"cert_saw_tls12":    "Under TLS 1.2 the handshake fails: curl prints `{curl}`, Go `{go}`.",
		"cert_saw_tls13":    "Under TLS 1.3 the client sees a completed handshake and the alert on its first read: curl prints `{curl}`, and Go's first Read returns `{go}`.",
		"auth_ca_lab":       "the lab CA",
		"auth_ca_none":      "no CA at all (every certificate is refused)",
		"auth_ca_or":        " or ",
		"auth_reject_with":  ", the alert the rule's reject_with names (crypto/tls alone would send another)",

		"seclevel_note": " An OpenSSL 3 backend also needs `@SECLEVEL=0` in its cipher string to accept TLS 1.0 or 1.1.",
		"legacy_risk":   " TLS 1.0 and 1.1 are deprecated (RFC 8996): serve them only to a client that cannot be upgraded.",
		"java_legacy":   " (Java also lists TLSv1 and TLSv1.1 in jdk.tls.disabledAlgorithms of java.security: remove them there)",

		"chain_verify_other":       "the error its kind causes",
		"chain_instead_lab":        "instead of tlsgate's lab-CA chain",
		"chain_instead_configured": "instead of listener {listener}'s configured certificate (client_ssl cert, {subject}; a rule's chain is tlsgate's own, from the lab CA or a deliberately foreign one, so the issuer changed too)",
		"replaced_note_lab":        "",
		"replaced_note_configured": " Unlike the real case, the issuer changed too: the rule replaced listener {listener}'s configured certificate (client_ssl cert, {subject}) with this lab-CA one, as every chain or skew rule does, so a client that does not trust the lab CA refuses it for that as well.",
		"clock_expired":            "expired",
		"clock_not_yet":            "not yet valid",
		"clock_ahead":              "ahead",
		"clock_behind":             "behind",
		"peer_skew_evidence":       "tlsgate's own upstream leg of listener {listener}, its clock shifted {skew} by rule {rule}",
		"clock_saw_expired":        "curl prints `curl: (60) SSL certificate problem: certificate has expired`, openssl s_client `verify error:num=10:certificate has expired`, Go `x509: certificate has expired or is not yet valid: current time … is after …`, Chrome NET::ERR_CERT_DATE_INVALID (or its \"Your clock is ahead\" page).",
		"clock_saw_not_yet":        "curl prints `curl: (60) SSL certificate problem: certificate is not yet valid`, openssl s_client `verify error:num=9:certificate is not yet valid`, Go `x509: certificate has expired or is not yet valid: current time … is before …`, Chrome NET::ERR_CERT_DATE_INVALID (or its \"Your clock is behind\" page).",

		"curl_wrong_host":           "`curl: (60) SSL: no alternative certificate subject name matches target host name '{host}'` (curl checks the name itself, after the handshake, and sends no alert)",
		"curl_verify":               "`curl: (60) SSL certificate problem: {text}` (curl refuses this chain during the handshake, with an alert; the client here sent none)",
		"curl_huge_cert":            "`curl: (35) … excessive message size` (OpenSSL cannot read a certificate list this large, and curl fails during the handshake)",
		"curl_accepts":              "nothing: curl accepts this chain at its defaults and sends its request",
		"chain_look_constraints":    " The constraints are on the intermediate, not the leaf: `{cmd}` shows them. Its `Permitted:` subtrees ({permitted}) do not cover {name}, the name the client asked for, so every client that verifies the chain refuses it, whatever its trust store. In the real case, have the CA issue the leaf from an intermediate whose permitted subtrees cover the name (or reissue the intermediate with the name's domain added); nothing on the client fixes it.",
		"chain_look_constraints_ip": " The constraints are on the intermediate, not the leaf: `{cmd}` shows them. Besides its `Permitted:` subtrees ({permitted}) it excludes every IP address, and the client sent no SNI, so the leaf names the address {name}, inside the excluded subtrees (a client that sends a permitted name passes). In the real case, have clients connect by a name the intermediate permits, or the CA issue the leaf from an intermediate whose constraints allow it; nothing in the client's trust store fixes it.",
		"curl_ocsp":                 "`curl: (91) {text}` with `--cert-status` (curl checks the stapled OCSP response once the handshake is done, then hangs up without an alert); without `--cert-status` curl connects",
		"ocsp_revoked":              "revoked (reason keyCompromise)",
		"ocsp_ocsp_unknown":         "unknown",
		"ocsp_ocsp_expired":         "good, but past its nextUpdate (expired)",
		"ocsp_clock_ahead":          "its thisUpdate {skew} in the future",
		"ocsp_clock_behind":         "its nextUpdate {skew} in the past",
		"ocsp_clock_real_ahead":     "an OCSP responder whose clock is ahead by {skew}, issuing responses that are not yet valid",
		"ocsp_clock_real_behind":    "a server whose clock is behind by {skew}, still stapling a response past its nextUpdate because to it the response is current",
		"curl_chain_other":          "the verify error its kind causes (curl exit 60)",
		"curl_skew":                 ", or, when the {skew} shift moved the dates past the client's clock, `curl: (60) SSL certificate problem: certificate has expired` (or `certificate is not yet valid`)",
		"silent_done":               "completed the handshake, then hung up without a request or an alert",
		"silent_flight_fin":         "received tlsgate's certificate flight, then hung up (FIN) without an alert before finishing the handshake",
		"silent_flight_rst":         "received tlsgate's certificate flight, then reset the connection (RST) without an alert before finishing the handshake",

		"size_unknown": "of unknown size",
		"size":         "{n} bytes in {records} records",
		"size_one":     "{n} bytes in one record",
		"size_shares":  ", key shares {groups}",
	}
}
