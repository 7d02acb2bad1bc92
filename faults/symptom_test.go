package faults

import (
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

func TestSymptom(t *testing.T) {
	tests := []struct {
		action, stage string
		r             *Rule
		want          []string
	}{
		{"reset", "client_hello", nil, []string{ClassReset, "curl (35) Recv failure: Connection reset by peer", "Go read: connection reset by peer", "ERR_CONNECTION_RESET"}},
		// At accept the RST can beat curl's connect(): curl then says it
		// could not connect, as for a closed port.
		{"reset", "accept", nil, []string{ClassReset + " at accept", "curl (7) Failed to connect … Couldn't connect to server",
			"(35) Send failure: Connection reset by peer", "dial … connect: connection reset by peer", "ERR_CONNECTION_RESET"}},
		{"reset", "response", nil, []string{ClassReset + " mid-stream", "curl (56)"}},
		{"close", "client_hello", nil, []string{ClassEOF, "SSL_ERROR_SYSCALL", "Go EOF", "ERR_CONNECTION_CLOSED"}},
		{"blackhole", "accept", nil, []string{ClassTimeout, "CONNECTED(00000003)", "TLS handshake timeout"}},
		{"blackhole", "client_hello", &Rule{Then: ThenRST, Delay: Duration(5 * time.Second)}, []string{ClassTimeout, "after 5s: connection reset"}},
		{"mtu", "server_flight", &Rule{MTU: 1400, RecoverAfter: Duration(10 * time.Second)}, []string{ClassTimeout, "PMTUD", "1360 bytes", "recovers after 10s"}},
		{"mtu", "server_flight", &Rule{Action: ActMTU, MTU: 1280, HonorMSS: true}, []string{ClassNone, "clamped to the path MTU 1280 (honor_mss)", "at most 1240 bytes"}},
		{"truncate", "server_flight", &Rule{Then: ThenFIN}, []string{ClassEOF, "Go unexpected EOF"}},
		{"truncate", "response", &Rule{Then: ThenFIN}, []string{ClassTruncated, "curl (18)"}},
		{"truncate", "server_flight", &Rule{Then: ThenHold}, []string{ClassTimeout}},
		{"truncate", "server_flight", &Rule{Then: ThenRST}, []string{ClassReset}},
		{"plaintext_reply", "client_hello", nil, []string{ClassWrongVer, "wrong version number", "first record does not look like a TLS handshake"}},
		{"block_page", "request", &Rule{Status: 451}, []string{ClassHTTP + " 451", "returned error: 451", "resp.StatusCode == 451"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(112))}, []string{ClassAlert + " 112 unrecognized_name", "tlsv1 unrecognized name", "remote error: tls: unrecognized name", "ERR_SSL_UNRECOGNIZED_NAME_ALERT"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(49)), Then: ThenRST}, []string{"access denied", "ERR_BAD_SSL_CLIENT_AUTH_CERT", "reset"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(20))}, []string{"sslv3 alert bad record mac", "ERR_SSL_BAD_RECORD_MAC_ALERT"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(51))}, []string{"tlsv1 alert decrypt error", "ERR_SSL_DECRYPT_ERROR_ALERT"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(201))}, []string{ClassAlert + " 201", "alert(201)", "curl (35) … SSL routines::reason(1201)"}},
		// Alerts beyond client-symptoms.md's tables, in OpenSSL's words as
		// curl 7.88.1 printed them, and the warning-level ones, which Go (and
		// for user_canceled OpenSSL too) skips to report what follows.
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(86))}, []string{"curl (35) … tlsv1 alert inappropriate fallback", "Go remote error: tls: inappropriate fallback"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(50))}, []string{"curl (35) … tlsv1 alert decode error", "Go remote error: tls: error decoding message"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(110))}, []string{"curl (35) … tlsv1 unsupported extension"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(0))}, []string{ClassAlert + " 0 close_notify", "curl (35) OpenSSL SSL_connect: SSL_ERROR_ZERO_RETURN", "Go EOF"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(90))}, []string{"curl skips the warning and reports what follows: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL", "Go skips it too: EOF"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(90)), Then: ThenRST}, []string{"(35) Recv failure: Connection reset by peer", "Go skips it too: read: connection reset by peer"}},
		{"alert", "client_hello", &Rule{Alert: ptr(Alert(100)), Then: ThenHold}, []string{"curl (35) … no renegotiation", "Go skips the warning and reports what follows: i/o timeout"}},
		{"sni_policy", "client_hello", nil, []string{ClassAlert + " 112"}},
		{"sni_policy", "request", &Rule{HostMismatch: 421}, []string{ClassHTTP + " 421 Misdirected Request", "not a TLS error", "(22) The requested URL returned error: 421", "resp.StatusCode == 421"}},
		{"alert", "handshake_done", &Rule{Alert: ptr(Alert(40))}, []string{ClassAlert + " injected in the clear right after the handshake", "bad record MAC", "curl (56)"}},
		{"alert", "request", &Rule{Alert: ptr(Alert(40))}, []string{ClassAlert + " injected in the clear as the client's request starts", "never reaches the server", "bad record MAC", "curl (56)"}},
		{"alert", "response", &Rule{Alert: ptr(Alert(40)), Then: ThenRST}, []string{ClassAlert + " injected in the clear in place of the server's response", "bad record MAC", "curl (56)"}},
		{"alert", "idle", &Rule{Alert: ptr(Alert(40)), Timeout: Duration(300 * time.Millisecond)}, []string{ClassAlert + " injected in the clear after 300ms with no traffic either way", "idle keep-alive", "bad record MAC", "curl (56)"}},
		{"alert", "idle", nil, []string{"after the idle period", "bad record MAC"}},
		{"alpn_refuse", "client_hello", nil, []string{ClassAlert + " 120", "no application protocol"}},
		{"proxy_skew", "client_hello", &Rule{Skew: Duration(72 * time.Hour)}, []string{ClassReset + " by the proxy", "72h0m0s ahead", "looks expired",
			"curl (35) Recv failure: Connection reset by peer", "curl (56)", "Go read: connection reset by peer"}},
		{"proxy_skew", "client_hello", &Rule{Skew: Duration(-2 * time.Hour)}, []string{"2h0m0s behind", "not yet valid"}},
		{"ocsp_times", "client_hello", &Rule{Skew: Duration(2 * time.Hour)}, []string{ClassCert + ", OCSP staple not current", "thisUpdate 2h0m0s in the future",
			"curl --cert-status (91) OCSP response has expired", "alert 42", "curl without --cert-status"}},
		{"ocsp_times", "client_hello", &Rule{Skew: Duration(-3 * time.Hour)}, []string{"nextUpdate 3h0m0s in the past", "stapling a stale response"}},
		{"record_corrupt", "handshake_done", nil, []string{ClassBadMAC + ", one bit flipped in the server's", "Go local error: tls: bad record MAC", "decryption failed or bad record mac", "cipher operation failed"}},
		{"record_corrupt", "handshake_done", &Rule{Direction: C2S}, []string{ClassBadMAC + ", one bit flipped in the client's", "alert 20", "Go remote error: tls: bad record MAC", "sslv3 alert bad record mac", "ERR_SSL_BAD_RECORD_MAC_ALERT"}},
		{"record_corrupt", "handshake_done", &Rule{Direction: Both}, []string{ClassBadMAC + " in whichever", "local error", "remote error"}},
		// Where the listener saw it act decides, whatever the rule's direction.
		{"record_corrupt", "request", &Rule{Direction: Both}, []string{ClassBadMAC + ", one bit flipped in the client's"}},
		{"record_corrupt", "response", &Rule{Direction: Both}, []string{ClassBadMAC + ", one bit flipped in the server's"}},
		{"chain", "client_hello", &Rule{Chain: ChainExpired}, []string{ClassCert, "certificate has expired", "NET::ERR_CERT_DATE_INVALID"}},
		{"chain", "client_hello", &Rule{Chain: ChainIncomplete}, []string{"unable to get local issuer certificate", "AIA"}},
		{"chain", "client_hello", &Rule{Chain: ChainNameConstraints, PermittedDNS: []string{"example.net", "example.org"}}, []string{ClassCert,
			"the intermediate permits only DNS example.net, example.org", "curl (60) SSL certificate problem: permitted subtree violation",
			"Verify return code: 47 (permitted subtree violation)", "is not permitted by any constraint", "excluded subtree violation", "a name inside them connects"}},
		{"chain", "client_hello", &Rule{Chain: ChainWrongHost, Skew: Duration(-48 * time.Hour)}, []string{"no alternative certificate subject name", "clock skew"}},
		{"ssl3_server_hello", "client_hello", nil, []string{ClassProtocol, "unsupported protocol version 300", "0A000102"}},
		{"unoffered_cipher", "client_hello", nil, []string{ClassProtocol, "unconfigured cipher suite", "unknown cipher returned"}},
		{"version", "client_hello", nil, []string{"protocol version not supported"}},
		{"cipher", "client_hello", nil, []string{"handshake failure"}},
		// A groups rule says so, and what openssl prints.
		{"cipher", "client_hello", &Rule{Groups: []string{"P-384"}}, []string{ClassAlert + " 40", "none of the allowed key exchange groups (P-384)",
			"curl (35) sslv3 alert handshake failure", "openssl s_client sslv3 alert handshake failure"}},
		{"cipher", "client_hello", &Rule{Ciphers: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}, Groups: []string{"P-256"}},
			[]string{"no offered suite is allowed, or the client offers none of the allowed key exchange groups (P-256)"}},
		{"latency", "accept", &Rule{Latency: Duration(100 * time.Millisecond), Jitter: Duration(10 * time.Millisecond)}, []string{ClassSlow, "100ms ± 10ms"}},
		{"bandwidth", "accept", &Rule{Rate: 50}, []string{ClassSlow, "50 KB/s"}},
		{"idle_timeout", "idle", &Rule{Then: ThenRST}, []string{ClassReset, "idle"}},
		{"large_hello", "client_hello", nil, []string{ClassReset, "post-quantum"}},
		{"limit_data", "response", nil, []string{ClassTruncated}},
		{"timeout", "accept", &Rule{Timeout: Duration(time.Second)}, []string{ClassTimeout, "after 1s: EOF"}},
		// After the handshake the FIN ends a response the client waits for.
		{"timeout", "response", &Rule{Timeout: Duration(300 * time.Millisecond)}, []string{ClassTimeout + " mid-stream", "after 300ms: EOF (FIN)", "curl (52) Empty reply from server"}},
		{"rewrite", "response", nil, []string{ClassNone}},
		{"slicer", "accept", nil, []string{ClassNone}},
		// client_auth: matrix row 22, the refusal after a TLS 1.3 handshake.
		{"client_auth", "client_hello", nil, []string{ClassAlert + " 116 certificate_required", "40 handshake_failure under TLS 1.2", "48 unknown_ca",
			"curl (56) OpenSSL SSL_read: … tlsv13 alert certificate required", "Go Handshake() returns nil, then Read: remote error: tls: certificate required",
			"under TLS 1.2 it ends the handshake: curl (35) … sslv3 alert handshake failure", "sends none", "ERR_BAD_SSL_CLIENT_AUTH_CERT"}},
		{"client_auth", "client_hello", &Rule{RejectWith: ptr(Alert(49))}, []string{ClassAlert + " 49 access_denied for a missing or refused client certificate",
			"curl (56) OpenSSL SSL_read: … tlsv1 alert access denied", "Read: remote error: tls: access denied", "curl (35) … tlsv1 alert access denied"}},
		{"client_auth", "client_hello", &Rule{Require: ptr(false)}, []string{ClassAlert + " 48 unknown_ca", "a client that sends none connects", "tlsv1 alert unknown ca"}},
		// certificate_required inside the handshake: curl exits 98 (CURLE_SSL_CLIENTCERT), not 35 (client-symptoms.md §5).
		{"client_auth", "client_hello", &Rule{RejectWith: ptr(Alert(116))}, []string{ClassAlert + " 116 certificate_required for a missing or refused client certificate",
			"curl (56) OpenSSL SSL_read: … tlsv13 alert certificate required", "under TLS 1.2 it ends the handshake: curl (98) … tlsv13 alert certificate required"}},
	}
	for _, tt := range tests {
		got := Symptom(tt.action, tt.stage, tt.r)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("Symptom(%s, %s) = %q\nlacks %q", tt.action, tt.stage, got, w)
			}
		}
	}
}

// TestTruncateHoldAfterHandshake: a truncation that holds after the
// handshake stalls a body, not the handshake, so the symptom must not send
// the reader looking for a TLS handshake timeout (it once did at every
// stage).
func TestTruncateHoldAfterHandshake(t *testing.T) {
	for _, st := range []Stage{StageHandshakeDone, StageRequest, StageResponse} {
		got := Symptom(string(ActTruncate), string(st), &Rule{Then: ThenHold})
		if !strings.HasPrefix(got, ClassTimeout) || strings.Contains(got, "handshake") || !strings.Contains(got, "bytes received") {
			t.Errorf("Symptom(truncate hold, %s) = %q", st, got)
		}
	}
	if got := Symptom(string(ActTruncate), string(StageServerFlight), &Rule{Then: ThenHold}); !strings.Contains(got, "TLS handshake timeout") {
		t.Errorf("Symptom(truncate hold, server_flight) = %q", got)
	}
}

// TestSymptomCoversEveryAction: no action at any stage it allows falls
// through to the catch-all.
func TestSymptomCoversEveryAction(t *testing.T) {
	for _, a := range Actions() {
		for _, st := range allowedStages(a) {
			r := Rule{Name: "x", Action: a, Stage: st, Chain: ChainSelfSigned, Alert: ptr(Alert(40))}.normalized()
			if s := Symptom(string(a), string(st), &r); s == "" || (s == ClassNone && !strings.Contains("slicer fragment rewrite", string(a))) {
				t.Errorf("Symptom(%s, %s) = %q", a, st, s)
			}
		}
	}
}

// TestRewriteSymptomFollowsRule: the symptom names the rule's own headers.
// It once said "HSTS stripped, Via added" for a rule that only adds HSTS.
func TestRewriteSymptomFollowsRule(t *testing.T) {
	tests := []struct {
		name      string
		r         *Rule
		want, not []string
	}{
		{"adds HSTS only", &Rule{HeadersAdd: []string{"Strict-Transport-Security: max-age=31536000"}},
			[]string{ClassNone, "(Strict-Transport-Security added)"}, []string{"stripped", "Via"}},
		{"strips HSTS, adds Via", &Rule{HeadersStrip: []string{"Strict-Transport-Security"}, HeadersAdd: []string{"Via: 1.1 proxy", "X-Lab: 1"}},
			[]string{"(Strict-Transport-Security stripped; Via, X-Lab added)"}, nil},
		{"strips only", &Rule{HeadersStrip: []string{"Server"}}, []string{"(Server stripped)"}, []string{"added"}},
		{"no rule", nil, []string{ClassNone, "headers_strip and headers_add"}, []string{"HSTS"}},
	}
	for _, tt := range tests {
		got := Symptom("rewrite", "response", tt.r)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tt.name, got, w)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: %q says %q", tt.name, got, n)
			}
		}
	}
}

// TestPlaintextReplySymptomFollowsClient: the fire line says what the
// client saw. A plain HTTP client (no ClientHello) reads the reply as an
// HTTP response; it once was told "wrong version number" while curl
// printed HTTP/1.1 403. Other rules keep one symptom either way.
func TestPlaintextReplySymptomFollowsClient(t *testing.T) {
	e := NewEngine(nil)
	if err := e.Set([]Rule{
		{Name: "page", Action: ActPlaintextReply},
		{Name: "portal", Action: ActPlaintextReply, Status: 511},
		{Name: "rst", Action: ActReset},
	}); err != nil {
		t.Fatal(err)
	}
	hello := &sniff.ClientHello{ServerName: "a.test", LegacyVersion: 0x0303}
	tests := []struct {
		name      string
		hello     *sniff.ClientHello
		plain     bool
		rule      string
		want, not string
	}{
		{"TLS client", hello, false, "page", ClassWrongVer, ClassHTTP},
		// A TLS hello tlsgate could not parse (beyond the cap, SSLv2) has
		// no Hello either; the client still speaks TLS.
		{"TLS client, hello unparsed", nil, false, "page", ClassWrongVer, ClassHTTP},
		{"plain HTTP client", nil, true, "page", ClassHTTP + " 403 in plain HTTP", "wrong version number (plain"},
		{"plain HTTP client, 511", nil, true, "portal", "HTTP/1.1 511", ClassWrongVer + " ("},
		{"reset ignores it", nil, true, "rst", ClassReset, ClassHTTP},
	}
	for _, tt := range tests {
		p := e.Plan(ConnInfo{Listener: "l", Index: 1, Hello: tt.hello, Plain: tt.plain})
		var got string
		for _, f := range p.Firings() {
			if f.Rule == tt.rule {
				got = f.Symptom
			}
		}
		if !strings.Contains(got, tt.want) || strings.Contains(got, tt.not) {
			t.Errorf("%s: symptom %q; want %q and not %q", tt.name, got, tt.want, tt.not)
		}
	}
}

// TestMTUSymptomWhere: an MTU rule's symptom names where the stall bit.
// Planned before the handshake it cannot know (the certificate flight
// stalls only when it is the first burst too large), so it names both
// places and claims neither; armed after the handshake, or once the
// listener knows where it acted, it names that one, never "stuck after
// Client hello" for a stall in the data.
func TestMTUSymptomWhere(t *testing.T) {
	r := &Rule{Name: "pmtu", Action: ActMTU, Stage: StageServerFlight, MTU: 1400}
	late := &Rule{Name: "pmtu-late", Action: ActMTU, Stage: StageResponse, MTU: 1400}
	const clientHello = "stuck after Client hello (1)"
	tests := []struct {
		name       string
		got        string
		want, lack []string
	}{
		{"planned at server_flight", Symptom("mtu", "server_flight", r),
			[]string{ClassTimeout, clientHello, "after a handshake that fit", "with N out of M bytes received", "1360 bytes"}, nil},
		{"planned at response", Symptom("mtu", "response", late),
			[]string{ClassTimeout, "after the handshake", "with N out of M bytes received"}, []string{clientHello, "TLS handshake timeout"}},
		{"stalled in the flight", ActedSymptom(r, StageServerFlight, false),
			[]string{ClassTimeout, "in the server's certificate flight", clientHello}, []string{"N out of M"}},
		{"stalled in the response", ActedSymptom(r, StageResponse, false),
			[]string{ClassTimeout, "after the handshake", "with N out of M bytes received", "1360 bytes"}, []string{clientHello, "TLS handshake timeout"}},
		{"stalled in plain HTTP", ActedSymptom(r, StageResponse, true),
			[]string{ClassTimeout, "plain HTTP exchange", "with N out of M bytes received"}, []string{clientHello, "handshake"}},
	}
	for _, tt := range tests {
		for _, w := range tt.want {
			if !strings.Contains(tt.got, w) {
				t.Errorf("%s: %q\nlacks %q", tt.name, tt.got, w)
			}
		}
		for _, w := range tt.lack {
			if strings.Contains(tt.got, w) {
				t.Errorf("%s: %q\nsays %q", tt.name, tt.got, w)
			}
		}
	}
	// Every other action's acted symptom is its symptom at that stage.
	for _, rr := range []*Rule{
		{Action: ActTruncate, Stage: StageServerFlight, Then: ThenFIN},
		{Action: ActReset, Stage: StageRequest},
		{Action: ActLimitData, Stage: StageServerFlight},
	} {
		for _, st := range []Stage{StageServerFlight, StageResponse} {
			if got, want := ActedSymptom(rr, st, false), Symptom(string(rr.Action), string(st), rr); got != want {
				t.Errorf("ActedSymptom(%s, %s) = %q, want Symptom's %q", rr.Action, st, got, want)
			}
		}
	}
}

// TestPlainEarlyStopSymptoms: a reset, close or blackhole at accept or on
// the first bytes meets a client that sent plain HTTP (curl http://), not
// one waiting for a ServerHello: curl prints (56), (52) or (28), never
// (35), and nothing of a handshake. The plan words it so once the first
// bytes are in; the listener once it knows the client of an accept stop.
func TestPlainEarlyStopSymptoms(t *testing.T) {
	tests := []struct {
		rule Rule
		want string
	}{
		{Rule{Action: ActReset, Stage: StageClientHello}, "curl (56) Recv failure: Connection reset by peer"},
		{Rule{Action: ActClose, Stage: StageClientHello}, "curl (52) Empty reply from server"},
		{Rule{Action: ActBlackhole, Stage: StageClientHello, Direction: Both}, "curl (28) Operation timed out after … milliseconds with 0 bytes received"},
		{Rule{Action: ActReset, Stage: StageServerFlight}, "curl (56) Recv failure"},
		{Rule{Action: ActReset, Stage: StageAccept}, "or (7) Failed to connect"},
		{Rule{Action: ActClose, Stage: StageAccept}, "curl (52) Empty reply from server, or (56)"},
	}
	for _, tt := range tests {
		tt.rule.Name = "r"
		got := []string{ActedSymptom(&tt.rule, tt.rule.Stage, true)}
		if tt.rule.Stage != StageAccept {
			e := NewEngine(nil)
			if err := e.Add(tt.rule); err != nil {
				t.Fatal(err)
			}
			fs := e.Plan(ConnInfo{Listener: "l", Index: 1, Plain: true}).Firings()
			if len(fs) != 1 {
				t.Fatalf("%s at %s: planned %v", tt.rule.Action, tt.rule.Stage, fs)
			}
			got = append(got, fs[0].Symptom)
		}
		for _, s := range got {
			if !strings.Contains(s, tt.want) {
				t.Errorf("%s at %s on plain HTTP: %q lacks %q", tt.rule.Action, tt.rule.Stage, s, tt.want)
			}
			for _, w := range []string{"(35)", "handshake", "openssl s_client"} {
				if strings.Contains(s, w) {
					t.Errorf("%s at %s on plain HTTP: %q says %q", tt.rule.Action, tt.rule.Stage, s, w)
				}
			}
		}
		// A TLS client still gets the handshake's words.
		if s := ActedSymptom(&tt.rule, tt.rule.Stage, false); strings.Contains(s, "before any response") {
			t.Errorf("%s at %s on TLS: %q", tt.rule.Action, tt.rule.Stage, s)
		}
	}
}

// TestProxySkewActedSymptom: once the listener knows where a proxy_skew
// rule's rejection reached the client, the symptom names that client
// error alone.
func TestProxySkewActedSymptom(t *testing.T) {
	r := &Rule{Action: ActProxySkew, Stage: StageClientHello, Skew: Duration(72 * time.Hour)}
	inspect := ActedSymptom(r, StageClientHello, false)
	if !strings.Contains(inspect, "before answering its ClientHello") || !strings.Contains(inspect, "curl (35)") || strings.Contains(inspect, "curl (56)") {
		t.Errorf("inspect: %s", inspect)
	}
	ssl := ActedSymptom(r, StageHandshakeDone, false)
	if !strings.Contains(ssl, "after its handshake with the proxy") || !strings.Contains(ssl, "curl (56)") || strings.Contains(ssl, "curl (35)") {
		t.Errorf("server_ssl: %s", ssl)
	}
}
