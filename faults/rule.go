package faults

import (
	"reflect"
	"slices"
	"strings"
)

// Rule is one fault: selectors (all optional, ANDed), a stage, a direction, an
// action with its parameters, and a schedule. The same schema serves the
// [[fault]] tables in config and the admin API, so the JSON and TOML names are
// the user's words. Parameter names follow Toxiproxy's attributes where one fits.
type Rule struct {
	Name    string `json:"name" toml:"name"`
	Enabled *bool  `json:"enabled,omitempty" toml:"enabled"` // nil means true

	// Selectors. Empty or zero means "any".
	Listener          string   `json:"listener,omitempty" toml:"listener"`                       // exact listener name
	SNI               string   `json:"sni,omitempty" toml:"sni"`                                 // glob with *, case-insensitive; "<none>" = no SNI
	Client            string   `json:"client,omitempty" toml:"client"`                           // CIDR or single IP
	JA3               string   `json:"ja3,omitempty" toml:"ja3"`                                 // exact, or prefix when it ends in *
	JA4               string   `json:"ja4,omitempty" toml:"ja4"`                                 // exact, or prefix when it ends in *
	ALPN              string   `json:"alpn,omitempty" toml:"alpn"`                               // the offered ALPN list contains it
	MaxOfferedVersion Version  `json:"max_offered_version,omitzero" toml:"max_offered_version"`  // client's highest offered version ≤ it
	HelloMinSize      int      `json:"hello_min_size,omitempty" toml:"hello_min_size"`           // ClientHello wire size ≥ N bytes
	HelloMultiSegment bool     `json:"hello_multi_segment,omitempty" toml:"hello_multi_segment"` // hello arrived in more than one read (large_hello's default also takes a hello over one full-size segment)
	ConnFirst         uint64   `json:"conn_first,omitempty" toml:"conn_first"`                   // connection index ≤ N
	ConnEvery         uint64   `json:"conn_every,omitempty" toml:"conn_every"`                   // index divisible by N
	ConnAfter         uint64   `json:"conn_after,omitempty" toml:"conn_after"`                   // index > N
	Probability       *float64 `json:"probability,omitempty" toml:"probability"`                 // 0..1, nil means 1
	Seed              int64    `json:"seed,omitempty" toml:"seed"`                               // 0: derived from the name

	Stage     Stage     `json:"stage,omitempty" toml:"stage"`         // default depends on the action
	Direction Direction `json:"direction,omitempty" toml:"direction"` // default depends on the action
	Action    Action    `json:"action" toml:"action"`

	// Parameters, each used by the actions named in its comment.
	Latency             Duration `json:"latency,omitempty" toml:"latency"`                           // latency
	Jitter              Duration `json:"jitter,omitempty" toml:"jitter"`                             // latency: ± uniform
	Delay               Duration `json:"delay,omitempty" toml:"delay"`                               // slicer, fragment, slow_close, first_byte_delay, blackhole (before then)
	Timeout             Duration `json:"timeout,omitempty" toml:"timeout"`                           // timeout (close after), idle_timeout and alert at idle (idle period)
	Rate                int      `json:"rate,omitempty" toml:"rate"`                                 // bandwidth, KB/s (1 KB = 1000 bytes, as Toxiproxy); rate_limit: connections admitted per window
	Window              Duration `json:"window,omitempty" toml:"window"`                             // rate_limit: how often rate tokens are added, default 1s (Envoy's fill_interval)
	Burst               int      `json:"burst,omitempty" toml:"burst"`                               // rate_limit: the bucket's size, default rate (Envoy's max_tokens)
	AverageSize         int      `json:"average_size,omitempty" toml:"average_size"`                 // slicer, fragment (segment size)
	SizeVariation       int      `json:"size_variation,omitempty" toml:"size_variation"`             // slicer
	RecordSize          int      `json:"record_size,omitempty" toml:"record_size"`                   // fragment: re-frame plaintext handshake records
	Bytes               int64    `json:"bytes,omitempty" toml:"bytes"`                               // limit_data, truncate
	MTU                 int      `json:"mtu,omitempty" toml:"mtu"`                                   // mtu, default 1400
	RecoverAfter        Duration `json:"recover_after,omitempty" toml:"recover_after"`               // mtu: emulate MTU probing
	HonorMSS            bool     `json:"honor_mss,omitempty" toml:"honor_mss"`                       // mtu: MSS clamped to the path, nothing stalls (the fixed contrast)
	Then                Then     `json:"then,omitempty" toml:"then"`                                 // truncate, blackhole, alert, large_hello (also fail_open), idle_timeout; mtu: only hold; version_intolerance: fin or rst
	Alert               *Alert   `json:"alert,omitempty" toml:"alert"`                               // alert, sni_policy (number or name)
	RecordVersion       Version  `json:"record_version,omitzero" toml:"record_version"`              // alert: record-layer version, default 1.0 (1.2 after the handshake)
	Chain               Chain    `json:"chain,omitempty" toml:"chain"`                               // chain
	Skew                Duration `json:"skew,omitempty" toml:"skew"`                                 // chain: validity shifted by this (± duration); proxy_skew: tlsgate's upstream clock shifted by this; ocsp_times: the stapled OCSP response's times; http_date: the response's Date
	PermittedDNS        []string `json:"permitted_dns,omitempty" toml:"permitted_dns"`               // chain name_constraints: the DNS subtrees the intermediate permits ("example.net")
	MinVersion          Version  `json:"min_version,omitzero" toml:"min_version"`                    // version
	MaxVersion          Version  `json:"max_version,omitzero" toml:"max_version"`                    // version
	IntolerantAbove     Version  `json:"intolerant_above,omitzero" toml:"intolerant_above"`          // version_intolerance: the highest version a hello may offer and pass
	Ciphers             []string `json:"ciphers,omitempty" toml:"ciphers"`                           // cipher (IANA names), unoffered_cipher (names or 0xNNNN)
	Groups              []string `json:"groups,omitempty" toml:"groups"`                             // cipher: allowed key-exchange groups (X25519, P-256 …)
	SignatureAlgorithms []string `json:"signature_algorithms,omitempty" toml:"signature_algorithms"` // cipher: allowed signature schemes
	Status              int      `json:"status,omitempty" toml:"status"`                             // block_page, plaintext_reply, abort, rate_limit, connect_policy
	Template            string   `json:"template,omitempty" toml:"template"`                         // block_page
	HeadersStrip        []string `json:"headers_strip,omitempty" toml:"headers_strip"`               // rewrite: header names to remove
	HeadersAdd          []string `json:"headers_add,omitempty" toml:"headers_add"`                   // rewrite, block_page, plaintext_reply: "Name: value"
	BodyFind            string   `json:"body_find,omitempty" toml:"body_find"`                       // rewrite: the bytes to replace in the response body
	BodyReplace         string   `json:"body_replace,omitempty" toml:"body_replace"`                 // rewrite: what replaces each body_find ("" removes it)
	Require             *bool    `json:"require,omitempty" toml:"require"`                           // client_auth: require a client certificate (nil means true; false only requests one)
	AcceptCAs           []string `json:"accept_cas,omitempty" toml:"accept_cas"`                     // client_auth: "lab", "none" or PEM files of the CAs whose client certificates are accepted
	RejectWith          *Alert   `json:"reject_with,omitempty" toml:"reject_with"`                   // client_auth: the alert for a missing or refused certificate (42, 48, 49, 116)
	GRPCStatus          *int     `json:"grpc_status,omitempty" toml:"grpc_status"`                   // abort: the gRPC status (1..16) a gRPC call gets, in an HTTP 200
	DowngradeTo         string   `json:"downgrade_to,omitempty" toml:"downgrade_to"`                 // alpn_downgrade: the one ALPN protocol the proxy speaks, default http/1.1
	HostMismatch        int      `json:"host_mismatch,omitempty" toml:"host_mismatch"`               // sni_policy: answer a request whose Host is not the SNI with this status (421), at stage request
	Mode                Mode     `json:"mode,omitempty" toml:"mode"`                                 // refuse: listener_down (the default; SYNs get an RST) or syn_drop (SYNs go unanswered)

	// Schedule, relative to when the rule was added to the engine.
	StartAfter Duration `json:"start_after,omitempty" toml:"start_after"`
	Duration   Duration `json:"duration,omitempty" toml:"duration"`   // 0: no end
	MaxFires   int64    `json:"max_fires,omitempty" toml:"max_fires"` // 0: unlimited, only when left out (ValidateGiven refuses a 0 given)
}

// Stage is the point of a connection where a rule acts.
type Stage string

// The stages, in the order a connection meets them.
const (
	StageAccept        Stage = "accept"         // TCP accepted, nothing read yet
	StageClientHello   Stage = "client_hello"   // the first bytes (ClientHello) have been peeked
	StageServerFlight  Stage = "server_flight"  // the server's first bytes toward the client
	StageHandshakeDone Stage = "handshake_done" // a terminated handshake completed
	StageRequest       Stage = "request"        // the client's first application bytes
	StageResponse      Stage = "response"       // the server's first application bytes
	StageIdle          Stage = "idle"           // while the connection is quiet
)

// Stages lists every stage in connection order.
func Stages() []Stage {
	return []Stage{StageAccept, StageClientHello, StageServerFlight, StageHandshakeDone, StageRequest, StageResponse, StageIdle}
}

// Direction is which way the bytes a rule affects flow.
type Direction string

// The directions.
const (
	C2S  Direction = "c2s"  // client to server
	S2C  Direction = "s2c"  // server to client
	Both Direction = "both" // both ways
)

// has reports whether d covers the one-way direction one (C2S or S2C).
func (d Direction) has(one Direction) bool { return d == Both || d == one }

// Action is what a rule does when it fires.
type Action string

// The actions. The network ones match Toxiproxy's toxics.
const (
	ActReset           Action = "reset"             // RST (SO_LINGER 0)
	ActClose           Action = "close"             // FIN; direction s2c is a half-close
	ActBlackhole       Action = "blackhole"         // swallow silently; then optionally rst/fin after delay
	ActLatency         Action = "latency"           // delay each chunk by latency ± jitter
	ActBandwidth       Action = "bandwidth"         // throttle to rate KB/s
	ActSlicer          Action = "slicer"            // split chunks into average_size ± size_variation, delay apart
	ActSlowClose       Action = "slow_close"        // delay the close by delay
	ActLimitData       Action = "limit_data"        // close the connection after bytes
	ActTimeout         Action = "timeout"           // swallow; close after timeout (0: never)
	ActMTU             Action = "mtu"               // PMTUD black hole: stall at the first full-size segment
	ActTruncate        Action = "truncate"          // pass bytes, then hold, fin or rst
	ActAlert           Action = "alert"             // a plaintext alert record: answering the ClientHello, or beneath the session later
	ActChain           Action = "chain"             // serve a deliberately bad certificate chain
	ActVersion         Action = "version"           // version floor and ceiling
	ActCipher          Action = "cipher"            // restrict cipher suites
	ActBlockPage       Action = "block_page"        // WAF block page after termination
	ActPlaintextReply  Action = "plaintext_reply"   // plain HTTP answer on a TLS port
	ActFirstByteDelay  Action = "first_byte_delay"  // delay the first byte
	ActIdleTimeout     Action = "idle_timeout"      // expire a quiet connection like a NAT or firewall
	ActLargeHello      Action = "large_hello"       // intolerance of hellos spanning more than one segment: by default one over FullSegment bytes or in more than one read
	ActFragment        Action = "fragment"          // small segments and/or small TLS records
	ActSNIPolicy       Action = "sni_policy"        // strict SNI: alert (default 112 unrecognized_name); with host_mismatch, 421 to a request whose Host is not the SNI
	ActALPNRefuse      Action = "alpn_refuse"       // alert 120 no_application_protocol
	ActSSL3ServerHello Action = "ssl3_server_hello" // hand-written ServerHello with version 0x0300
	ActUnofferedCipher Action = "unoffered_cipher"  // hand-written ServerHello with a suite the client never offered
	ActRewrite         Action = "rewrite"           // rewrite the response: headers_strip, headers_add (say strip HSTS, add Via), body_find → body_replace
	ActClientAuth      Action = "client_auth"       // ask for a client certificate: require, accept_cas, reject_with
	ActAbort           Action = "abort"             // answer requests in place of the backend (Envoy's fault abort): status, grpc_status
	ActRecordCorrupt   Action = "record_corrupt"    // flip one bit in the first record of type 23 after the handshake (TLS 1.3: it can be a sealed session ticket)
	ActProxySkew       Action = "proxy_skew"        // tlsgate's own clock shifted by skew on its upstream leg, as it verifies the server
	ActALPNDowngrade   Action = "alpn_downgrade"    // speak only downgrade_to (http/1.1) in ALPN on both legs: h2 stripped
	ActOCSPTimes       Action = "ocsp_times"        // a good leaf with a good OCSP staple whose thisUpdate is skew in the future (nextUpdate -skew in the past)
	ActHTTPDate        Action = "http_date"         // the first response's Date header shifted by skew (added at now+skew when missing)
	// ActRateLimit is the catalog's http.rate_limit (Envoy's local rate
	// limit): a token bucket of burst tokens, rate more every window,
	// each connection taking one as it starts; one that finds it empty
	// has its requests answered in place of the backend with status
	// (429), Retry-After and x-envoy-ratelimited: true.
	ActRateLimit Action = "rate_limit"
	// ActConnectPolicy is the catalog's proxy.connect_policy: an explicit
	// proxy refusing a CONNECT (its ACL, its authentication, an upstream
	// it cannot reach) with status (403, 407, 502), before any TLS. It
	// acts only on a listener with connect = "tunnel".
	ActConnectPolicy Action = "connect_policy"
	// ActRefuse is the catalog's tcp.refuse: the listener stops listening
	// while the rule is in force, so the kernel answers each SYN with an
	// RST (a closed port, a firewall's REJECT). It acts on the listener,
	// not on a connection: see Engine.Down.
	ActRefuse Action = "refuse"
	// ActVersionIntolerance is the catalog's version intolerance: a
	// middlebox that chokes on a ClientHello offering a version above
	// intolerant_above and closes (fin) or resets (rst) it unanswered,
	// the failure TLS 1.3 froze legacy_version at 1.2 to dodge. It is no
	// handshake policy, unlike version: nothing is negotiated and no
	// alert goes out, so the client sees a dead connection, not alert 70.
	ActVersionIntolerance Action = "version_intolerance"
)

// Actions lists every action.
func Actions() []Action {
	return []Action{ActReset, ActClose, ActBlackhole, ActLatency, ActBandwidth, ActSlicer, ActSlowClose,
		ActLimitData, ActTimeout, ActMTU, ActTruncate, ActAlert, ActChain, ActVersion, ActCipher,
		ActBlockPage, ActPlaintextReply, ActFirstByteDelay, ActIdleTimeout, ActLargeHello, ActVersionIntolerance, ActFragment,
		ActSNIPolicy, ActALPNRefuse, ActSSL3ServerHello, ActUnofferedCipher, ActRewrite, ActClientAuth, ActAbort,
		ActRecordCorrupt, ActProxySkew, ActALPNDowngrade, ActOCSPTimes, ActHTTPDate, ActRefuse, ActRateLimit, ActConnectPolicy}
}

// Mode is how a refuse rule refuses.
type Mode string

// The refuse modes. A reset after the kernel accepted (the catalog's
// rst_on_accept) is action reset at stage accept.
const (
	// ModeListenerDown, the default, is a closed port or a firewall
	// REJECT (tcp.refuse): the listening socket stops listening (shutdown
	// SHUT_RD), so each SYN gets an RST, and listens again on the same
	// port when the rule ends.
	ModeListenerDown Mode = "listener_down"
	// ModeSynDrop is a firewall DROP (tcp.connect_timeout): the socket
	// keeps listening with a filter that drops each SYN unanswered, so
	// the client's connect times out.
	ModeSynDrop Mode = "syn_drop"
)

// Then is what happens after a truncation, a blackhole's delay or an alert.
type Then string

// The follow-ups.
const (
	ThenHold Then = "hold" // stay silent; the client times out
	ThenFIN  Then = "fin"  // close (FIN)
	ThenRST  Then = "rst"  // reset (RST)
	// ThenFailOpen is large_hello's other way to fail: the middlebox gives
	// up on a hello it cannot parse and lets it through unread, so rules
	// keyed on the hello's content (sni, ja3, ja4, alpn,
	// max_offered_version) do not see the connection.
	ThenFailOpen Then = "fail_open"
)

// Chain names a deliberately bad certificate chain, built by pki.
type Chain string

// The chains.
const (
	ChainExpired               Chain = "expired"
	ChainNotYetValid           Chain = "not_yet_valid"
	ChainWrongHost             Chain = "wrong_host"
	ChainSelfSigned            Chain = "self_signed"
	ChainUntrustedRoot         Chain = "untrusted_root"
	ChainUntrustedRootWithRoot Chain = "untrusted_root_with_root"
	ChainIncomplete            Chain = "incomplete_chain"
	ChainReversed              Chain = "reversed_chain"
	ChainSHA1                  Chain = "sha1"
	ChainSHA1Intermediate      Chain = "sha1_intermediate"
	ChainMD5                   Chain = "md5"
	ChainWeakRSA               Chain = "weak_rsa"
	ChainWrongEKU              Chain = "wrong_eku"
	ChainCAFalseIssuer         Chain = "ca_false_issuer"
	ChainPathLen               Chain = "path_len"
	ChainLong                  Chain = "long_chain"
	ChainHugeCert              Chain = "huge_cert"
	ChainCNOnly                Chain = "cn_only"
	ChainRevoked               Chain = "revoked"
	ChainOCSPUnknown           Chain = "ocsp_unknown"
	ChainOCSPExpired           Chain = "ocsp_expired"
	// ChainNameConstraints is the catalog's cert.constraints with
	// permitted_dns: an intermediate whose X.509 name constraints permit
	// only those DNS subtrees (and no IP address), so a client asking
	// for any other name refuses the chain.
	ChainNameConstraints Chain = "name_constraints"
)

// Chains lists every chain name.
func Chains() []Chain {
	return []Chain{ChainExpired, ChainNotYetValid, ChainWrongHost, ChainSelfSigned, ChainUntrustedRoot,
		ChainUntrustedRootWithRoot, ChainIncomplete, ChainReversed, ChainSHA1, ChainSHA1Intermediate, ChainMD5, ChainWeakRSA, ChainWrongEKU,
		ChainCAFalseIssuer, ChainPathLen, ChainLong, ChainHugeCert, ChainCNOnly, ChainRevoked, ChainOCSPUnknown, ChainOCSPExpired,
		ChainNameConstraints}
}

// Block page templates.
const (
	TemplateGeneric    = "generic"
	TemplateF5ASM      = "f5_asm"
	TemplateAkamai     = "akamai"
	TemplateAWSWAF     = "aws_waf"
	TemplateCloudflare = "cloudflare"
)

// Templates lists the block page templates.
func Templates() []string {
	return []string{TemplateGeneric, TemplateF5ASM, TemplateAkamai, TemplateAWSWAF, TemplateCloudflare}
}

// FieldNames lists the name of every Rule field, as JSON and the config
// file spell them, in declaration order. The admin API and config check
// keys against it, so both are strict in the same way.
func FieldNames() []string {
	rt := reflect.TypeFor[Rule]()
	names := make([]string, 0, rt.NumField())
	for f := range rt.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" && f.IsExported() {
			names = append(names, name)
		}
	}
	return names
}

// SNINone is the sni selector value that matches a ClientHello without SNI.
const SNINone = "<none>"

// DefaultDowngrade is the protocol an alpn_downgrade rule keeps when it
// names none: what HTTP/1.1-only proxies speak.
const DefaultDowngrade = "http/1.1"

// DefaultMTU is the mtu action's path MTU when the rule gives none.
const DefaultMTU = 1400

// failsOpen reports whether the rule is a large_hello that passes the
// hellos it selects unread: it ends nothing and wraps nothing, it only
// keeps the content-keyed rules from seeing them (see Engine.Plan).
func (r *Rule) failsOpen() bool { return r.Action == ActLargeHello && r.Then == ThenFailOpen }

// IsEnabled reports whether the rule is on (Enabled nil means on).
func (r *Rule) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }

// UsesHello reports whether any selector needs the parsed ClientHello.
func (r *Rule) UsesHello() bool {
	return r.SNI != "" || r.JA3 != "" || r.JA4 != "" || r.ALPN != "" || r.MaxOfferedVersion != 0 ||
		r.HelloMinSize != 0 || r.HelloMultiSegment
}

// clone returns a deep copy, so an engine's rules never alias a caller's slices.
func (r Rule) clone() Rule {
	if r.Enabled != nil {
		on := *r.Enabled
		r.Enabled = &on
	}
	if r.Probability != nil {
		p := *r.Probability
		r.Probability = &p
	}
	if r.Alert != nil {
		a := *r.Alert
		r.Alert = &a
	}
	if r.Require != nil {
		req := *r.Require
		r.Require = &req
	}
	if r.RejectWith != nil {
		a := *r.RejectWith
		r.RejectWith = &a
	}
	r.AcceptCAs = slices.Clone(r.AcceptCAs)
	r.PermittedDNS = slices.Clone(r.PermittedDNS)
	if r.GRPCStatus != nil {
		g := *r.GRPCStatus
		r.GRPCStatus = &g
	}
	r.Ciphers = slices.Clone(r.Ciphers)
	r.Groups = slices.Clone(r.Groups)
	r.SignatureAlgorithms = slices.Clone(r.SignatureAlgorithms)
	r.HeadersStrip = slices.Clone(r.HeadersStrip)
	r.HeadersAdd = slices.Clone(r.HeadersAdd)
	return r
}

// defaultStage is where an action acts when the rule names no stage.
func defaultStage(a Action) Stage {
	switch a {
	case ActLatency, ActBandwidth, ActSlicer, ActSlowClose, ActLimitData, ActTimeout, ActFirstByteDelay, ActRefuse:
		return StageAccept
	case ActMTU, ActTruncate, ActFragment:
		return StageServerFlight
	case ActBlockPage, ActAbort, ActRateLimit:
		return StageRequest
	case ActRewrite, ActHTTPDate:
		return StageResponse
	case ActIdleTimeout:
		return StageIdle
	case ActRecordCorrupt:
		return StageHandshakeDone
	}
	return StageClientHello
}

// defaultDirection is the direction of a directional action when the rule
// names none: the whole connection for the ones that end it, s2c
// (Toxiproxy's "downstream") for the byte-level ones, as a path fault
// usually hits the server's bigger flight.
func defaultDirection(a Action) Direction {
	switch a {
	case ActClose, ActBlackhole, ActTimeout:
		return Both
	}
	return S2C
}

// normalized returns the rule with every default filled in, so the engine,
// the plan and the wrappers read concrete values.
func (r Rule) normalized() Rule {
	r = r.clone()
	if r.Enabled == nil {
		on := true
		r.Enabled = &on
	}
	if r.Stage == "" {
		r.Stage = r.stageOrDefault()
	}
	if r.Direction == "" && directional(r.Action) {
		r.Direction = defaultDirection(r.Action)
	}
	if r.Action == ActMTU && r.MTU == 0 {
		r.MTU = DefaultMTU
	}
	if r.Then == "" && !r.checksHost() {
		r.Then = defaultThen(r.Action)
	}
	switch r.Action {
	case ActBlockPage:
		if r.Status == 0 {
			r.Status = 403
		}
		if r.Template == "" {
			r.Template = TemplateGeneric
		}
	case ActPlaintextReply:
		if r.Status == 0 {
			r.Status = 403
		}
	case ActAbort:
		if r.Status == 0 {
			r.Status = DefaultAbortStatus
		}
	case ActConnectPolicy:
		if r.Status == 0 {
			r.Status = DefaultConnectStatus
		}
	case ActRateLimit:
		if r.Status == 0 {
			r.Status = DefaultRateLimitStatus
		}
		if r.Window == 0 {
			r.Window = Duration(DefaultRateWindow)
		}
		if r.Burst == 0 {
			r.Burst = r.Rate
		}
	case ActALPNDowngrade:
		if r.DowngradeTo == "" {
			r.DowngradeTo = DefaultDowngrade
		}
	case ActRefuse:
		if r.Mode == "" {
			r.Mode = ModeListenerDown
		}
	}
	return r
}

// checksHost reports whether the rule is an sni_policy that judges the
// request's Host against the SNI (host_mismatch) rather than refusing a
// hello.
func (r *Rule) checksHost() bool { return r.Action == ActSNIPolicy && r.HostMismatch != 0 }

// AlertCode is the alert a rule sends: its alert parameter, else 112
// unrecognized_name for sni_policy and 120 no_application_protocol for
// alpn_refuse (what a Go server sends for each, failure-catalog §8.1).
func (r *Rule) AlertCode() uint8 {
	if r.Alert != nil {
		if c, ok := r.Alert.Code(); ok {
			return c
		}
	}
	switch r.Action {
	case ActSNIPolicy:
		return 112
	case ActALPNRefuse:
		return 120
	}
	return 40
}

// defaultThen is the follow-up when the rule names none.
func defaultThen(a Action) Then {
	switch a {
	case ActBlackhole, ActTruncate:
		return ThenHold
	case ActLargeHello, ActIdleTimeout, ActVersionIntolerance:
		return ThenRST
	case ActAlert, ActSNIPolicy, ActALPNRefuse:
		return ThenFIN
	}
	return ""
}
