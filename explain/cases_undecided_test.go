package explain

import (
	"net/netip"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// undecidedCases are clients that stopped before their first bytes decided
// anything, each as a hostile-client run on real sockets recorded it: the
// texts must name the end the client really got (the listener's RST, or
// tlsgate's FIN at its handshake timeout) and the timeout that ended it.
func undecidedCases() []diagCase {
	// One byte that names no protocol (0xa5 may still begin an SSLv2
	// header), then silence: the listener reset it at the peek deadline
	// (route "closed"), on passthrough as on terminate.
	garbage := func(mode string, first []byte) *Outcome {
		o := base(mode)
		o.Route, o.Kind, o.PeekEnd, o.FirstBytes = "closed", sniff.Unknown, PeerPartial, first
		o.PeekTimeout, o.Duration = 3*time.Second, 3*time.Second
		return o
	}
	// Optional PROXY on a terminating listener: no header, the same bytes.
	optional := garbage("terminate", []byte{0xa5, 0x01})
	optional.Proxy.Policy = "optional"
	// A record header claiming 16 KiB, then nothing: tlsgate's handshake
	// took it at the peek deadline (3s) and its handshake_timeout (6s)
	// ended it, with a FIN.
	record := base("terminate")
	record.Kind, record.PeekEnd, record.FirstBytes = sniff.TLSHandshake, PeerPartial, []byte{0x16, 0x03, 0x01, 0x40, 0x00}
	record.HelloErr = "sniff: need more bytes: record body"
	record.PeekTimeout, record.HandshakeTimeout, record.Duration = 3*time.Second, 6*time.Second, 6001*time.Millisecond
	record.ClientTLS.Attempted, record.ClientTLS.Err = true, "context deadline exceeded"
	// The same, but the client closed (FIN) at 4s, then reset at 4s.
	recordFIN := *record
	recordFIN.ClientTLS.Err, recordFIN.Duration = "unexpected EOF", 4046*time.Millisecond
	recordRST := *record
	recordRST.ClientTLS.Err, recordRST.Duration = "read tcp 127.0.0.1:39483->127.0.0.1:38138: read: connection reset by peer", 4074*time.Millisecond
	// `GET / HT` on an http400 listener, then the client's RST at 1s:
	// the listener was still reading the request line and only closed.
	unanswered := base("terminate")
	unanswered.NonSSL, unanswered.Route = "http400", "closed"
	unanswered.Kind, unanswered.PeekEnd, unanswered.FirstBytes = sniff.HTTP1, PeerReset, []byte("GET / HT")
	unanswered.PeekTimeout, unanswered.Duration = 3*time.Second, 1003*time.Millisecond
	// The same bytes, then the client's FIN: no more can come, so the
	// listener answered what came with its 400; on a redirect listener
	// too, since the cut request named no host.
	answeredFIN := *unanswered
	answeredFIN.PeekEnd, answeredFIN.Route = PeerClosed, "non_ssl_http400"
	answeredFINRedirect := answeredFIN
	answeredFINRedirect.NonSSL = "redirect"
	unansweredRedirect := *unanswered
	unansweredRedirect.NonSSL = "redirect"
	// A valid PROXY v2 header from a load balancer, then its RST (or
	// FIN) before any data.
	lb := netip.MustParseAddrPort("127.0.0.1:44572")
	proxied := base("terminate")
	proxied.Route, proxied.Kind, proxied.PeekEnd, proxied.Peer = "closed", sniff.Empty, PeerReset, lb
	proxied.Client = netip.MustParseAddrPort("127.0.0.1:1234")
	proxied.Proxy = Proxy{Policy: "v2", Version: 2, Src: proxied.Client, Dst: testVirtual}
	proxiedFIN := *proxied
	proxiedFIN.PeekEnd = PeerClosed
	// Silence on passthrough: the listener resets it at the deadline.
	silentPass := base("passthrough")
	silentPass.Route, silentPass.Kind, silentPass.PeekEnd = "closed", sniff.Empty, PeerSilent

	rst := "`curl: (35) Recv failure: Connection reset by peer`"
	return []diagCase{
		{name: "handshake_timeout_partial_reset_passthrough", o: garbage("passthrough", []byte{0xa5}), code: CodeHandshakeTimeout,
			contains: []string{"sent 1 byte of a first message and then stalled; tlsgate reset the connection at the peek deadline", "reset the connection (RST)"},
			absent:   []string{"(FIN)", "SSL_ERROR_SYSCALL", "Go `EOF`"}, saw: rst},
		{name: "handshake_timeout_partial_reset_terminate", o: garbage("terminate", []byte{0xa5, 0x01}), code: CodeHandshakeTimeout, lines: []string{lineSummary},
			contains: []string{"sent 2 bytes", "`read: connection reset by peer`"}, absent: []string{"(FIN)"}, saw: rst},
		{name: "handshake_timeout_partial_reset_proxy_optional", o: optional, code: CodeHandshakeTimeout, lines: []string{lineSummary},
			absent: []string{"(FIN)"}, saw: rst},
		{name: "handshake_timeout_partial_handshake", o: record, code: CodeHandshakeTimeout, lines: []string{lineSummary},
			contains: []string{"the handshake timeout (6s) ended the connection after 6.001s", "At the peek deadline (3s)",
				"handshake_timeout of 6s, counted from the accept", "handshake_timeout=6s"},
			absent: []string{"nothing more within 3s"}, saw: "when its handshake timeout (6s) passed"},
		{name: "client_closed_early_partial_late", o: &recordFIN, code: CodeClientClosedEarly, lines: []string{lineSummary},
			contains: []string{"closed the connection (FIN) after 4.046s, before the handshake timeout", "No timeout of tlsgate's ended the connection"},
			absent:   []string{"tlsgate closes the connection (FIN) when its deadline passes"}},
		{name: "client_reset_early_partial_late", o: &recordRST, code: CodeClientResetEarly, lines: []string{lineSummary},
			contains: []string{"reset the connection (RST) after 4.074s, before the handshake timeout"},
			absent:   []string{"tlsgate closes the connection (FIN) when its deadline passes"}},
		{name: "plaintext_on_tls_client_reset_unanswered", o: unanswered, code: CodePlaintextOnTLS, lines: []string{lineNotSSL, lineSummary},
			contains: []string{"the client reset the connection (RST) before tlsgate answered: no non_ssl answer (http400) was sent", "after 1.003s"},
			absent:   []string{"readable HTTP 400 saying"}, saw: "no HTTP 400 or redirect was sent"},
		{name: "plaintext_on_tls_client_fin_answered", o: &answeredFIN, code: CodePlaintextOnTLS, lines: []string{lineNotSSL, lineSummary},
			contains: []string{"non_ssl action: http400"}, absent: []string{"without answering", "Connection reset by peer"},
			saw: "readable HTTP 400 saying"},
		{name: "plaintext_on_tls_client_fin_redirect_no_host", o: &answeredFINRedirect, code: CodePlaintextOnTLS, lines: []string{lineNotSSL, lineSummary},
			contains: []string{"half-closed (FIN) after", "named no host"}, absent: []string{"CONNECT asks for a tunnel", "without answering"},
			saw: "readable HTTP 400 saying"},
		{name: "plaintext_on_tls_client_reset_unanswered_redirect", o: &unansweredRedirect, code: CodePlaintextOnTLS, lines: []string{lineNotSSL, lineSummary},
			contains: []string{"no non_ssl answer (redirect) was sent"}, absent: []string{"301 redirect to https://"}},
		{name: "client_reset_early_after_proxy", o: proxied, code: CodeClientResetEarly,
			lines:    []string{"01260013:4: SSL Handshake failed for TCP 127.0.0.1:1234 -> 192.168.20.230:443"},
			contains: []string{"127.0.0.1:44572 sent a valid PROXY v2 header for client 127.0.0.1:1234, then reset the connection (RST) before any data", "send no PROXY header"},
			absent:   []string{"without sending a byte. TCP half-open"}, saw: "load balancer's side"},
		{name: "client_closed_early_after_proxy", o: &proxiedFIN, code: CodeClientClosedEarly,
			lines:    []string{"01260013:4: SSL Handshake failed for TCP 127.0.0.1:1234 -> 192.168.20.230:443"},
			contains: []string{"then closed the connection (FIN) before any data"}, saw: "load balancer's side"},
		{name: "client_silent_passthrough_reset", o: silentPass, code: CodeClientSilent,
			contains: []string{"resets it (RST) at peek_timeout (5s)"}, absent: []string{"then closed"}, saw: "accepted, then reset"},
	}
}
