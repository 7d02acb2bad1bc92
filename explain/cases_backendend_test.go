package explain

import (
	"crypto/tls"
	"net/netip"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// backendEndCases are backends that ended the relay (a FIN, a reset, or a
// FIN and then the reset of the request tlsgate relayed after it) before
// they sent the client a byte, next to the one that answered and closed.
func backendEndCases() []diagCase {
	ended := func(o *Outcome, end End, fin string, up int64) *Outcome {
		o.Backend.Addr, o.Backend.Attempted = "10.0.0.7:8080", true
		o.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40130")
		o.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8080")
		o.End, o.FirstFIN, o.BytesUp, o.BytesDown, o.Duration = end, fin, up, 0, 3*time.Millisecond
		return o
	}
	plain := func(end End, fin string, up int64) *Outcome { return ended(httpOn("plaintext", "plain"), end, fin, up) }
	terminated := func(alpn string, end End, fin string, up int64) *Outcome {
		o := withHello(base("terminate"), modernHello())
		o.Route = "terminate"
		o.ClientTLS.Done, o.ClientTLS.Version, o.ClientTLS.CipherSuite, o.ClientTLS.ALPN = true, tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256, alpn
		return ended(o, end, fin, up)
	}
	inspected := func(alpn string, end End, fin string, up int64) *Outcome {
		o := inspectedOK(modernHello(), tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
		o.ClientTLS.ALPN = alpn
		o.Backend.TLS = Leg{Attempted: true, Done: true, Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256, ALPN: alpn}
		return ended(o, end, fin, up)
	}
	// A backend that answered and closed first: ok, whatever came after.
	answeredClose := plain("", SideBackend, 78)
	answeredClose.BytesDown = 120
	// The backend closed on a client that never spoke: nothing was asked.
	unasked := plain("", SideBackend, 0)
	// A reset straight away, after no byte either way (the relay had not
	// read the client's request yet): still the backend's end.
	resetFirst := terminated("http/1.1", EndBackendReset, "", 0)
	// A one-way plaintext flow (TCP syslog): the client sends, the server
	// never answers and closes the idle connection. Not a request left
	// unanswered (askedForAnswer); if the client then writes into that
	// close and meets a reset, its bytes were refused all the same.
	syslog := func(end End) *Outcome {
		o := base("plaintext")
		o.Route = "plain"
		o.Kind = sniff.Unknown
		o.FirstBytes = []byte("<134>Nov 28 21:00:00 host app: started\n")
		return ended(o, end, SideBackend, 41)
	}
	passReset := answered(modernHello(), nil, 0)
	passReset.End = EndBackendReset
	// A passthrough backend that completed its handshake (its flight went
	// down) and then ended: what the relay read of the records after it.
	afterHS := func(end End, fin string, ex Exchange) *Outcome {
		o := answered(modernHello(), []byte{22, 3, 3, 0, 122, 2, 0, 0}, 2890)
		o.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8443")
		o.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40130")
		o.BytesUp, o.End, o.FirstFIN, o.Duration = 812, end, fin, 4*time.Millisecond
		o.Backend.Exchange = ex
		return o
	}
	unanswered := Exchange{Followed: true, Asked: true, Requests: 1, RequestBytes: 812 - 517 - 64 - 106, Closes: 1}
	// syslog over TLS (RFC 5425) and other one-way flows offer no HTTP
	// ALPN: a server closing the idle session is not a request left
	// unanswered, though a reset after its FIN still refused the bytes.
	oneWayTLS := func(end End) *Outcome {
		o := afterHS(end, SideBackend, Exchange{Followed: true, Asked: true, Requests: 5, RequestBytes: 420, Closes: 1})
		o.Hello.ALPN = nil
		return o
	}
	// The client half-closed after its request and the backend closed in
	// turn without a byte: ok (nothing failed on the relay), with the
	// warning that names the missing answer and the FIN's time.
	finUnanswered := plain("", SideClient, 78)
	finUnanswered.FirstFINAfter = 2*time.Second + 400*time.Microsecond
	// The same FIN before the header's empty line: all the bytes up are
	// in FirstBytes, so the request was cut short.
	finCutShort := plain("", SideClient, 16)
	finCutShort.FirstBytes = []byte("GET / HTTP/1.1\r\n")
	finCutShort.FirstFINAfter = 300 * time.Microsecond
	// A whole head with bare LFs ends (printf 'GET / HTTP/1.0\n\n' | nc
	// -N): servers take them, so it is not cut short.
	finLFOnly := plain("", SideClient, 17)
	finLFOnly.FirstBytes = []byte("GET / HTTP/1.0\n\n")
	finLFOnly.HTTP.Proto = "HTTP/1.0"
	// curl -m through a terminate listener: the decrypted request is
	// known and got no status.
	finTerminated := terminated("http/1.1", "", SideClient, 80)
	finTerminated.FirstFINAfter = 1001 * time.Millisecond
	finTerminated.HTTP1 = []HTTPExchange{{Method: "GET", Target: "/x", Host: "lab.test", Proto: "HTTP/1.1"}}
	// The same through an inspect listener (both legs up), and through a
	// terminate listener whose host check passed: the no-answer texts win.
	finInspected := inspected("http/1.1", "", SideClient, 80)
	finInspected.HTTP1 = []HTTPExchange{{Method: "GET", Target: "/x", Host: "lab.test", Proto: "HTTP/1.1"}}
	finHostChecked := terminated("http/1.1", "", SideClient, 80)
	finHostChecked.HTTP1 = finTerminated.HTTP1
	finHostChecked.HostChecked, finHostChecked.HostCheckedName = "sni-host", "lab.test"
	finAnswered := plain("", SideClient, 78)
	finAnswered.BytesDown = 120
	finOneWay := syslog("")
	finOneWay.FirstFIN = SideClient
	// No ALPN (Go's net/http with its own tls.Config) and one request
	// record: taken for a request that waited for its answer.
	noALPN := afterHS("", SideBackend, unanswered)
	noALPN.Hello.ALPN = nil
	oneWayFirst := oneWayTLS("")
	oneWayFirst.FirstFIN = SideClient
	// The client's close_notify went first and the backend closed on it;
	// its FIN reached the relay before the client's (curl giving up at -m).
	notifiedFirst := unanswered
	notifiedFirst.ClientClosed = true
	return []diagCase{
		{name: "backend_closed_early_plain", o: plain("", SideBackend, 78), code: CodeBackendClosedEarly,
			contains: []string{"(FIN) before it sent a byte", "78 B got no answer", "78 bytes", "no BIG-IP line is shown", "from tlsgate's address 10.0.0.2:40130"},
			saw:      "curl `(52) Empty reply from server`"},
		{name: "backend_closed_early_plain_fin_reset", o: plain(EndBackendReset, SideBackend, 78), code: CodeBackendClosedEarly,
			contains: []string{"(FIN) before it sent a byte", "passed that reset on too"},
			saw:      "`(56) Recv failure: Connection reset by peer`"},
		{name: "backend_closed_early_reset_plain", o: plain(EndBackendReset, "", 78), code: CodeBackendClosedEarly,
			contains: []string{"reset the connection of", "before it sent a byte (up 78 B, down 0 B)", "tcp-rst"},
			absent:   []string{"mid-stream"}, saw: "curl `(56) Recv failure: Connection reset by peer`"},
		{name: "backend_closed_early_reset_terminate", o: resetFirst, code: CodeBackendClosedEarly,
			contains: []string{"before it sent a byte (up 0 B, down 0 B)"}, absent: []string{"mid-stream"},
			saw: "(55) getpeername() failed with errno 107"},
		{name: "backend_closed_early_terminate_h2", o: terminated("h2", "", SideBackend, 79), code: CodeBackendClosedEarly,
			saw: "curl `(18) HTTP/2 stream 1 was not closed cleanly before end of the underlying stream`"},
		{name: "backend_closed_early_inspect", o: inspected("http/1.1", "", SideBackend, 79), code: CodeBackendClosedEarly,
			saw: "curl `(52) Empty reply from server`"},
		{name: "backend_closed_early_reset_inspect_h2", o: inspected("h2", EndBackendReset, "", 0), code: CodeBackendClosedEarly,
			saw: "`(16)`/`(55) Send failure: Connection reset by peer`"},
		{name: "backend_no_server_hello_reset", o: passReset, code: CodeBackendNoServerHello,
			contains: []string{"reset the connection of", "without answering its ClientHello", "no BIG-IP line is shown"},
			absent:   []string{"mid-stream"}, saw: "curl `curl: (35) Recv failure: Connection reset by peer`"},
		{name: "backend_closed_early_after_handshake", o: afterHS("", SideBackend, unanswered), code: CodeBackendClosedEarly,
			contains: []string{"completed the TLS handshake", "then closed without answering the request", "application's own log", "Host, SNI or path", "no BIG-IP line is shown",
				"client request records: 1 (125 bytes); backend records after them: 1 (alerts or close_notify)"},
			absent: []string{"before it sent a byte"}, saw: "curl `curl: (52) Empty reply from server`"},
		{name: "backend_closed_early_after_handshake_fin_reset", o: afterHS(EndBackendReset, SideBackend, unanswered), code: CodeBackendClosedEarly,
			contains: []string{"(FIN) without answering the request"}},
		{name: "backend_closed_early_after_handshake_reset", o: afterHS(EndBackendReset, "", unanswered), code: CodeBackendClosedEarly,
			contains: []string{"then reset the connection without answering", "no BIG-IP line is shown"}, absent: []string{"mid-stream"},
			saw: "curl `curl: (56) Recv failure: Connection reset by peer`"},
		// The backend answered (a record that can hold data came after
		// the request), or the relay could not follow the records, or the
		// client asked nothing: as before, ok.
		{name: "ok_passthrough_answered_closed", o: afterHS("", SideBackend, Exchange{Followed: true, Asked: true, Answered: true}), code: CodeOK, ok: true},
		{name: "ok_passthrough_not_followed", o: afterHS("", SideBackend, Exchange{}), code: CodeOK, ok: true},
		{name: "ok_passthrough_unasked_closed", o: afterHS("", SideBackend, Exchange{Followed: true}), code: CodeOK, ok: true},
		// The client's FIN came first and no answer followed: ok, with
		// the warning worded for records tlsgate cannot read.
		{name: "ok_passthrough_client_ended_first", o: afterHS("", SideClient, unanswered), code: CodeOK, ok: true, warnings: 1,
			contains: []string{"no answer, as far as the TLS records show", "sent 1 record that can hold a request (125 bytes)", "decrypts none of it",
				"client request records: 1 (125 bytes)", "own log for this connection"},
			absent: []string{"Nothing to fix", "GET /"}},
		{name: "ok_passthrough_client_closed_first", o: afterHS("", SideBackend, notifiedFirst), code: CodeOK, ok: true, warnings: 1,
			contains: []string{"no answer, as far as the TLS records show"}, absent: []string{"Nothing to fix"}},
		// The same from a client that may be a one-way flow: no warning.
		{name: "ok_passthrough_client_ended_first_one_way", o: oneWayFirst, code: CodeOK, ok: true},
		{name: "ok_passthrough_one_way_closed", o: oneWayTLS(""), code: CodeOK, ok: true},
		{name: "backend_closed_early_after_handshake_no_alpn", o: noALPN, code: CodeBackendClosedEarly},
		{name: "backend_closed_early_after_handshake_one_way_fin_reset", o: oneWayTLS(EndBackendReset), code: CodeBackendClosedEarly},
		{name: "ok_backend_answered_closed", o: answeredClose, code: CodeOK, ok: true},
		{name: "ok_backend_closed_unasked", o: unasked, code: CodeOK, ok: true},
		{name: "ok_backend_closed_one_way", o: syslog(""), code: CodeOK, ok: true},
		{name: "backend_closed_early_one_way_fin_reset", o: syslog(EndBackendReset), code: CodeBackendClosedEarly},
		{name: "ok_client_fin_unanswered", o: finUnanswered, code: CodeOK, ok: true, warnings: 1,
			contains: []string{"no answer: the client sent 78 bytes (GET / HTTP/1.1) and closed its sending side (FIN) 2s after connecting",
				"then 10.0.0.7:8080 closed without a byte", "Compare 2s, when the client's FIN came, with its timeout", "proxy_ignore_client_abort off, its default, closes the request and logs 499",
				"but the backend sent no answer"}, absent: []string{"Nothing to fix", "A normal connection", "completed normally"}, saw: "No answer: 78 bytes sent"},
		{name: "ok_client_fin_cut_short", o: finCutShort, code: CodeOK, ok: true, warnings: 1,
			contains: []string{"no answer to a request cut short: the client sent 16 bytes (GET / HTTP/1.1) and closed its sending side (FIN) 300µs after connecting", "before its header ended", "had no whole request"},
			absent:   []string{"stopped waiting", "Nothing to fix", "A normal connection", "completed normally"}, saw: "No answer: 16 bytes sent"},
		{name: "ok_client_fin_lf_only", o: finLFOnly, code: CodeOK, ok: true, warnings: 1,
			contains: []string{"no answer: the client sent 17 bytes (GET / HTTP/1.0)"}, absent: []string{"cut short"}},
		{name: "ok_client_fin_unanswered_terminated", o: finTerminated, code: CodeOK, ok: true, warnings: 1,
			lines:    []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"},
			contains: []string{"no answer: the client sent 80 bytes (GET /x HTTP/1.1) and closed its sending side (FIN) 1.001s after connecting"},
			absent:   []string{"cut short", "Nothing to fix"}, saw: "No answer: 80 bytes sent"},
		{name: "ok_client_fin_unanswered_inspected", o: finInspected, code: CodeOK, ok: true, warnings: 1,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 93.184.216.34:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false",
				"(no ID):6: SSL Handshake details for TCP 10.0.0.2:40130 -> 10.0.0.7:8080 entity: server SID: 25c1ee14d3df2bec version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"},
			contains: []string{"tlsgate decrypted this connection", "Read the warnings", "no answer: the client sent 80 bytes (GET /x HTTP/1.1)"},
			absent:   []string{"A working connection"}, saw: "No answer: 80 bytes sent"},
		{name: "ok_client_fin_unanswered_host_checked", o: finHostChecked, code: CodeOK, ok: true, warnings: 1,
			lines:    []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"},
			contains: []string{"but the backend sent no answer"}, absent: []string{"Nothing to fix", "A normal connection", "completed normally"}, saw: "No answer: 80 bytes sent"},
		{name: "ok_client_fin_answered", o: finAnswered, code: CodeOK, ok: true},
		{name: "ok_client_fin_one_way", o: finOneWay, code: CodeOK, ok: true},
		{name: "ok_client_fin_terminated", o: terminated("http/1.1", "", SideClient, 79), code: CodeOK, ok: true,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"}},
	}
}
