package explain

import (
	"crypto/tls"
	"net/netip"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// h2AnswerCases are HTTP/2 relays read from their frames' headers
// (Outcome.H2): streams the backend never answered, after either side's
// FIN, next to the answered, refused and unfollowed ones that earn no
// warning.
func h2AnswerCases() []diagCase {
	// frames counts the backend's frames by type.
	frames := func(kv ...int) (f [H2Extension + 1]int) {
		for i := 0; i+1 < len(kv); i += 2 {
			f[kv[i]] = kv[i+1]
		}
		return f
	}
	connOnly := frames(int(sniff.H2Settings), 2, int(sniff.H2WindowUpdate), 1)
	// curl --http2-prior-knowledge through a plaintext listener: the
	// preface, SETTINGS, WINDOW_UPDATE and one HEADERS up.
	plainH2 := func(fin string, down int64, x H2Exchange) *Outcome {
		o := base("plaintext")
		o.Route, o.Kind = "plain", sniff.HTTP2
		o.FirstBytes = []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x64\x00\x04")
		o.Backend.Addr, o.Backend.Attempted = "10.0.0.7:8080", true
		o.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40130")
		o.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8080")
		o.FirstFIN, o.FirstFINAfter = fin, 4200*time.Microsecond
		o.BytesUp, o.BytesDown, o.Duration = 104, down, 5*time.Millisecond
		o.H2 = x
		return o
	}
	backendFirst := plainH2(SideBackend, 30, H2Exchange{Followed: true, Streams: 1, BackendFrames: connOnly})
	// curl -m 1: the client gave up first; the backend had sent nothing.
	clientFirst := plainH2(SideClient, 0, H2Exchange{Followed: true, Streams: 3})
	clientFirst.FirstFINAfter = 1001 * time.Millisecond
	// A push promised on the client's stream and the pushed response (an
	// even stream) answer nothing the client asked.
	pushOnly := plainH2(SideBackend, 120, H2Exchange{Followed: true, Streams: 1,
		BackendFrames: frames(int(sniff.H2Settings), 1, int(sniff.H2PushPromise), 1, int(sniff.H2Headers), 1)})
	answered := plainH2(SideClient, 4096, H2Exchange{Followed: true, Streams: 1, Answered: true, BackendFrames: frames(int(sniff.H2Settings), 2, int(sniff.H2Headers), 1)})
	// A refusal the client was told of: no warning.
	goaway := plainH2(SideBackend, 47, H2Exchange{Followed: true, Streams: 1, BackendFrames: frames(int(sniff.H2Settings), 1, int(sniff.H2GoAway), 1)})
	rst := plainH2(SideBackend, 43, H2Exchange{Followed: true, Streams: 1, BackendFrames: frames(int(sniff.H2Settings), 2, int(sniff.H2RSTStream), 1)})
	// The backend's bytes were no HTTP/2 (an HTTP/1 server's 400), or
	// went unseen: no verdict.
	unfollowed := plainH2(SideBackend, 120, H2Exchange{Streams: 1})
	noStream := plainH2(SideClient, 30, H2Exchange{Followed: true, BackendFrames: connOnly})
	reset := plainH2(SideBackend, 30, H2Exchange{Followed: true, Streams: 1, BackendFrames: connOnly})
	reset.End = EndBackendReset
	// Nothing down and the backend's FIN first: backend_closed_early.
	closedEarly := plainH2(SideBackend, 0, H2Exchange{Followed: true, Streams: 1})
	// The same through an inspect listener whose backend offered h2.
	inspected := inspectedOK(modernHello(), tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256)
	inspected.ClientTLS.ALPN = "h2"
	inspected.Backend.TLS = Leg{Attempted: true, Done: true, Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256, ALPN: "h2"}
	inspected.Backend.Addr, inspected.Backend.Attempted = "93.184.216.34:443", true
	inspected.FirstFIN, inspected.FirstFINAfter = SideBackend, 38*time.Millisecond
	inspected.BytesUp, inspected.BytesDown = 131, 39
	inspected.H2 = H2Exchange{Followed: true, Streams: 1, BackendFrames: connOnly}
	// A terminate listener with [listener.server_ssl]: h2 decrypted from
	// the client, re-encrypted to the backend, which answered nothing.
	// Asked directly, the backend needs https://, trusted as tlsgate
	// trusted it: server_ssl.ca, or -k with verify = false.
	serverSSL := func(skipVerify bool) *Outcome {
		o := plainH2(SideBackend, 30, H2Exchange{Followed: true, Streams: 1, BackendFrames: connOnly})
		o = withHello(o, modernHello())
		o.Mode, o.Route = "terminate", "terminate"
		o.ClientTLS.Done, o.ClientTLS.Version = true, tls.VersionTLS13
		o.ClientTLS.CipherSuite, o.ClientTLS.ALPN = tls.TLS_AES_128_GCM_SHA256, "h2"
		o.Backend.Addr, o.Backend.Remote = "10.0.0.7:8443", netip.MustParseAddrPort("10.0.0.7:8443")
		o.Backend.TLS = Leg{Attempted: true, Done: true, Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256,
			ServerName: "lab.test", VerifyName: "lab.test", VerifySkipped: skipVerify, AlertSent: -1, AlertRecv: -1}
		return o
	}

	return []diagCase{
		{name: "ok_h2_no_answer_server_ssl", o: serverSSL(false), code: CodeOK, ok: true, warnings: 1,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false",
				"(no ID):6: SSL Handshake details for TCP 10.0.0.2:40130 -> 10.0.0.7:8443 entity: server SID: 25c1ee14d3df2bec version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"},
			contains: []string{"no answer over HTTP/2", "`curl -v --http2 --cacert <server_ssl.ca> --resolve lab.test:8443:10.0.0.7 https://lab.test:8443/`",
				"the CA file in listener web's server_ssl.ca"},
			absent: []string{"prior-knowledge", "h2c", "-k"}},
		{name: "ok_h2_no_answer_server_ssl_verify_off", o: serverSSL(true), code: CodeOK, ok: true, warnings: 1,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false",
				"(no ID):6: SSL Handshake details for TCP 10.0.0.2:40130 -> 10.0.0.7:8443 entity: server SID: 25c1ee14d3df2bec version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"},
			contains: []string{"`curl -v --http2 -k --resolve lab.test:8443:10.0.0.7 https://lab.test:8443/`", "server_ssl.verify = false"},
			absent:   []string{"prior-knowledge", "h2c", "--cacert"}},
		{name: "ok_h2_no_answer_backend_fin", o: backendFirst, code: CodeOK, ok: true, warnings: 1,
			contains: []string{"no answer over HTTP/2, as far as the frame headers show: the client opened 1 stream",
				"10.0.0.7:8080 sent only connection-level frames (SETTINGS ×2, WINDOW_UPDATE ×1) but no HEADERS frame on a stream the client opened",
				"then 10.0.0.7:8080 closed its side (FIN) first, 4ms after the client connected",
				"answered none of the HTTP/2 streams", "curl -v --http2-prior-knowledge http://10.0.0.7:8080/", "speaks h2c"},
			absent: []string{"Nothing to fix", "completed normally"}, saw: "(18) HTTP/2 stream 1 was not closed cleanly"},
		{name: "ok_h2_no_answer_client_fin", o: clientFirst, code: CodeOK, ok: true, warnings: 1,
			contains: []string{"the client opened 3 streams", "10.0.0.7:8080 sent no frame at all",
				"the client closed its side (FIN) first, 1.001s after connecting, and 10.0.0.7:8080 closed in turn"}},
		{name: "ok_h2_no_answer_push_only", o: pushOnly, code: CodeOK, ok: true, warnings: 1,
			contains: []string{"sent the frames HEADERS ×1, SETTINGS ×1, PUSH_PROMISE ×1 but no HEADERS frame on a stream the client opened"}},
		{name: "ok_h2_answered", o: answered, code: CodeOK, ok: true, absent: []string{"no answer"}},
		{name: "ok_h2_refused_goaway", o: goaway, code: CodeOK, ok: true, absent: []string{"no answer"}},
		{name: "ok_h2_refused_rst_stream", o: rst, code: CodeOK, ok: true, absent: []string{"no answer"}},
		{name: "ok_h2_not_followed", o: unfollowed, code: CodeOK, ok: true, absent: []string{"no answer"}},
		{name: "ok_h2_no_stream", o: noStream, code: CodeOK, ok: true, absent: []string{"no answer"}},
		{name: "backend_reset_h2_unanswered", o: reset, code: CodeBackendReset, absent: []string{"no answer over HTTP/2"}},
		// h2c in plaintext: curl prints (18) as over TLS (it read the SETTINGS).
		{name: "backend_closed_early_h2", o: closedEarly, code: CodeBackendClosedEarly, absent: []string{"no answer over HTTP/2"},
			saw: "curl `(18) HTTP/2 stream 1 was not closed cleanly before end of the underlying stream`"},
		{name: "ok_inspect_h2_no_answer", o: inspected, code: CodeOK, ok: true, warnings: 1,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 93.184.216.34:443 entity: client SID: 745dfb79ebd0e0f8 version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false",
				"(no ID):6: SSL Handshake details for TCP 10.0.0.2:40112 -> 93.184.216.34:443 entity: server SID: 25c1ee14d3df2bec version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: unknown mutual-authentication: false"},
			contains: []string{"tlsgate decrypted this connection", "Read the warnings", "no answer over HTTP/2", "curl -v --http2 --resolve lab.test:443:93.184.216.34 https://lab.test:443/"},
			absent:   []string{"A working connection", "prior-knowledge"}, saw: "(18) HTTP/2 stream 1"},
	}
}
