package faults

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestValidateAccepts(t *testing.T) {
	tests := []Rule{
		{Name: "waf-sni-block", SNI: "*.blocked.test", Action: ActReset},
		{Name: "no-sni", SNI: SNINone, Action: ActSNIPolicy},
		{Name: "alert-by-name", Action: ActAlert, Alert: ptr(Alert(48)), Then: ThenRST},
		{Name: "alert-late", Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageHandshakeDone},
		{Name: "alert-request", Action: ActAlert, Alert: ptr(Alert(49)), Stage: StageRequest, Then: ThenRST},
		{Name: "alert-response", Action: ActAlert, Alert: ptr(Alert(80)), Stage: StageResponse, RecordVersion: VersionTLS12},
		{Name: "alert-idle", Action: ActAlert, Alert: ptr(Alert(0)), Stage: StageIdle, Timeout: Duration(300 * time.Millisecond), Then: ThenHold},
		{Name: "lat", Action: ActLatency, Latency: Duration(100 * time.Millisecond), Jitter: Duration(10 * time.Millisecond), Direction: Both},
		{Name: "bw", Action: ActBandwidth, Rate: 10, Client: "10.0.0.0/8"},
		{Name: "slice", Action: ActSlicer, AverageSize: 10, SizeVariation: 5, Delay: Duration(time.Millisecond)},
		{Name: "mtu", Action: ActMTU, RecoverAfter: Duration(5 * time.Second)},
		{Name: "mtu-hold", Action: ActMTU, Then: ThenHold},
		{Name: "mtu-clamped", Action: ActMTU, MTU: 1280, HonorMSS: true},
		{Name: "trunc", Action: ActTruncate, Bytes: 300, Then: ThenFIN, Stage: StageResponse},
		{Name: "chain", Action: ActChain, Chain: ChainExpired, Skew: Duration(-24 * time.Hour)},
		{Name: "skew-only", Action: ActChain, Skew: Duration(-720 * time.Hour)},
		{Name: "constrained", Action: ActChain, Chain: ChainNameConstraints, PermittedDNS: []string{"example.net", ".Example.ORG."}},
		{Name: "constrained-skew", Action: ActChain, Chain: ChainNameConstraints, PermittedDNS: []string{"example.net"}, Skew: Duration(time.Hour)},
		{Name: "ver", Action: ActVersion, MinVersion: VersionTLS13},
		{Name: "ciph", Action: ActCipher, Ciphers: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}, MaxVersion: VersionTLS12},
		{Name: "page", Action: ActBlockPage, Status: 451, Template: TemplateF5ASM, HeadersAdd: []string{"Retry-After: 5"}},
		{Name: "portal", Action: ActPlaintextReply, Status: 511, Stage: StageAccept},
		{Name: "idle", Action: ActIdleTimeout, Timeout: Duration(30 * time.Second), Then: ThenHold},
		{Name: "pq", Action: ActLargeHello, HelloMinSize: 1400},
		{Name: "frag", Action: ActFragment, RecordSize: 100, Direction: C2S},
		{Name: "ja4", JA4: "t13d*", Action: ActBlackhole, Then: ThenRST, Delay: Duration(time.Second)},
		{Name: "old", MaxOfferedVersion: VersionTLS11, Action: ActSSL3ServerHello},
		{Name: "rc4md5", Action: ActUnofferedCipher, Ciphers: []string{"TLS_RSA_WITH_RC4_128_MD5", "0x0005"}},
		{Name: "hsts", Action: ActRewrite, HeadersStrip: []string{"Strict-Transport-Security"}, HeadersAdd: []string{"Via: 1.1 bigip"}},
		{Name: "every3", ConnEvery: 3, ConnAfter: 10, Probability: ptr(0.5), Seed: 42, Action: ActClose, Direction: S2C},
		{Name: "sched", Action: ActReset, StartAfter: Duration(time.Minute), Duration: Duration(time.Minute), MaxFires: 3},
		{Name: "h2", ALPN: "h2", Action: ActALPNRefuse},
		{Name: "abort", Action: ActAbort},
		{Name: "abort-grpc", Action: ActAbort, Status: 429, GRPCStatus: ptr(14)},
		{Name: "mtls", Action: ActClientAuth},
		{Name: "mtls-denied", Action: ActClientAuth, Require: ptr(true), AcceptCAs: []string{CALab, "partners.pem"}, RejectWith: ptr(Alert(49))},
		{Name: "mtls-optional", Action: ActClientAuth, Require: ptr(false), AcceptCAs: []string{CANone}, RejectWith: ptr(Alert(116))},
		{Name: "bitflip", Action: ActRecordCorrupt, Probability: ptr(0.2), Seed: 9},
		{Name: "proxy-clock", Action: ActProxySkew, Skew: Duration(-48 * time.Hour), SNI: "*.lab.test"},
		{Name: "ocsp-ahead", Action: ActOCSPTimes, Skew: Duration(2 * time.Hour)},
		{Name: "ocsp-past-leeway", Action: ActOCSPTimes, Skew: Duration(-5*time.Minute - time.Second)},
		{Name: "date-behind", Action: ActHTTPDate, Skew: Duration(-2 * time.Hour), SNI: "*.lab.test"},
		{Name: "ocsp-behind", Action: ActOCSPTimes, Skew: Duration(-2 * time.Hour), Stage: StageClientHello},
		{Name: "h11", Action: ActALPNDowngrade},
		{Name: "sni-host", Action: ActSNIPolicy, HostMismatch: 421},
		{Name: "sni-host-staged", Action: ActSNIPolicy, HostMismatch: 421, Stage: StageRequest, SNI: "*.lab.test"},
		{Name: "h10", Action: ActALPNDowngrade, DowngradeTo: "http/1.0", ALPN: "h2"},
		{Name: "bitflip-c2s", Action: ActRecordCorrupt, Direction: C2S, Stage: StageHandshakeDone},
	}
	for _, r := range tests {
		if err := r.Validate(); err != nil {
			t.Errorf("%s: %v", r.Name, err)
		}
		// What List returns (defaults filled in) must be valid input again,
		// so the admin API can round-trip a rule.
		if err := r.normalized().Validate(); err != nil {
			t.Errorf("%s normalized: %v", r.Name, err)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name  string
		r     Rule
		field string
		want  string
	}{
		{"no name", Rule{Action: ActReset}, "name", "missing"},
		{"bad name", Rule{Name: "a b", Action: ActReset}, "name", "not allowed"},
		{"dot name", Rule{Name: ".", Action: ActReset}, "name", "only dots"},
		{"dot-dot name", Rule{Name: "..", Action: ActReset}, "name", "only dots"},
		{"no action", Rule{Name: "x"}, "action", "missing"},
		{"unknown action", Rule{Name: "x", Action: "explode"}, "action", `unknown action "explode"`},
		{"unknown stage", Rule{Name: "x", Action: ActReset, Stage: "foo"}, "stage", `unknown stage "foo" (want accept, client_hello, server_flight`},
		{"alert idle without timeout", Rule{Name: "x", Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageIdle}, "timeout", "an alert at stage idle needs the idle period"},
		{"alert timeout off idle", Rule{Name: "x", Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageRequest, Timeout: Duration(time.Second)}, "timeout", `at stage "request" the alert goes at once`},
		{"alert timeout default stage", Rule{Name: "x", Action: ActAlert, Alert: ptr(Alert(40)), Timeout: Duration(time.Second)}, "timeout", `only an alert at stage idle uses it`},
		{"alert idle negative timeout", Rule{Name: "x", Action: ActAlert, Alert: ptr(Alert(40)), Stage: StageIdle, Timeout: Duration(-time.Second)}, "timeout", "negative"},
		{"host_mismatch 400", Rule{Name: "x", Action: ActSNIPolicy, HostMismatch: 400}, "host_mismatch", "400: want 421"},
		{"host_mismatch with an alert", Rule{Name: "x", Action: ActSNIPolicy, HostMismatch: 421, Alert: ptr(Alert(112))}, "alert", "use a second sni_policy rule"},
		{"host_mismatch with then", Rule{Name: "x", Action: ActSNIPolicy, HostMismatch: 421, Then: ThenRST}, "then", "use a second sni_policy rule"},
		{"host_mismatch at client_hello", Rule{Name: "x", Action: ActSNIPolicy, HostMismatch: 421, Stage: StageClientHello}, "stage", "want stage request"},
		{"sni_policy at request without host_mismatch", Rule{Name: "x", Action: ActSNIPolicy, Stage: StageRequest}, "stage", "only with host_mismatch"},
		{"host_mismatch on alert", Rule{Name: "x", Action: ActAlert, Alert: ptr(Alert(40)), HostMismatch: 421}, "host_mismatch", `not used by action "alert"`},
		{"alpn_downgrade to h2", Rule{Name: "x", Action: ActALPNDowngrade, DowngradeTo: "h2"}, "downgrade_to", "h2 is what the downgrade strips"},
		{"alpn_downgrade to a list", Rule{Name: "x", Action: ActALPNDowngrade, DowngradeTo: "http/1.1,h2"}, "downgrade_to", "no spaces or commas"},
		{"alpn_downgrade too long", Rule{Name: "x", Action: ActALPNDowngrade, DowngradeTo: strings.Repeat("a", 256)}, "downgrade_to", "256 bytes"},
		{"downgrade_to on alpn_refuse", Rule{Name: "x", Action: ActALPNRefuse, DowngradeTo: "http/1.1"}, "downgrade_to", `not used by action "alpn_refuse"`},
		{"http_date without skew", Rule{Name: "x", Action: ActHTTPDate}, "skew", "missing: http_date needs the shift of the response's Date header"},
		{"http_date at request", Rule{Name: "x", Action: ActHTTPDate, Skew: Duration(time.Hour), Stage: StageRequest}, "stage", `cannot act at stage "request" (want response)`},
		{"http_date with headers_add", Rule{Name: "x", Action: ActHTTPDate, Skew: Duration(time.Hour), HeadersAdd: []string{"Via: x"}}, "headers_add", `not used by action "http_date" (it takes only skew)`},
		{"ocsp_times without skew", Rule{Name: "x", Action: ActOCSPTimes}, "skew", "missing: ocsp_times needs the shift of the stapled OCSP response's times"},
		// curl --cert-status (OpenSSL's OCSP_check_validity) forgives
		// 300 s: the staple would pass while the log said it failed.
		{"ocsp_times within the leeway", Rule{Name: "x", Action: ActOCSPTimes, Skew: Duration(time.Minute)}, "skew", "1m0s is within the 5m0s of leeway a client checking the staple allows (curl --cert-status judges it with OpenSSL's OCSP_check_validity, which accepts 300 s"},
		{"ocsp_times at the leeway", Rule{Name: "x", Action: ActOCSPTimes, Skew: Duration(5 * time.Minute)}, "skew", "5m0s is within the 5m0s of leeway"},
		{"ocsp_times behind within the leeway", Rule{Name: "x", Action: ActOCSPTimes, Skew: Duration(-5 * time.Minute)}, "skew", "-5m0s is within the 5m0s of leeway"},
		{"ocsp_times with a chain", Rule{Name: "x", Action: ActOCSPTimes, Skew: Duration(time.Hour), Chain: ChainRevoked}, "chain", `not used by action "ocsp_times" (it takes only skew)`},
		{"ocsp_times at response", Rule{Name: "x", Action: ActOCSPTimes, Skew: Duration(time.Hour), Stage: StageResponse}, "stage", `cannot act at stage "response"`},
		{"proxy_skew without skew", Rule{Name: "x", Action: ActProxySkew}, "skew", "missing: proxy_skew needs the shift of tlsgate's own clock"},
		{"proxy_skew with a chain", Rule{Name: "x", Action: ActProxySkew, Skew: Duration(time.Hour), Chain: ChainExpired}, "chain", `not used by action "proxy_skew" (it takes only skew)`},
		{"proxy_skew at accept", Rule{Name: "x", Action: ActProxySkew, Skew: Duration(time.Hour), Stage: StageAccept}, "stage", `cannot act at stage "accept"`},
		{"record_corrupt at response", Rule{Name: "x", Action: ActRecordCorrupt, Stage: StageResponse}, "stage", `action "record_corrupt" cannot act at stage "response" (want handshake_done)`},
		{"record_corrupt bytes", Rule{Name: "x", Action: ActRecordCorrupt, Bytes: 10}, "bytes", `not used by action "record_corrupt" (it takes no parameters)`},
		{"sni_policy timeout", Rule{Name: "x", Action: ActSNIPolicy, Timeout: Duration(time.Second)}, "timeout", `not used by action "sni_policy"`},
		{"hello selector at accept", Rule{Name: "x", Action: ActReset, Stage: StageAccept, SNI: "a.test"}, "sni", "before the ClientHello"},
		{"ja4 at accept", Rule{Name: "x", Action: ActLatency, Latency: Duration(time.Second), JA4: "t13*"}, "ja4", "before the ClientHello"},
		{"chain without chain", Rule{Name: "x", Action: ActChain}, "chain", "missing"},
		{"unknown chain", Rule{Name: "x", Action: ActChain, Chain: "rotten"}, "chain", `unknown chain "rotten"`},
		{"name_constraints without permitted_dns", Rule{Name: "x", Action: ActChain, Chain: ChainNameConstraints}, "permitted_dns",
			`missing: chain name_constraints needs the DNS subtrees its intermediate permits, such as ["example.net"]`},
		{"permitted_dns with another chain", Rule{Name: "x", Action: ActChain, Chain: ChainPathLen, PermittedDNS: []string{"example.net"}}, "permitted_dns",
			`only the name_constraints chain reads it, not chain "path_len": set chain = "name_constraints", or leave permitted_dns out`},
		{"permitted_dns with a skew alone", Rule{Name: "x", Action: ActChain, Skew: Duration(time.Hour), PermittedDNS: []string{"example.net"}}, "permitted_dns",
			`only the name_constraints chain reads it, not chain ""`},
		{"permitted_dns wildcard", Rule{Name: "x", Action: ActChain, Chain: ChainNameConstraints, PermittedDNS: []string{"*.example.net"}}, "permitted_dns",
			`permitted DNS domain "*.example.net" has a wildcard`},
		{"permitted_dns IP", Rule{Name: "x", Action: ActChain, Chain: ChainNameConstraints, PermittedDNS: []string{"10.0.0.1"}}, "permitted_dns",
			`permitted DNS domain "10.0.0.1" is an IP address, not a DNS name`},
		{"permitted_dns empty entry", Rule{Name: "x", Action: ActChain, Chain: ChainNameConstraints, PermittedDNS: []string{"example.net", ""}}, "permitted_dns",
			`permitted DNS domain "" is empty`},
		{"permitted_dns bad label", Rule{Name: "x", Action: ActChain, Chain: ChainNameConstraints, PermittedDNS: []string{"exa mple.net"}}, "permitted_dns",
			`invalid permitted DNS domain "exa mple.net"`},
		{"permitted_dns on another action", Rule{Name: "x", Action: ActReset, PermittedDNS: []string{"example.net"}}, "permitted_dns",
			`not used by action "reset" (it takes no parameters)`},
		{"alert out of range", Rule{Name: "x", Action: ActAlert, Alert: ptr(Alert(300))}, "alert", "300 is outside 0..255"},
		{"alert missing", Rule{Name: "x", Action: ActAlert}, "alert", "missing"},
		{"param not used", Rule{Name: "x", Action: ActLatency, Latency: Duration(time.Second), Rate: 5}, "rate", `not used by action "latency"`},
		{"bad direction", Rule{Name: "x", Action: ActLatency, Latency: Duration(time.Second), Direction: "up"}, "direction", "unknown direction"},
		{"direction on reset", Rule{Name: "x", Action: ActReset, Direction: C2S}, "direction", "has no direction"},
		{"close c2s", Rule{Name: "x", Action: ActClose, Direction: C2S}, "direction", "half-close"},
		{"bad cidr", Rule{Name: "x", Action: ActReset, Client: "10.0.0.0/33"}, "client", "neither a CIDR"},
		{"ja3 star inside", Rule{Name: "x", Action: ActReset, JA3: "ab*cd"}, "ja3", "only at the end"},
		{"probability", Rule{Name: "x", Action: ActReset, Probability: ptr(1.5)}, "probability", "outside 0..1"},
		{"conn after first", Rule{Name: "x", Action: ActReset, ConnFirst: 5, ConnAfter: 5}, "conn_after", "selects no connection"},
		{"bandwidth rate", Rule{Name: "x", Action: ActBandwidth}, "rate", "from 1 to"},
		// The three below used to pass and then panic on the first
		// connection: the effects' arithmetic overflowed.
		{"bandwidth rate huge", Rule{Name: "x", Action: ActBandwidth, Rate: math.MaxInt64}, "rate", "from 1 to 10000000"},
		{"jitter huge", Rule{Name: "x", Action: ActLatency, Latency: Duration(time.Millisecond), Jitter: Duration(2000000 * time.Hour)}, "jitter", "above the limit of 24h0m0s"},
		{"slicer size huge", Rule{Name: "x", Action: ActSlicer, AverageSize: 1<<62 + 1, SizeVariation: 1 << 62}, "average_size", "from 1 to 16777216"},
		{"fragment size huge", Rule{Name: "x", Action: ActFragment, AverageSize: 1 << 40}, "average_size", "outside 0..16777216"},
		{"delay huge", Rule{Name: "x", Action: ActSlowClose, Delay: Duration(25 * time.Hour)}, "delay", "above the limit"},
		{"slicer variation", Rule{Name: "x", Action: ActSlicer, AverageSize: 5, SizeVariation: 5}, "size_variation", "below average_size"},
		{"mtu range", Rule{Name: "x", Action: ActMTU, MTU: 40}, "mtu", "outside 68..65535"},
		{"mtu then rst", Rule{Name: "x", Action: ActMTU, Then: ThenRST}, "then", `mtu takes only "hold"`},
		{"mtu honor_mss recover", Rule{Name: "x", Action: ActMTU, HonorMSS: true, RecoverAfter: Duration(time.Second)}, "honor_mss", "nothing stalls, so recover_after"},
		{"mtu honor_mss then", Rule{Name: "x", Action: ActMTU, HonorMSS: true, Then: ThenHold}, "honor_mss", `then = "hold" has nothing to do`},
		{"honor_mss elsewhere", Rule{Name: "x", Action: ActBlackhole, HonorMSS: true}, "honor_mss", `not used by action "blackhole"`},
		{"then", Rule{Name: "x", Action: ActTruncate, Then: "explode"}, "then", "unknown follow-up"},
		{"version none", Rule{Name: "x", Action: ActVersion}, "max_version", "needs min_version or max_version"},
		{"version ssl3", Rule{Name: "x", Action: ActVersion, MaxVersion: VersionSSL30}, "max_version", "ssl3_server_hello"},
		{"min above max", Rule{Name: "x", Action: ActVersion, MinVersion: VersionTLS13, MaxVersion: VersionTLS12}, "min_version", "above max_version"},
		{"tls13 suite", Rule{Name: "x", Action: ActCipher, Ciphers: []string{"TLS_AES_128_GCM_SHA256"}}, "ciphers", "TLS 1.3 suite"},
		{"unknown suite", Rule{Name: "x", Action: ActCipher, Ciphers: []string{"AES128-SHA"}}, "ciphers", "not a suite"},
		{"cipher with 1.3", Rule{Name: "x", Action: ActCipher, Ciphers: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}, MaxVersion: VersionTLS13}, "max_version", "cannot restrict"},
		{"block status", Rule{Name: "x", Action: ActBlockPage, Status: 200}, "status", "not a block page status"},
		{"block template", Rule{Name: "x", Action: ActBlockPage, Template: "imperva"}, "template", "unknown template"},
		{"header line", Rule{Name: "x", Action: ActRewrite, HeadersAdd: []string{"no colon"}}, "headers_add", "Name: value"},
		{"rewrite empty", Rule{Name: "x", Action: ActRewrite}, "headers_strip", "needs headers_strip, headers_add or body_find"},
		{"rewrite replace without find", Rule{Name: "x", Action: ActRewrite, BodyReplace: "y"}, "body_find", "body_replace needs the bytes it replaces"},
		{"rewrite replace without find, with headers", Rule{Name: "x", Action: ActRewrite, HeadersAdd: []string{"Via: x"}, BodyReplace: "y"}, "body_find", "body_replace needs the bytes"},
		{"abort status", Rule{Name: "x", Action: ActAbort, Status: 101}, "status", "101 is outside 200..599"},
		{"abort grpc_status", Rule{Name: "x", Action: ActAbort, GRPCStatus: ptr(0)}, "grpc_status", "0 is outside 1..16"},
		{"abort stage", Rule{Name: "x", Action: ActAbort, Stage: StageResponse}, "stage", `action "abort" cannot act at stage "response"`},
		{"grpc_status elsewhere", Rule{Name: "x", Action: ActBlockPage, GRPCStatus: ptr(14)}, "grpc_status", `not used by action "block_page"`},
		{"body_find elsewhere", Rule{Name: "x", Action: ActBlockPage, BodyFind: "y"}, "body_find", `not used by action "block_page"`},
		{"client_auth alert", Rule{Name: "x", Action: ActClientAuth, RejectWith: ptr(Alert(40))}, "reject_with", "handshake_failure is not an alert for a refused client certificate (want 42"},
		{"client_auth alert range", Rule{Name: "x", Action: ActClientAuth, RejectWith: ptr(Alert(300))}, "reject_with", "300 is not an alert"},
		{"client_auth none and more", Rule{Name: "x", Action: ActClientAuth, AcceptCAs: []string{CANone, CALab}}, "accept_cas", `"none" accepts no CA, so it stands alone`},
		{"client_auth empty CA", Rule{Name: "x", Action: ActClientAuth, AcceptCAs: []string{" "}}, "accept_cas", "an empty entry"},
		{"client_auth stage", Rule{Name: "x", Action: ActClientAuth, Stage: StageHandshakeDone}, "stage", `action "client_auth" cannot act at stage "handshake_done"`},
		{"require elsewhere", Rule{Name: "x", Action: ActReset, Require: ptr(true)}, "require", `not used by action "reset"`},
		{"reject_with elsewhere", Rule{Name: "x", Action: ActAlert, Alert: ptr(Alert(40)), RejectWith: ptr(Alert(49))}, "reject_with", `not used by action "alert"`},
		{"idle stage", Rule{Name: "x", Action: ActIdleTimeout, Timeout: Duration(time.Second), Stage: StageRequest}, "stage", "cannot act"},
		{"fragment empty", Rule{Name: "x", Action: ActFragment}, "average_size", "needs average_size"},
		{"negative duration", Rule{Name: "x", Action: ActReset, StartAfter: Duration(-time.Second)}, "start_after", "negative"},
		{"sni special", Rule{Name: "x", Action: ActReset, SNI: "<ip>"}, "sni", "only special value"},
		// Never matches a server name: refused as the bypass list refuses it.
		{"sni bracket", Rule{Name: "x", Action: ActReset, SNI: "[x"}, "sni", `"[x": not an SNI glob (character '[')`},
		{"sni port", Rule{Name: "x", Action: ActReset, SNI: "a.test:443"}, "sni", "(character ':')"},
		{"sni space", Rule{Name: "x", Action: ActReset, SNI: "a .test"}, "sni", "(character ' ')"},
		{"unoffered unknown", Rule{Name: "x", Action: ActUnofferedCipher, Ciphers: []string{"RC4-MD5"}}, "ciphers", "unknown suite"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			var re *RuleError
			if !errors.As(err, &re) {
				t.Fatalf("Validate() = %v, want a *RuleError", err)
			}
			if re.Field != tt.field {
				t.Errorf("field = %q, want %q (%v)", re.Field, tt.field, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "faults: rule ") || !strings.Contains(err.Error(), `field "`+tt.field+`"`) {
				t.Errorf("error %q lacks the rule/field prefix", err)
			}
		})
	}
}

func TestRuleJSONParams(t *testing.T) {
	tests := []struct {
		in    string
		check func(*Rule) bool
	}{
		{`{"name":"a","action":"alert","alert":48}`, func(r *Rule) bool { return *r.Alert == 48 }},
		{`{"name":"a","action":"alert","alert":"unknown_ca"}`, func(r *Rule) bool { return *r.Alert == 48 }},
		{`{"name":"a","action":"alert","alert":"UnrecognizedName"}`, func(r *Rule) bool { return *r.Alert == 112 }},
		// String writes a reserved code's name with _RESERVED; it must read back.
		{`{"name":"a","action":"alert","alert":"no_certificate_RESERVED"}`, func(r *Rule) bool { return *r.Alert == 41 }},
		{`{"name":"a","action":"alert","alert":"no_certificate"}`, func(r *Rule) bool { return *r.Alert == 41 }},
		{`{"name":"a","action":"alert","alert":"70"}`, func(r *Rule) bool { return *r.Alert == 70 }},
		{`{"name":"a","action":"latency","latency":"150ms"}`, func(r *Rule) bool { return r.Latency.D() == 150*time.Millisecond }},
		{`{"name":"a","action":"latency","latency":250}`, func(r *Rule) bool { return r.Latency.D() == 250*time.Millisecond }},
		{`{"name":"a","action":"version","max_version":"1.2"}`, func(r *Rule) bool { return r.MaxVersion == VersionTLS12 }},
		{`{"name":"a","action":"version","min_version":1.3}`, func(r *Rule) bool { return r.MinVersion == VersionTLS13 }},
		{`{"name":"a","action":"reset","max_offered_version":"ssl3"}`, func(r *Rule) bool { return r.MaxOfferedVersion == VersionSSL30 }},
		{`{"name":"a","action":"reset","enabled":false}`, func(r *Rule) bool { return !r.IsEnabled() }},
	}
	for _, tt := range tests {
		var r Rule
		if err := json.Unmarshal([]byte(tt.in), &r); err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if !tt.check(&r) {
			t.Errorf("%s: decoded %+v", tt.in, r)
		}
		if err := r.Validate(); err != nil {
			t.Errorf("%s: Validate: %v", tt.in, err)
		}
	}
	for _, bad := range []string{
		`{"name":"a","action":"alert","alert":"no_such_alert"}`,
		`{"name":"a","action":"latency","latency":"5 parsecs"}`,
		`{"name":"a","action":"version","max_version":"1.4"}`,
		// Beyond a time.Duration: this used to wrap and read as negative.
		`{"name":"a","action":"reset","duration":1e13}`,
		`{"name":"a","action":"reset","start_after":-1e13}`,
	} {
		var r Rule
		err := json.Unmarshal([]byte(bad), &r)
		if err == nil || !strings.HasPrefix(err.Error(), "faults: ") {
			t.Errorf("%s: err = %v, want a faults: error", bad, err)
		}
	}
}

// TestRuleJSONRoundTrip checks that a normalized rule encodes with the
// documented names and decodes back to itself.
func TestRuleJSONRoundTrip(t *testing.T) {
	r := Rule{Name: "rt", Action: ActAlert, Alert: ptr(Alert(112)), SNI: "*.x.test", Probability: ptr(0.25), Seed: 9,
		RecordVersion: VersionTLS12}.normalized()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"alert":"unrecognized_name"`, `"stage":"client_hello"`, `"record_version":"1.2"`, `"sni":"*.x.test"`, `"then":"fin"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	var back Rule
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(); err != nil {
		t.Fatalf("round trip: %v", err)
	}
	if *back.Alert != 112 || back.Stage != StageClientHello || *back.Probability != 0.25 {
		t.Errorf("round trip = %+v", back)
	}
}

func TestDurationTOMLAndText(t *testing.T) {
	var d Duration
	if err := d.UnmarshalTOML("2s"); err != nil || d.D() != 2*time.Second {
		t.Errorf("UnmarshalTOML(2s) = %v, %v", d, err)
	}
	if err := d.UnmarshalTOML(int64(40)); err != nil || d.D() != 40*time.Millisecond {
		t.Errorf("UnmarshalTOML(40) = %v, %v", d, err)
	}
	if err := d.UnmarshalTOML(true); err == nil {
		t.Error("UnmarshalTOML(true) accepted")
	}
	var v Version
	if err := v.UnmarshalTOML(1.1); err != nil || v != VersionTLS11 {
		t.Errorf("Version.UnmarshalTOML(1.1) = %v, %v", v, err)
	}
	var a Alert
	if err := a.UnmarshalTOML(int64(112)); err != nil || a != 112 {
		t.Errorf("Alert.UnmarshalTOML(112) = %v, %v", a, err)
	}
	if got := Alert(200).String(); got != "200" {
		t.Errorf("Alert(200).String() = %q", got)
	}
}

// TestValidateGiven: a duration given as 0 is refused, naming the field:
// it read as no duration, so the rule lasted until removed, and fault ls
// showed no duration. Other fields, and a positive duration, pass.
func TestValidateGiven(t *testing.T) {
	r := Rule{Name: "x", Action: ActRefuse}
	var re *RuleError
	if err := r.ValidateGiven("duration"); !errors.As(err, &re) || re.Field != "duration" || !strings.Contains(re.Msg, "leave duration out") {
		t.Errorf("duration 0: %v, want a refusal naming duration", err)
	}
	if err := r.ValidateGiven("start_after"); err != nil {
		t.Errorf("start_after 0: %v, want nil (0 starts at once, as left out)", err)
	}
	r.Duration = Duration(time.Second)
	if err := r.ValidateGiven("duration"); err != nil {
		t.Errorf("duration 1s: %v, want nil", err)
	}
	// max_fires = 0 reads as never fire, and meant no limit.
	if err := r.ValidateGiven("max_fires"); !errors.As(err, &re) || re.Field != "max_fires" || !strings.Contains(re.Msg, "leave max_fires out") {
		t.Errorf("max_fires 0: %v, want a refusal naming max_fires", err)
	}
	r.MaxFires = 3
	if err := r.ValidateGiven("max_fires"); err != nil {
		t.Errorf("max_fires 3: %v, want nil", err)
	}
}
