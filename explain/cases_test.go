package explain

import (
	"crypto/tls"
	"net/netip"
	"slices"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// Shared fixtures: the addresses of the verified S4 sample, so the expected
// lines can be compared with bigip-log.md §1.3 by eye.
var (
	testClient  = netip.MustParseAddrPort("192.168.99.86:32962")
	testVirtual = netip.MustParseAddrPort("192.168.20.230:443")
)

// base returns an Outcome as the listener fills it before anything went
// wrong: alerts "none" (-1) on both legs.
func base(mode string) *Outcome {
	return &Outcome{
		ID: 42, Listener: "web", Mode: mode, NonSSL: "reset", Route: mode,
		Client: testClient, Virtual: testVirtual, Peer: testClient,
		Start: time.Date(2026, 2, 1, 8, 12, 14, 0, time.UTC), Duration: 1500 * time.Microsecond,
		PeekEnd: PeerSpoke, PeekTimeout: 5 * time.Second,
		ClientTLS: Leg{AlertSent: -1, AlertRecv: -1},
		Backend:   Backend{TLS: Leg{AlertSent: -1, AlertRecv: -1}},
	}
}

// modernHello is what a default Go/curl client offers.
func modernHello() *sniff.ClientHello {
	return &sniff.ClientHello{
		RecordVersion: 0x0301, LegacyVersion: 0x0303,
		SupportedVersions: []uint16{0x0a0a, 0x0304, 0x0303},
		CipherSuites: []uint16{0x0a0a, tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384,
			tls.TLS_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 0x00ff},
		ServerName: "lab.test", ALPN: []string{"h2", "http/1.1"},
	}
}

// legacyHello offers only legacy_version (no supported_versions extension).
func legacyHello(v uint16, suites ...uint16) *sniff.ClientHello {
	if suites == nil {
		suites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA}
	}
	return &sniff.ClientHello{RecordVersion: 0x0301, LegacyVersion: v, CipherSuites: suites, ServerName: "old.lab.test"}
}

var tlsBytes = []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}

// withHello puts a ClientHello into o and marks the client leg as tried.
func withHello(o *Outcome, h *sniff.ClientHello) *Outcome {
	o.Kind, o.Hello, o.FirstBytes = sniff.TLSHandshake, h, tlsBytes
	o.JA4 = "t13d0607h2_0f2cb44170f4_5c4c70b73fa0"
	o.ClientTLS.Attempted = true
	o.ClientTLS.Local, o.ClientTLS.Remote = testVirtual, testClient
	return o
}

// failed marks the client leg as failed with err.
func failed(o *Outcome, err string) *Outcome {
	o.ClientTLS.Done = false
	o.ClientTLS.Err = err
	return o
}

func httpOn(mode, route string) *Outcome {
	o := base(mode)
	o.Route = route
	o.Kind = sniff.HTTP1
	o.FirstBytes = []byte("GET / HTTP/1.1\r\nHost: lab.test:443\r\nUser-Agent: curl/7.88.1\r\n\r\n")
	o.HTTP = &sniff.HTTPRequest{Method: "GET", Target: "/", Proto: "HTTP/1.1", Host: "lab.test:443"}
	return o
}

type diagCase struct {
	name     string
	o        *Outcome
	code     string
	ok       bool
	lines    []string // "ID:sev: text"
	contains []string // substrings expected in Cause+Checks+ClientSaw+Warnings+Evidence
	absent   []string // substrings that must not appear there
	warnings int      // number of warnings expected
	saw      string   // substring expected in ClientSaw itself
}

const (
	lineNotSSL   = "01260009:4: Connection error: ssl_passthru:5234: not SSL (40)"
	lineVersion  = "01260009:4: Connection error: ssl_hs_rxhello:10026: unsupported version (40)"
	lineCiphers  = "01260009:4: Connection error: ssl_select_suite:8181: no shared ciphers (40)"
	lineNoShared = "01260026:4: No shared ciphers between SSL peers 192.168.99.86.32962:192.168.20.230.443."
	lineSummary  = "01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 192.168.20.230:443"
)

// diagCases covers every code at least once.
func diagCases() []diagCase {
	okTerm := withHello(base("terminate"), modernHello())
	okTerm.ClientTLS.Done, okTerm.ClientTLS.Version = true, tls.VersionTLS13
	okTerm.ClientTLS.CipherSuite, okTerm.ClientTLS.ALPN = tls.TLS_AES_128_GCM_SHA256, "h2"
	okTerm.ClientTLS.Group = "X25519MLKEM768"
	okTerm.BytesUp, okTerm.BytesDown, okTerm.Duration = 517, 4096, 12*time.Millisecond

	okPass := withHello(base("passthrough"), modernHello())
	okPass.ClientTLS = Leg{AlertSent: -1, AlertRecv: -1}

	sshOnTLS := base("terminate")
	sshOnTLS.Kind, sshOnTLS.FirstBytes = sniff.SSH, []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
	h2OnTLS := base("terminate")
	h2OnTLS.Kind, h2OnTLS.FirstBytes = sniff.HTTP2, []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")

	unknownOnTLS := base("terminate")
	unknownOnTLS.Kind, unknownOnTLS.FirstBytes = sniff.Unknown, []byte{0x00, 0x01, 0x02, 0xff}

	allowed := httpOn("terminate", "non_ssl_allow")
	allowed.NonSSL = "allow"

	tlsOnPlain := withHello(base("plaintext"), modernHello())
	tlsOnPlain.ClientTLS.Attempted = false
	tlsOnPlain.Route = "plain"
	// The same behind a load balancer that sends PROXY v1: the header's
	// destination is the VIP the client used, not where pp1 listens.
	tlsOnPlainProxied := withHello(base("plaintext"), modernHello())
	tlsOnPlainProxied.ClientTLS.Attempted = false
	tlsOnPlainProxied.Route, tlsOnPlainProxied.Listener = "tls_on_plain_reset", "pp1"
	tlsOnPlainProxied.Peer = netip.MustParseAddrPort("127.0.0.1:42350")
	tlsOnPlainProxied.ListenerAddr = netip.MustParseAddrPort("127.0.0.1:19622")
	tlsOnPlainProxied.Proxy = Proxy{Policy: "v1", Version: 1, Src: netip.MustParseAddrPort("10.1.2.3:5555"), Dst: netip.MustParseAddrPort("10.9.9.9:443")}
	tlsOnPlainProxied.Client, tlsOnPlainProxied.Virtual = tlsOnPlainProxied.Proxy.Src, tlsOnPlainProxied.Proxy.Dst
	tlsOnPlainReset := withHello(base("plaintext"), modernHello())
	tlsOnPlainReset.ClientTLS.Attempted = false
	tlsOnPlainReset.Route = "tls_on_plain_reset"
	// A hello that stalled on a plaintext listener, after its record
	// header's third byte (named TLS) and after its second (only TLS
	// begins so): both are TLS whose hello never came, reset.
	tlsOnPlainStalled := base("plaintext")
	tlsOnPlainStalled.Kind, tlsOnPlainStalled.FirstBytes, tlsOnPlainStalled.PeekEnd = sniff.TLSHandshake, []byte{22, 3, 1}, PeerPartial
	tlsOnPlainStalled.HelloErr = "sniff: need more bytes: record header"
	tlsOnPlainStalled.Route = "tls_on_plain_reset"
	tlsOnPlainPrefix := base("plaintext")
	tlsOnPlainPrefix.Kind, tlsOnPlainPrefix.FirstBytes, tlsOnPlainPrefix.PeekEnd = sniff.Unknown, []byte{22, 3}, PeerPartial
	tlsOnPlainPrefix.Route = "tls_on_plain_reset"
	// Past the record header: 4 of the 512 bytes it announced.
	tlsOnPlainBody := base("plaintext")
	tlsOnPlainBody.Kind, tlsOnPlainBody.FirstBytes, tlsOnPlainBody.PeekEnd = sniff.TLSHandshake, []byte{22, 3, 1, 2, 0, 1, 0, 1, 0xfc}, PeerPartial
	tlsOnPlainBody.HelloErr = "sniff: need more bytes: record body"
	tlsOnPlainBody.Route = "tls_on_plain_reset"
	// A lone 0x16 and an SSLv2 hello's header stalled: TLS too (sniff's
	// StalledHello), worded from what came: three bytes (length and
	// msg_type), or four (the version's first byte, 0x00, undecided).
	tlsOnPlainByte := base("plaintext")
	tlsOnPlainByte.Kind, tlsOnPlainByte.FirstBytes, tlsOnPlainByte.PeekEnd = sniff.Unknown, []byte{22}, PeerPartial
	tlsOnPlainByte.Route = "tls_on_plain_reset"
	tlsOnPlainSSLv2 := base("plaintext")
	tlsOnPlainSSLv2.Kind, tlsOnPlainSSLv2.FirstBytes, tlsOnPlainSSLv2.PeekEnd = sniff.Unknown, []byte{0x80, 0x2e, 0x01}, PeerPartial
	tlsOnPlainSSLv2.Route = "tls_on_plain_reset"
	tlsOnPlainSSLv2Body := base("plaintext")
	tlsOnPlainSSLv2Body.Kind, tlsOnPlainSSLv2Body.FirstBytes, tlsOnPlainSSLv2Body.PeekEnd = sniff.Unknown, []byte{0x80, 0x2e, 0x01, 0x00}, PeerPartial
	tlsOnPlainSSLv2Body.Route = "tls_on_plain_reset"
	// The same hello cut short by the client's FIN: still no SNI to name.
	tlsOnPlainCut := base("plaintext")
	tlsOnPlainCut.Kind, tlsOnPlainCut.FirstBytes, tlsOnPlainCut.PeekEnd = sniff.TLSHandshake, []byte{22, 3, 1}, PeerClosed
	tlsOnPlainCut.HelloErr = "sniff: need more bytes: record header"
	tlsOnPlainCut.Route = "tls_on_plain_reset"
	// The client's RST ends the peek: the listener only closes (route
	// "closed"), so nothing from tlsgate reached the client.
	tlsOnPlainCutRST := base("plaintext")
	tlsOnPlainCutRST.Kind, tlsOnPlainCutRST.FirstBytes, tlsOnPlainCutRST.PeekEnd = sniff.TLSHandshake, []byte{22, 3, 1}, PeerReset
	tlsOnPlainCutRST.HelloErr = "sniff: need more bytes: record header"
	tlsOnPlainCutRST.Route = "closed"

	tooOld := failed(withHello(base("terminate"), legacyHello(0x0301)), "tls: client offered only unsupported versions: [301 300]")
	sslv3 := failed(withHello(base("terminate"), legacyHello(0x0300)), "tls: client offered only unsupported versions: [300]")
	sslv2 := base("terminate")
	sslv2.Kind, sslv2.FirstBytes = sniff.SSLv2Hello, []byte{0x80, 0x2e, 0x01, 0x00, 0x02}
	sslv2.SSLv2 = &sniff.SSLv2ClientHello{Version: 0x0002, CipherSpecs: []uint32{0x010080}}

	tooNewHello := modernHello()
	tooNewHello.SupportedVersions = []uint16{0x0304}
	tooNew := failed(withHello(base("terminate"), tooNewHello), "tls: client offered only unsupported versions: [304]")
	tooNew.ClientTLS.MaxVersion = tls.VersionTLS12
	// The same ceiling set by a version fault rule.
	tooNewRule := failed(withHello(base("terminate"), tooNewHello), "tls: client offered only unsupported versions: [304]")
	tooNewRule.ClientTLS.MaxVersion, tooNewRule.ClientTLS.CeilingRule = tls.VersionTLS12, "tls12-cap"

	noCipher := failed(withHello(base("terminate"), legacyHello(0x0303, 0x000a, 0x0005)), "tls: no cipher suite supported by both client and server; client offered: [a 5]")
	noCipherOurs := failed(withHello(base("terminate"), legacyHello(0x0303)), "")
	noCipherOurs.ClientTLS.OurCiphers = []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}
	// The client offers an RSA suite the listener lists, but the listener
	// serves an ECDSA leaf: Go refuses with its no-cipher error all the same.
	noCipherKey := failed(withHello(base("terminate"), legacyHello(0x0303, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)),
		"tls: no cipher suite supported by both client and server; client offered: [c02f]")
	noCipherKey.ClientTLS.OurCiphers = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
	noCipherKey.ClientTLS.MaxVersion, noCipherKey.ClientTLS.OurKey = tls.VersionTLS12, "ecdsa"
	// The same with an RSA certificate is not a key mismatch: this old
	// hello names no curve, so ECDHE is what fails.
	noCipherRSA := failed(withHello(base("terminate"), legacyHello(0x0303, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)),
		"tls: no cipher suite supported by both client and server; client offered: [c02f]")
	noCipherRSA.ClientTLS.OurCiphers = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
	noCipherRSA.ClientTLS.MaxVersion, noCipherRSA.ClientTLS.OurKey = tls.VersionTLS12, "rsa"
	// An ECDSA leaf, a static-RSA suite (wrong key) and an ECDSA one (no
	// curve from this old client) on both lists: two reasons, so neither
	// variant, but still no claim that nothing was listed.
	noCipherMixed := failed(withHello(base("terminate"), legacyHello(0x0303, tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)), "tls: no cipher suite supported by both client and server; client offered: [9c c02b]")
	noCipherMixed.ClientTLS.OurCiphers = []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	noCipherMixed.ClientTLS.MaxVersion, noCipherMixed.ClientTLS.OurKey = tls.VersionTLS12, "ecdsa"
	noCipherErrOnly := failed(base("terminate"), "tls: no cipher suite supported by both client and server; client offered: [c02b]")
	noCipherErrOnly.ClientTLS.Attempted = true

	noCipherV6 := failed(withHello(base("terminate"), legacyHello(0x0303, 0x000a)), "")
	noCipherV6.Client = netip.MustParseAddrPort("[2001:db8::1]:51514")
	noCipherV6.Virtual = netip.MustParseAddrPort("[2001:db8::10]:443")

	mapped := httpOn("terminate", "non_ssl_reset")
	mapped.Client = netip.MustParseAddrPort("[::ffff:10.1.10.50]:61863")
	mapped.Virtual = netip.MustParseAddrPort("[::ffff:93.184.216.34]:443")

	sniHello := modernHello()
	sniHello.ServerName = ""
	sniMissing := failed(withHello(base("terminate"), sniHello), "")
	sniMissing.SNIRequired = true

	silentTLS := base("terminate")
	silentTLS.Kind, silentTLS.PeekEnd = sniff.Empty, PeerSilent
	silentPlain := base("plaintext")
	silentPlain.Kind, silentPlain.PeekEnd = sniff.Empty, PeerSilent
	// A server-first client (SSH, SMTP) relayed to the backend is fine.
	serverFirst := base("plaintext")
	serverFirst.Kind, serverFirst.PeekEnd, serverFirst.Route = sniff.Empty, PeerSilent, "plain"
	serverFirst.Backend.Attempted, serverFirst.Backend.Addr = true, "127.0.0.1:22"
	// A client that half-closed after plaintext bytes, relayed: its FIN
	// came before a decision, but nothing failed.
	finRelayed := base("plaintext")
	finRelayed.Kind, finRelayed.PeekEnd, finRelayed.Route = sniff.Unknown, PeerClosed, "plain"
	finRelayed.FirstBytes = []byte("GE")
	finRelayed.Backend.Attempted, finRelayed.Backend.Addr = true, "127.0.0.1:8080"

	closedNothing := base("terminate")
	closedNothing.Kind, closedNothing.PeekEnd = sniff.Empty, PeerClosed
	resetNothing := base("terminate")
	resetNothing.Kind, resetNothing.PeekEnd = sniff.Empty, PeerReset
	closedEOF := failed(withHello(base("terminate"), modernHello()), "EOF")
	resetHS := failed(withHello(base("terminate"), modernHello()), "read tcp 192.168.20.230:443->192.168.99.86:32962: read: connection reset by peer")
	partialClosed := base("passthrough")
	partialClosed.Kind, partialClosed.PeekEnd, partialClosed.FirstBytes = sniff.TLSHandshake, PeerClosed, tlsBytes[:5]

	alert48 := failed(withHello(base("terminate"), modernHello()), "remote error: tls: unknown certificate authority")
	alert48.ClientTLS.AlertRecv = 48
	// The same in a lab run with --ca-dir: tlsgate ca export must be told
	// where that CA lives, or it reads the default directory.
	alert48Lab := *alert48
	alert48Lab.CAFile = "/tmp/lab/ca/ca.pem"
	// The same refusal of a listener that serves its configured
	// certificate (client_ssl cert), issued by a private CA: the client
	// distrusts that issuer, and the lab CA signed nothing here.
	alert48Configured := failed(withHello(base("terminate"), modernHello()), "remote error: tls: unknown certificate authority")
	alert48Configured.ClientTLS.AlertRecv = 48
	alert48Configured.ClientTLS.OurCertSubject = "CN=lab.test"
	alert48Configured.ClientTLS.OurCertIssuer = "CN=Example Corp Issuing CA 2,O=Example Corp"
	alert42FromErr := failed(withHello(base("terminate"), modernHello()), "remote error: tls: bad certificate")
	// A Go client (42) and a Java one (46) refusing the same configured
	// certificate, and an OpenSSL client whose TLS 1.3 refusal Go could
	// not read (bad record MAC): the issuer to trust is the configured
	// certificate's, never the lab CA.
	configured := func(o *Outcome) *Outcome {
		o.ClientTLS.OurCertSubject = "CN=lab.test"
		o.ClientTLS.OurCertIssuer = "CN=Example Corp Issuing CA 2,O=Example Corp"
		return o
	}
	alert42Configured := configured(failed(withHello(base("terminate"), modernHello()), "remote error: tls: bad certificate"))
	alert42Configured.ClientTLS.AlertRecv = 42
	alert46Configured := configured(failed(withHello(base("terminate"), modernHello()), "remote error: tls: unknown certificate"))
	alert46Configured.ClientTLS.AlertRecv = 46
	// A configured RSA certificate behind an ECDSA-only cipher string: the
	// key named is the certificate's, not the lab CA's P-256.
	noCipherKeyConfigured := configured(failed(withHello(base("terminate"), legacyHello(0x0303, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)),
		"tls: no cipher suite supported by both client and server; client offered: [c02b]"))
	noCipherKeyConfigured.ClientTLS.OurCiphers = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	noCipherKeyConfigured.ClientTLS.MaxVersion, noCipherKeyConfigured.ClientTLS.OurKey = tls.VersionTLS12, "rsa"
	noCipherKeyConfigured.ClientTLS.OurKeyDetail = "RSA 3072"
	// A client that sent no SNI to a listener with a configured
	// certificate: the advice dials the name on that certificate.
	noSNIHello := modernHello()
	noSNIHello.ServerName = ""
	silentConfiguredNoSNI := configured(failed(withHello(base("terminate"), noSNIHello), "EOF"))
	silentConfiguredNoSNI.ClientTLS.ServerFlightSent = true
	silentConfiguredNoSNI.ClientTLS.OurCertName = "www.example.test"
	badMACConfigured := configured(failed(withHello(base("terminate"), modernHello()), "local error: tls: bad record MAC"))
	badMACConfigured.ClientTLS.AlertSent = 20
	// Clients that give up on the configured certificate without an
	// alert: a close_notify after the flight, a FIN before it, and a FIN
	// or RST right after it. The issuer they may lack is the certificate's;
	// `tlsgate ca export` used to be the advice.
	closedNotifyConfigured := configured(failed(withHello(base("terminate"), modernHello()), "EOF"))
	closedNotifyConfigured.ClientTLS.AlertRecv, closedNotifyConfigured.ClientTLS.ServerFlightSent = 0, true
	closedEOFConfigured := configured(failed(withHello(base("terminate"), modernHello()), "EOF"))
	silentConfigured := configured(failed(withHello(base("terminate"), modernHello()), "EOF"))
	silentConfigured.ClientTLS.ServerFlightSent = true
	silentResetConfigured := configured(failed(withHello(base("terminate"), modernHello()), "read tcp 192.168.20.230:443->192.168.99.86:32962: read: connection reset by peer"))
	silentResetConfigured.ClientTLS.ServerFlightSent = true
	// The same on a terminate listener minting from the lab CA: no bypass.
	silentMinted := failed(withHello(base("terminate"), modernHello()), "EOF")
	silentMinted.ClientTLS.ServerFlightSent = true
	silentResetMinted := failed(withHello(base("terminate"), modernHello()), "read tcp 192.168.20.230:443->192.168.99.86:32962: read: connection reset by peer")
	silentResetMinted.ClientTLS.ServerFlightSent = true
	alert99 := failed(withHello(base("terminate"), modernHello()), "remote error: tls: alert(99)")
	// curl (OpenSSL 3 at security level 2) against a TLS 1.0-only listener:
	// it negotiates TLS 1.0, refuses the SHA-1 signature and sends 80.
	// curl 7.88 on OpenSSL 3.0 offers TLS 1.3 down to TLS 1.0.
	curlHello := modernHello()
	curlHello.SupportedVersions = []uint16{0x0304, 0x0303, 0x0302, 0x0301}
	curlHello.CipherSuites = append(curlHello.CipherSuites, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA)
	alert80 := failed(withHello(base("terminate"), curlHello), "remote error: tls: internal error")
	alert80.ClientTLS.MinVersion, alert80.ClientTLS.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
	// The same with the ceiling set by a version fault rule, as in the
	// lab's server-tls10-only: the rule's max_version is the knob.
	alert80Rule := failed(withHello(base("terminate"), curlHello), "remote error: tls: internal error")
	alert80Rule.ClientTLS.MinVersion, alert80Rule.ClientTLS.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
	alert80Rule.ClientTLS.CeilingRule = "server-tls10-only"
	// Alert 80 from a listener whose ceiling is not below TLS 1.2: the
	// picture is unclear, and raising min_version is still no advice.
	alert80Uncapped := failed(withHello(base("terminate"), modernHello()), "remote error: tls: internal error")

	generic := failed(withHello(base("terminate"), modernHello()), "tls: unexpected message")
	generic.ClientTLS.AlertSent = 10
	badMAC := failed(withHello(base("terminate"), modernHello()), "local error: tls: bad record MAC")
	badMAC.ClientTLS.AlertSent = 20

	// openssl s_client -tls1_2 -fallback_scsv against a TLS 1.3 listener:
	// Go refuses the SCSV below its highest version with alert 86.
	fallback := failed(withHello(base("terminate"), legacyHello(0x0303, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, scsvFallback)),
		"tls: client using inappropriate protocol fallback")
	fallback.ClientTLS.AlertSent = 86
	timeout := failed(withHello(base("terminate"), modernHello()), "read tcp 192.168.20.230:443->192.168.99.86:32962: i/o timeout")
	// Two bytes that could still begin a TLS record, then FIN: the
	// listener closed without a decision, so no non_ssl action ran.
	undecidedClosed := base("terminate")
	undecidedClosed.Kind, undecidedClosed.PeekEnd, undecidedClosed.FirstBytes = sniff.Unknown, PeerClosed, tlsBytes[:2]
	undecidedClosed.Route = "closed"
	undecidedReset := *undecidedClosed
	undecidedReset.PeekEnd = PeerReset
	partialPeek := base("terminate")
	partialPeek.Kind, partialPeek.PeekEnd, partialPeek.FirstBytes = sniff.TLSHandshake, PeerPartial, tlsBytes
	// More came than the 64 bytes an Outcome keeps: the count is all of it.
	partialLong := *partialPeek
	partialLong.FirstBytes, partialLong.FirstLen = append(slices.Clone(tlsBytes), make([]byte, 53)...), 1505

	malformed := base("terminate")
	malformed.Kind, malformed.FirstBytes = sniff.TLSHandshake, []byte{0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00}
	malformed.HelloErr = "sniff: handshake message type 2 is not a ClientHello"
	// An alert record first: its bytes name the alert, which the texts
	// should too, not only "a record that is not a handshake".
	alertBytes := []byte{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}
	alertOnPlain := base("plaintext")
	alertOnPlain.Kind, alertOnPlain.FirstBytes, alertOnPlain.Route = sniff.TLSOther, alertBytes, "tls_on_plain_reset"
	alertOnTLS := base("terminate")
	alertOnTLS.Kind, alertOnTLS.FirstBytes = sniff.TLSOther, alertBytes
	tlsRecord := base("terminate")
	tlsRecord.Kind, tlsRecord.FirstBytes = sniff.TLSOther, []byte{0x17, 0x03, 0x03, 0x00, 0x20}

	// A warning alert record before (or between) the hello's records:
	// crypto/tls drops it, and so does sniff, which reads the hello after
	// it: no warning of an unread hello, and the evidence lists the drop.
	alertFirstDone := *okTerm
	alertFirstDone.Hello = modernHello()
	alertFirstDone.Hello.Skipped = []sniff.SkippedAlert{{Offset: 0, Desc: 90}}
	alertFirstDone.FirstBytes = []byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 0x5a, 0x16, 0x03, 0x01}
	alertBetweenDone := alertFirstDone
	alertBetweenDone.Hello = modernHello()
	alertBetweenDone.Hello.Skipped = []sniff.SkippedAlert{{Offset: 45, Desc: 90}}
	alertBetweenDone.FirstBytes = tlsBytes
	// Bytes sniff could not read as a hello, on which crypto/tls still
	// completed its handshake: ok, with a warning of what was not read.
	unreadDone := *okTerm
	unreadDone.Hello, unreadDone.JA3, unreadDone.JA4 = nil, "", ""
	unreadDone.HelloErr = "sniff: client hello: extension 0xfe0d length overruns extensions block at offset 512"
	unreadDone.ClientTLS.ServerName = "lab.test" // as crypto/tls read it
	// A hello beyond sniff's cap that crypto/tls read: its SNI is known.
	bigDone := unreadDone
	bigDone.HelloErr, bigDone.HelloTooLarge = "sniff: client hello: handshake length 17049 exceeds the 16384-byte cap at offset 6", true
	// The same without SNI, refused silently after tlsgate's flight: the
	// certificate was minted for the address dialled, and says so.
	bigQuiet := failed(withHello(base("terminate"), nil), "EOF")
	bigQuiet.Hello, bigQuiet.JA4, bigQuiet.HelloErr, bigQuiet.HelloTooLarge = nil, "", bigDone.HelloErr, true
	bigQuiet.ClientTLS.ServerFlightSent, bigQuiet.LeafName = true, "192.168.20.230"
	// sni_require enforced by crypto/tls on a hello sniff could not read.
	bigNoSNI := failed(withHello(base("terminate"), nil), "client sent no SNI and the profile requires it")
	bigNoSNI.Hello, bigNoSNI.JA4, bigNoSNI.HelloErr, bigNoSNI.HelloTooLarge = nil, "", bigDone.HelloErr, true
	bigNoSNI.SNIRequired, bigNoSNI.ClientTLS.HelloRead, bigNoSNI.ClientTLS.AlertSent = true, true, 40

	// The client half-closed right after its hello: its FIN was in
	// before tlsgate wrote its flight, and crypto/tls read it after.
	finFirst := failed(withHello(base("terminate"), modernHello()), "EOF")
	finFirst.ClientTLS.ServerFlightSent, finFirst.ClientTLS.FINBeforeFlight = true, true
	// The same EOF after the flight with the FIN later: a silent refusal.
	finAfter := failed(withHello(base("terminate"), modernHello()), "EOF")
	finAfter.ClientTLS.ServerFlightSent = true
	// A TLS 1.3-only hello with no key share (tlsgate probe's), answered
	// with a HelloRetryRequest the client never answered: no certificate
	// went out, so nothing about it was refused.
	retryHello := modernHello()
	retryHello.SupportedVersions, retryHello.SupportedGroups = []uint16{0x0304}, []uint16{0x001d, 0x0017}
	retryFIN := failed(withHello(base("terminate"), retryHello), "EOF")
	retryFIN.ClientTLS.HelloRetryOnly = true
	retryRST := failed(withHello(base("terminate"), retryHello), "read tcp 192.168.20.230:443->192.168.99.86:32962: read: connection reset by peer")
	retryRST.ClientTLS.HelloRetryOnly = true

	proxyMissing := withHello(base("terminate"), modernHello())
	proxyMissing.Proxy.Policy = "v2"
	// Two bytes that could still begin TLS, then FIN, on a listener that
	// requires a header: the client left before anything was refused.
	proxyLeft := base("terminate")
	proxyLeft.Proxy.Policy = "v1"
	proxyLeft.Kind, proxyLeft.FirstBytes, proxyLeft.PeekEnd = sniff.Unknown, []byte{0x16, 0x03}, PeerClosed
	proxyUnexpected := base("terminate")
	proxyUnexpected.Kind, proxyUnexpected.FirstBytes = sniff.ProxyV1, []byte("PROXY TCP4 10.0.0.1 10.0.0.2 51514 443\r\n")
	proxyUnexpectedPlain := base("plaintext")
	proxyUnexpectedPlain.Kind, proxyUnexpectedPlain.FirstBytes = sniff.ProxyV1, proxyUnexpected.FirstBytes
	proxyBad := base("terminate")
	proxyBad.Kind, proxyBad.FirstBytes = sniff.ProxyV2, []byte{0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21}
	proxyBad.Proxy = Proxy{Policy: "v2", Err: "proxyproto: invalid address family 0x99"}

	backendOK := func() *Outcome {
		o := withHello(base("terminate"), modernHello())
		o.ClientTLS.Done, o.ClientTLS.Version, o.ClientTLS.CipherSuite = true, tls.VersionTLS13, tls.TLS_AES_128_GCM_SHA256
		o.Backend.Addr, o.Backend.Attempted = "10.0.0.7:8443", true
		return o
	}
	refused := backendOK()
	refused.Backend.DialErr, refused.Backend.Refused = "dial tcp 10.0.0.7:8443: connect: connection refused", true
	// Passthrough dials once the ClientHello is in: the refusal reaches
	// the client as a reset in the middle of its handshake.
	refusedPass := withHello(base("passthrough"), modernHello())
	refusedPass.ClientTLS = Leg{AlertSent: -1, AlertRecv: -1}
	refusedPass.Backend.Addr, refusedPass.Backend.Attempted = "10.0.0.7:8443", true
	refusedPass.Backend.DialErr, refusedPass.Backend.Refused = "dial tcp 10.0.0.7:8443: connect: connection refused", true
	bTimeout := backendOK()
	bTimeout.Backend.DialErr, bTimeout.Backend.TimedOut = "dial tcp 10.0.0.7:8443: i/o timeout", true
	idled := backendOK()
	idled.Route, idled.IdleTimeout, idled.End, idled.BytesUp, idled.BytesDown, idled.Duration = "terminate", 300*time.Second, EndIdleTimeout, 517, 2048, 312*time.Second
	bReset := backendOK()
	bReset.Route, bReset.End, bReset.BytesUp, bReset.BytesDown, bReset.Duration = "terminate", EndBackendReset, 517, 1200, 80*time.Millisecond
	bReset.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40120")
	bReset.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8443")
	cReset := httpOn("plaintext", "plain")
	cReset.Backend.Addr, cReset.Backend.Attempted = "10.0.0.7:8080", true
	cReset.End, cReset.BytesUp, cReset.BytesDown, cReset.Duration = EndClientReset, 78, 0, 30*time.Second
	cut := httpOn("plaintext", "plain")
	cut.Backend.Addr, cut.Backend.Attempted = "10.0.0.7:8080", true
	cut.End, cut.BytesUp, cut.BytesDown, cut.Duration = EndShutdown, 78, 4096, 12*time.Second
	// A refuse rule's queued connection whose socket net.FileConn could
	// not duplicate.
	lost := base("plaintext")
	lost.Route, lost.PeekEnd, lost.Kind = "accept_failed", PeerClosed, sniff.Empty
	lost.AcceptErr = "listener: queued connection: file file+net tlsgate queued connection: fcntl: too many open files"
	bErr := backendOK()
	bErr.Backend.DialErr = "dial tcp: lookup backend.invalid: no such host"
	bTLS := backendOK()
	bTLS.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40112")
	bTLS.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8443")
	bTLS.Backend.TLS = Leg{Attempted: true, AlertSent: -1, AlertRecv: -1, Err: "tls: first record does not look like a TLS handshake"}
	// The connect race on a server-ssl leg: the backend accepted, wrote
	// and reset before tlsgate saw its connect (upstream.ResetAfterConnect).
	bResetHello := backendOK()
	bResetHello.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40115")
	bResetHello.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8443")
	bResetHello.Backend.EndedBeforeHello, bResetHello.Backend.BeforeHelloBytes = EndedReset, 3
	bResetHello.Backend.TLS = Leg{Attempted: true, AlertSent: -1, AlertRecv: -1, Local: bResetHello.Backend.Local, Remote: bResetHello.Backend.Remote,
		Err: "the backend reset the connection before the TLS handshake began (after sending 3 bytes; the ClientHello was never sent): " +
			"upstream: backend 10.0.0.7:8443 accepted, sent 3 bytes and reset before the connect was seen: dial tcp 10.0.0.7:8443: connect: connection reset by peer"}
	// The same race ended by a FIN and then a reset, nothing sent first:
	// the texts and evidence say which (Backend.EndedBeforeHello, BeforeHelloBytes).
	bFINResetHello := backendOK()
	bFINResetHello.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40116")
	bFINResetHello.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8443")
	bFINResetHello.Backend.EndedBeforeHello = EndedFINReset
	bFINResetHello.Backend.TLS = Leg{Attempted: true, AlertSent: -1, AlertRecv: -1, Local: bFINResetHello.Backend.Local, Remote: bFINResetHello.Backend.Remote,
		Err: "the backend reset the connection before the TLS handshake began (the ClientHello was never sent): " +
			"upstream: backend 10.0.0.7:8443 accepted, closed and reset before the connect was seen: dial tcp 10.0.0.7:8443: connect: connection reset by peer"}
	bVerify := backendOK()
	bVerify.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40113")
	bVerify.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8443")
	bVerify.Backend.TLS = Leg{Attempted: true, AlertSent: 42, AlertRecv: -1,
		Err:    "tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-02-01T08:12:14Z is after 2025-01-01T00:00:00Z",
		Verify: "x509: certificate has expired or is not yet valid: current time 2026-02-01T08:12:14Z is after 2025-01-01T00:00:00Z"}

	bUnknownCA := backendOK()
	bUnknownCA.Backend.Local = netip.MustParseAddrPort("10.0.0.2:40114")
	bUnknownCA.Backend.Remote = netip.MustParseAddrPort("10.0.0.7:8443")
	bUnknownCA.Backend.TLS = Leg{Attempted: true, AlertSent: 42, AlertRecv: -1,
		Err:    "tls: failed to verify certificate: x509: certificate signed by unknown authority",
		Verify: "x509: certificate signed by unknown authority"}

	maxConn := base("terminate")
	maxConn.Route, maxConn.Kind = "refused_max_conn", sniff.Empty

	serverSide := func(l, r string) string {
		return "01260013:4: SSL Handshake failed for TCP " + l + " -> " + r
	}

	return append([]diagCase{
		{name: "ok_terminate", o: okTerm, code: CodeOK, ok: true,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: " +
				sessionID(42, 0, "client") + " version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"},
			contains: []string{"terminate sni=lab.test TLS 1.3 TLS_AES_128_GCM_SHA256 alpn=h2", "up=517B down=4096B in 12ms"}},
		{name: "ok_passthrough", o: okPass, code: CodeOK, ok: true, contains: []string{"not terminated"}},
		{name: "plaintext_on_tls_reset", o: httpOn("terminate", "non_ssl_reset"), code: CodePlaintextOnTLS,
			lines:    []string{lineNotSSL, "01260013:4: SSL Handshake failed for TCP 192.168.99.86:32962 -> 192.168.20.230:443"},
			contains: []string{"left side", "ephemeral source port", "virtual server address", "http://", "health monitor", "port 80", "curl: (56) Recv failure: Connection reset by peer", "GET / HTTP/1.1", "lab.test:443", "47 45 54 20"}},
		{name: "plaintext_on_tls_http400", o: httpOn("terminate", "non_ssl_http400"), code: CodePlaintextOnTLS,
			lines: []string{lineNotSSL, lineSummary}, contains: []string{"HTTP 400", "http400"}},
		{name: "plaintext_on_tls_redirect", o: httpOn("terminate", "non_ssl_redirect"), code: CodePlaintextOnTLS,
			lines: []string{lineNotSSL, lineSummary}, contains: []string{"301", "redirect"}},
		{name: "plaintext_on_tls_ssh", o: sshOnTLS, code: CodePlaintextOnTLS,
			lines: []string{lineNotSSL, lineSummary}, contains: []string{"SSH client banner", "|SSH-2.0-OpenSSH_9.2p1 Debian-2..|", "ssh -p", "kex_exchange_identification: read: Connection reset by peer"}},
		{name: "plaintext_on_tls_h2c", o: h2OnTLS, code: CodePlaintextOnTLS,
			lines: []string{lineNotSSL, lineSummary}, contains: []string{"HTTP/2 preface", "curl --http2-prior-knowledge prints `curl: (56) Recv failure"}},
		{name: "plaintext_on_tls_unknown", o: unknownOnTLS, code: CodePlaintextOnTLS,
			lines: []string{lineNotSSL, lineSummary}, contains: []string{"00 01 02 ff |....|"}},
		{name: "plaintext_on_tls_ipv4_mapped", o: mapped, code: CodePlaintextOnTLS,
			lines: []string{lineNotSSL, "01260013:4: SSL Handshake failed for TCP 10.1.10.50:61863 -> 93.184.216.34:443"}},
		{name: "plaintext_allowed", o: allowed, code: CodePlaintextAllowed, ok: true, contains: []string{"non_ssl = \"allow\""}},
		{name: "tls_on_plaintext", o: tlsOnPlain, code: CodeTLSOnPlaintext,
			contains: []string{"SNI lab.test", "TLS 1.3, TLS 1.2", "https://", "server-ssl", "wrong version number"}},
		{name: "tls_on_plaintext_proxied", o: tlsOnPlainProxied, code: CodeTLSOnPlaintext,
			contains: []string{"plaintext listener pp1 (127.0.0.1:19622; the client connected to the load balancer's VIP 10.9.9.9:443, per the PROXY header)",
				"Use http:// for port 443 (the address the client connected to: the load balancer's VIP 10.9.9.9:443, from the PROXY header; listener pp1 itself is at 127.0.0.1:19622)",
				"If listener pp1 (127.0.0.1:19622) should speak TLS"},
			absent: []string{"pp1 (10.9.9.9:443)", "If port 443 should speak TLS"}},
		{name: "tls_on_plaintext_alert_record", o: alertOnPlain, code: CodeTLSOnPlaintext,
			contains: []string{"a TLS alert record (fatal 40 handshake_failure), not a handshake", "no ClientHello came", "Connection reset by peer"},
			absent:   []string{"ClientHello (SNI", "offering"}},
		{name: "hello_malformed_alert_record", o: alertOnTLS, code: CodeHelloMalformed, lines: []string{lineSummary},
			contains: []string{"a TLS alert record (fatal 40 handshake_failure)"}},
		{name: "tls_on_plaintext_reset", o: tlsOnPlainReset, code: CodeTLSOnPlaintext,
			contains: []string{"curl: (35) Recv failure: Connection reset by peer"}},
		// A stalled hello names no SNI or versions: none were read, and
		// "SNI (none)" would read as a client that sent no SNI.
		{name: "tls_on_plaintext_stalled_hello", o: tlsOnPlainStalled, code: CodeTLSOnPlaintext,
			contains: []string{"curl: (35) Recv failure: Connection reset by peer", "16 03 01 |...|", "hello never completed: 3 bytes of a TLS record header"},
			absent:   []string{"SNI (none)", "(unknown)", "ClientHello ("}},
		{name: "tls_on_plaintext_stalled_prefix", o: tlsOnPlainPrefix, code: CodeTLSOnPlaintext,
			contains: []string{"curl: (35) Recv failure: Connection reset by peer", "16 03 |..|", "hello never completed: 2 bytes of a TLS record header"},
			absent:   []string{"SNI (none)", "(unknown)", "ClientHello ("}},
		{name: "tls_on_plaintext_stalled_body", o: tlsOnPlainBody, code: CodeTLSOnPlaintext,
			contains: []string{"hello never completed: 9 bytes, a TLS record header and 4 of the 512 bytes it announced"},
			absent:   []string{"SNI (none)", "(unknown)"}},
		{name: "tls_on_plaintext_stalled_byte", o: tlsOnPlainByte, code: CodeTLSOnPlaintext,
			contains: []string{"hello never completed: 1 byte, a TLS handshake record's content type (0x16)", "A lone 0x16 begins", "16 |.|"},
			absent:   []string{"SNI (none)", "(unknown)", "ClientHello (", "Only TLS"}},
		{name: "tls_on_plaintext_stalled_sslv2", o: tlsOnPlainSSLv2, code: CodeTLSOnPlaintext,
			contains: []string{"hello never completed: 3 bytes of an SSLv2 record header, announcing a 46-byte ClientHello (msg_type 1)", "An SSLv2 record header with msg_type 1", "80 2e 01 |...|"},
			absent:   []string{"SNI (none)", "(unknown)", "ClientHello (SNI", "Only TLS"}},
		{name: "tls_on_plaintext_stalled_sslv2_body", o: tlsOnPlainSSLv2Body, code: CodeTLSOnPlaintext,
			contains: []string{"hello never completed: 4 bytes of an SSLv2-format ClientHello, 2 of the 46 bytes its record header announced"},
			absent:   []string{"SNI (none)", "(unknown)", "ClientHello (SNI"}},
		{name: "tls_on_plaintext_cut_hello", o: tlsOnPlainCut, code: CodeTLSOnPlaintext,
			contains: []string{"hello never completed: 3 bytes of a TLS record header, then the client closed the connection (FIN)", "16 03 01 |...|",
				"tlsgate reset the connection only after that FIN", "The client closed first"},
			absent: []string{"SNI (none)", "(unknown)", "ClientHello (", "tlsgate reset the connection:"}},
		{name: "tls_on_plaintext_cut_hello_rst", o: tlsOnPlainCutRST, code: CodeTLSOnPlaintext,
			contains: []string{"hello never completed: 3 bytes of a TLS record header, then the client reset the connection (RST)", "16 03 01 |...|",
				"tlsgate had not answered", "Nothing from tlsgate: the reset came from the client side"},
			absent: []string{"SNI (none)", "(unknown)", "ClientHello (", "wrong version number", "tlsgate reset the connection"}},
		{name: "version_too_old_tls10", o: tooOld, code: CodeVersionTooOld,
			lines: []string{lineVersion, lineSummary}, contains: []string{"TLS 1.0", "TLS 1.2 to TLS 1.3", "protocol version"}},
		{name: "version_too_old_sslv3", o: sslv3, code: CodeVersionTooOld,
			lines: []string{lineVersion, lineSummary}, contains: []string{"SSLv3", "POODLE"}},
		{name: "version_too_old_sslv2", o: sslv2, code: CodeVersionTooOld,
			lines: []string{lineVersion, lineSummary}, contains: []string{"SSLv2-format", "80 2e 01 00 02", "remove SSLv2Hello", "OpenSSL 1.0.1 or later"},
			// Today's curl and s_client never send this hello: their
			// version flags do not fit the client that did.
			absent: []string{"--tlsv1.2", "-tls1_2"}},
		{name: "version_too_new", o: tooNew, code: CodeVersionTooNew,
			lines: []string{lineVersion, lineSummary}, contains: []string{"TLS 1.3", "no-tlsv1.3", "TLS 1.2 to TLS 1.2"}},
		{name: "version_too_new_rule", o: tooNewRule, code: CodeVersionTooNew,
			lines: []string{lineVersion, lineSummary}, contains: []string{`Raise max_version of fault rule tls12-cap to "1.3" or later`}},
		{name: "no_shared_cipher_default", o: noCipher, code: CodeNoSharedCipher,
			lines:    []string{lineCiphers, lineNoShared, lineSummary},
			contains: []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_RC4_128_SHA", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "sslv3 alert handshake failure"}},
		{name: "no_shared_cipher_configured", o: noCipherOurs, code: CodeNoSharedCipher,
			lines: []string{lineCiphers, lineNoShared, lineSummary}, contains: []string{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 (at TLS 1.2)"}},
		{name: "no_shared_cipher_key_type", o: noCipherKey, code: CodeNoSharedCipher,
			lines:    []string{lineCiphers, lineNoShared, lineSummary},
			contains: []string{"need an RSA certificate and the listener serves an ECDSA one", "Add suites for an ECDSA key to listener web's ciphers (e.g. TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)"}},
		{name: "no_shared_cipher_key_type_configured", o: noCipherKeyConfigured, code: CodeNoSharedCipher,
			lines: []string{lineCiphers, lineNoShared, lineSummary},
			contains: []string{"need an ECDSA certificate and the listener serves an RSA one",
				"(listener web serves its configured certificate, client_ssl cert, CN=lab.test, whose key is RSA 3072)",
				"Add suites for an RSA key to listener web's ciphers (e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)"},
			absent: []string{"minted from the lab CA", "P-256", "(e.g. TLS_ECDHE_ECDSA"}},
		{name: "no_shared_cipher_no_curve", o: noCipherRSA, code: CodeNoSharedCipher,
			lines: []string{lineCiphers, lineNoShared, lineSummary}, contains: []string{"named no elliptic curve tlsgate supports"}},
		{name: "no_shared_cipher_unusable", o: noCipherMixed, code: CodeNoSharedCipher,
			lines: []string{lineCiphers, lineNoShared, lineSummary}, contains: []string{"but none could be used", "this listener's is ECDSA"}},
		{name: "no_shared_cipher_error_only", o: noCipherErrOnly, code: CodeNoSharedCipher,
			lines: []string{lineCiphers, lineNoShared, lineSummary}},
		{name: "no_shared_cipher_ipv6", o: noCipherV6, code: CodeNoSharedCipher,
			lines: []string{lineCiphers,
				"01260026:4: No shared ciphers between SSL peers 2001:db8::1.51514:2001:db8::10.443.",
				"01260013:4: SSL Handshake failed for TCP 2001:db8::1.51514 -> 2001:db8::10.443"}},
		{name: "sni_missing", o: sniMissing, code: CodeSNIMissing, lines: []string{lineSummary},
			contains: []string{"server_name", "--resolve", "sslv3 alert handshake failure", "ERR_SSL_VERSION_OR_CIPHER_MISMATCH"}},
		{name: "client_silent_tls", o: silentTLS, code: CodeClientSilent, lines: []string{lineSummary},
			contains: []string{"SSH", "MySQL", "tcp_half_open", "5s"}},
		{name: "client_silent_plaintext", o: silentPlain, code: CodeClientSilent},
		{name: "server_first_relayed", o: serverFirst, code: CodeOK, ok: true},
		{name: "fin_before_decision_relayed", o: finRelayed, code: CodeOK, ok: true},
		{name: "client_closed_nothing", o: closedNothing, code: CodeClientClosedEarly, lines: []string{lineSummary},
			contains: []string{"tcp_half_open", "scanner"}},
		{name: "client_reset_nothing", o: resetNothing, code: CodeClientResetEarly, lines: []string{lineSummary},
			contains: []string{"tcp_half_open", "scanner"}},
		{name: "client_closed_handshake_eof", o: closedEOF, code: CodeClientClosedEarly, lines: []string{lineSummary},
			contains: []string{"gave up", "monitor"}},
		{name: "client_reset_handshake", o: resetHS, code: CodeClientResetEarly, lines: []string{lineSummary}},
		// On passthrough no client-ssl profile stands for the listener:
		// no line, and the cause says why (as below for other codes).
		{name: "client_closed_partial", o: partialClosed, code: CodeClientClosedEarly,
			contains: []string{"5 bytes", "without a client-ssl profile", "no BIG-IP line is shown", "trust the backend's CA"},
			absent:   []string{"ca export"}},
		{name: "client_closed_undecided", o: undecidedClosed, code: CodeClientClosedEarly, lines: []string{lineSummary},
			contains: []string{"after 2 bytes, before a decision"}},
		{name: "client_reset_undecided", o: &undecidedReset, code: CodeClientResetEarly, lines: []string{lineSummary},
			contains: []string{"after 2 bytes, before a decision"}},
		{name: "client_alert_48", o: alert48, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"48 unknown_ca", "tlsgate ca export", "--cacert", "does not trust"}},
		{name: "client_alert_48_lab", o: &alert48Lab, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"`tlsgate ca export --ca-dir /tmp/lab/ca`", "`curl --cacert /tmp/lab/ca/ca.pem "}},
		{name: "client_alert_48_configured", o: alert48Configured, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"48 unknown_ca", "does not trust the issuer of the certificate listener web serves", "configured certificate (client_ssl cert), CN=lab.test, issued by CN=Example Corp Issuing CA 2,O=Example Corp",
				"not the lab CA", "the intermediate after the leaf", `issuer="CN=Example Corp Issuing CA 2,O=Example Corp"`, "unable to get local issuer certificate"},
			absent: []string{"tlsgate ca export", "lab-ca.pem", "come from the lab CA"}},
		{name: "client_alert_42_configured", o: alert42Configured, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"42 bad_certificate", "Go clients send 42", "configured with (client_ssl cert), CN=lab.test, issued by CN=Example Corp Issuing CA 2,O=Example Corp",
				"not the lab CA", "does not trust CN=Example Corp Issuing CA 2", "--cacert <that CA's file>", "the intermediate after the leaf",
				`issuer="CN=Example Corp Issuing CA 2,O=Example Corp"`},
			absent: []string{"tlsgate ca export", "lab-ca.pem"}},
		{name: "client_alert_46_configured", o: alert46Configured, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"46 certificate_unknown", "Java clients send 46", "issued by CN=Example Corp Issuing CA 2,O=Example Corp",
				"not the lab CA", "keytool -importcert -cacerts -file <that CA's file>", `issuer="CN=Example Corp Issuing CA 2,O=Example Corp"`},
			absent: []string{"tlsgate ca export", "lab-ca.pem", "import the lab CA"}},
		{name: "client_alert_42_from_error", o: alert42FromErr, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"42 bad_certificate", "Go clients send 42"}},
		{name: "client_alert_80", o: alert80, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"80 internal_error", "security level 2", "legacy sigalg disallowed or unsupported", "DEFAULT@SECLEVEL=0",
				`Raise max_version on listener web to "1.2" or later`, "no-tlsv1.2/no-tlsv1.3", "raising min_version cannot help"},
			absent: []string{"Raise min_version"}},
		{name: "client_alert_80_cap_rule", o: alert80Rule, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{`Raise max_version of fault rule server-tls10-only to "1.2" or later`, "ceiling of TLS 1.0"},
			absent:   []string{"Raise min_version", "max_version on listener"}},
		{name: "client_alert_80_uncapped", o: alert80Uncapped, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"80 internal_error", `raise max_version on listener web to "1.2" or later`, "Raising min_version refuses the client"},
			absent:   []string{"Raise min_version to TLS 1.2"}},
		{name: "client_alert_unassigned", o: alert99, code: CodeClientAlert, lines: []string{lineSummary},
			contains: []string{"99 alert(99)"}},
		{name: "handshake_failed", o: generic, code: CodeHandshakeFailed, lines: []string{lineSummary},
			contains: []string{"tls: unexpected message", "10 unexpected_message"}},
		{name: "handshake_failed_bad_record_mac", o: badMAC, code: CodeHandshakeFailed, lines: []string{lineSummary},
			contains: []string{"unencrypted", "--tls-max 1.2"}},
		{name: "client_closed_configured", o: closedNotifyConfigured, code: CodeClientClosedEarly, lines: []string{lineSummary},
			contains: []string{"gave up", "configured one (client_ssl cert), CN=lab.test, issued by CN=Example Corp Issuing CA 2,O=Example Corp", "not a leaf minted by the lab CA",
				"the issuer it lacks is CN=Example Corp Issuing CA 2", "-showcerts", "--cacert <that CA's file>", "`tlsgate ca export` does not help here",
				`issuer="CN=Example Corp Issuing CA 2,O=Example Corp"`},
			absent: []string{"see `tlsgate ca export`", "lab-ca.pem"}},
		{name: "client_closed_handshake_eof_configured", o: closedEOFConfigured, code: CodeClientClosedEarly, lines: []string{lineSummary},
			contains: []string{"gave up", "issued by CN=Example Corp Issuing CA 2,O=Example Corp", "--cacert <that CA's file>"},
			absent:   []string{"see `tlsgate ca export`", "lab-ca.pem"}},
		{name: "client_rejected_silently_configured", o: silentConfigured, code: CodeClientRejectedSilently, lines: []string{lineSummary},
			contains: []string{"closed the connection (FIN) without an alert", "configured certificate, client_ssl cert, CN=lab.test, issued by CN=Example Corp Issuing CA 2,O=Example Corp",
				"not the lab CA, which signed nothing on this listener", "-showcerts", "--cacert <that CA's file>", "pins another certificate or key",
				`issuer="CN=Example Corp Issuing CA 2,O=Example Corp"`},
			absent: []string{"Run `tlsgate ca export`", "lab-ca.pem", "bypass", "with the lab CA trusted", "once the lab CA is trusted"}},
		{name: "client_rejected_silently_reset_configured", o: silentResetConfigured, code: CodeClientRejectedSilently, lines: []string{lineSummary},
			contains: []string{"reset the connection (RST) without an alert", "issued by CN=Example Corp Issuing CA 2,O=Example Corp", "--cacert <that CA's file>"},
			absent:   []string{"Run `tlsgate ca export`", "lab-ca.pem", "bypass"}},
		{name: "client_rejected_silently_terminate", o: silentMinted, code: CodeClientRejectedSilently, lines: []string{lineSummary},
			contains: []string{"closed the connection (FIN) without an alert", "pinning", "tlsgate ca export", "serve that certificate on listener web (client_ssl cert and key)",
				"passthrough listener", "Only an inspect listener has a bypass list"},
			absent: []string{"to bypass on listener", "spliced, not decrypted"}},
		{name: "client_rejected_silently_reset_terminate", o: silentResetMinted, code: CodeClientRejectedSilently, lines: []string{lineSummary},
			contains: []string{"reset the connection (RST) without an alert", "tlsgate ca export", "Only an inspect listener has a bypass list"},
			absent:   []string{"to bypass on listener", "spliced, not decrypted", "Another order of events"}},
		{name: "client_rejected_silently_configured_no_sni", o: silentConfiguredNoSNI, code: CodeClientRejectedSilently, lines: []string{lineSummary},
			contains: []string{"certificate for www.example.test", "-servername www.example.test -showcerts", "https://www.example.test:443/"},
			absent:   []string{"<name on the certificate>"}},
		{name: "handshake_failed_bad_record_mac_configured", o: badMACConfigured, code: CodeHandshakeFailed, lines: []string{lineSummary},
			contains: []string{"unencrypted", "--tls-max 1.2", "issued by CN=Example Corp Issuing CA 2,O=Example Corp", "not the lab CA",
				"-showcerts", "--cacert <that CA's file>", `issuer="CN=Example Corp Issuing CA 2,O=Example Corp"`},
			absent: []string{"tlsgate ca export", "lab-ca.pem"}},
		{name: "handshake_failed_inappropriate_fallback", o: fallback, code: CodeHandshakeFailed,
			lines:    []string{"01260009:4: Connection error: ssl_select_suite:9301: TLS_FALLBACK_SCSV with a lower protocol (86)", lineSummary},
			contains: []string{"RFC 7507", "TLS 1.2", "TLS 1.3", "-fallback_scsv", "downgrade"},
			saw:      "tlsv1 alert inappropriate fallback"},
		{name: "handshake_timeout", o: timeout, code: CodeHandshakeTimeout, lines: []string{lineSummary},
			contains: []string{"MTU", "TLS handshake timeout"}},
		{name: "handshake_timeout_partial_peek", o: partialPeek, code: CodeHandshakeTimeout, lines: []string{lineSummary},
			contains: []string{"11 bytes", "second segment"}},
		{name: "handshake_timeout_partial_long", o: &partialLong, code: CodeHandshakeTimeout, lines: []string{lineSummary},
			contains: []string{"sent 1505 bytes", "after 1505 bytes"}, absent: []string{"64 bytes"}},
		{name: "hello_malformed", o: malformed, code: CodeHelloMalformed, lines: []string{lineSummary},
			contains: []string{"not a ClientHello", "16 03 01 00 04"}},
		{name: "hello_malformed_tls_record", o: tlsRecord, code: CodeHelloMalformed, lines: []string{lineSummary},
			contains: []string{"a TLS application_data record, not a handshake"}},
		{name: "ok_terminate_alert_before_hello", o: &alertFirstDone, code: CodeOK, ok: true,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: " +
				sessionID(42, 0, "client") + " version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"},
			contains: []string{"warning alert 90 user_canceled at offset 0", "as crypto/tls drops them"},
			absent:   []string{"crypto/tls completed the handshake"}},
		{name: "ok_terminate_alert_between_hello_records", o: &alertBetweenDone, code: CodeOK, ok: true,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: " +
				sessionID(42, 0, "client") + " version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"},
			contains: []string{"at offset 45"}, absent: []string{"crypto/tls completed the handshake"}},
		{name: "ok_terminate_hello_beyond_cap", o: &bigDone, code: CodeOK, ok: true, warnings: 1,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: " +
				sessionID(42, 0, "client") + " version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"},
			contains: []string{"crypto/tls read it for the handshake (SNI lab.test)", "sni=lab.test"}, absent: []string{"so its SNI, ALPN"}},
		{name: "sni_missing_beyond_cap", o: bigNoSNI, code: CodeSNIMissing, lines: []string{lineSummary},
			contains: []string{"sni=(none)", "server_name", "sslv3 alert handshake failure"}},
		{name: "client_rejected_silently_beyond_cap_no_sni", o: bigQuiet, code: CodeClientRejectedSilently, lines: []string{lineSummary},
			contains: []string{"sni=(none)", "for 192.168.20.230"}, absent: []string{"<name on the certificate>"}},
		{name: "ok_terminate_hello_unread", o: &unreadDone, code: CodeOK, ok: true, warnings: 1,
			lines: []string{"(no ID):6: SSL Handshake details for TCP 192.168.99.86:32962 -> 192.168.20.230:443 entity: client SID: " +
				sessionID(42, 0, "client") + " version: TLSv1.3 cipher-suite: TLS_AES_128_GCM_SHA256 key-exchange: X25519MLKEM768 mutual-authentication: false"},
			contains: []string{"extension 0xfe0d", "crypto/tls completed the handshake", "fault rules"}},
		{name: "client_closed_early_before_flight", o: finFirst, code: CodeClientClosedEarly, lines: []string{lineSummary},
			contains: []string{"right after its ClientHello, before tlsgate sent its certificate", "cannot have refused the certificate",
				"had arrived when tlsgate wrote its handshake flight"},
			absent: []string{"saw tlsgate's certificate", "pinning", "Another order of events"}},
		{name: "client_closed_early_hello_retry", o: retryFIN, code: CodeClientClosedEarly, lines: []string{lineSummary},
			contains: []string{"HelloRetryRequest", "no key share for a group tlsgate accepts", "neither the certificate, the lab CA nor pinning is the question",
				"none (an empty key_share list)"},
			absent: []string{"saw tlsgate's certificate", "certificate pinning does", "Another order of events"}},
		{name: "client_reset_early_hello_retry", o: retryRST, code: CodeClientResetEarly, lines: []string{lineSummary},
			contains: []string{"HelloRetryRequest", "reset the connection instead of sending it"},
			absent:   []string{"saw tlsgate's certificate", "certificate pinning does"}},
		{name: "client_rejected_silently_fin_after_flight", o: finAfter, code: CodeClientRejectedSilently, lines: []string{lineSummary},
			contains: []string{"Another order of events ends the same way", "shutting its sending side in a second call", "descheduled between the two calls",
				"it refused nothing and closed early (client_closed_early)"},
			absent: []string{"before tlsgate sent its certificate"}},
		{name: "proxy_missing", o: proxyMissing, code: CodeProxyMissing,
			contains: []string{"expects a PROXY protocol v2 header", "a TLS handshake record (16 03 01 02 00)", "NLB"}},
		{name: "proxy_required_client_left", o: proxyLeft, code: CodeClientClosedEarly, lines: []string{lineSummary},
			contains: []string{"2 bytes"}},
		{name: "proxy_unexpected", o: proxyUnexpected, code: CodeProxyUnexpected, lines: []string{lineNotSSL, lineSummary},
			contains: []string{"PROXY protocol v1 header", "proxy_protocol = \"v1\"", "logs `not SSL`"}},
		{name: "proxy_unexpected_plaintext", o: proxyUnexpectedPlain, code: CodeProxyUnexpected,
			contains: []string{"PROXY protocol v1 header"}, absent: []string{"not SSL"}},
		{name: "proxy_malformed", o: proxyBad, code: CodeProxyMalformed, contains: []string{"invalid address family"}},
		{name: "backend_refused", o: refused, code: CodeBackendRefused, contains: []string{"connection refused", "10.0.0.7:8443", "(55) getpeername() failed with errno 107"},
			saw: "TLS handshake with tlsgate succeeds"},
		{name: "backend_refused_passthrough", o: refusedPass, code: CodeBackendRefused,
			saw: "curl: (35) Recv failure: Connection reset by peer", absent: []string{"curl: (56)", "handshake succeeds"}},
		{name: "backend_timeout", o: bTimeout, code: CodeBackendTimeout, contains: []string{"SYN"}},
		{name: "backend_error", o: bErr, code: CodeBackendError, contains: []string{"no such host"}},
		{name: "backend_tls_failed_plain", o: bTLS, code: CodeBackendTLSFailed,
			lines:    []string{serverSide("10.0.0.2:40112", "10.0.0.7:8443")},
			contains: []string{"plaintext", "self IP or SNAT", "pool member"}},
		{name: "backend_tls_failed_reset_before_hello", o: bResetHello, code: CodeBackendTLSFailed,
			lines: []string{serverSide("10.0.0.2:40115", "10.0.0.7:8443")},
			contains: []string{"before tlsgate's ClientHello", "not the problem", "self IP or SNAT", "pool member", "write:errno=104",
				"with a reset, after sending 3 bytes", "RST after 3 bytes from the backend"},
			absent: []string{"Compare the versions and ciphers", "speaks TLS", "FIN → RST"}},
		{name: "backend_tls_failed_fin_reset_before_hello", o: bFINResetHello, code: CodeBackendTLSFailed,
			lines:    []string{serverSide("10.0.0.2:40116", "10.0.0.7:8443")},
			contains: []string{"with a close (FIN) and then a reset, having sent nothing", "FIN → RST after 0 bytes from the backend"},
			absent:   []string{"after sending"}},
		{name: "backend_tls_verify_expired", o: bVerify, code: CodeBackendTLSVerify,
			lines:    []string{serverSide("10.0.0.2:40113", "10.0.0.7:8443")},
			contains: []string{"expired", "self IP or SNAT", "pool member", "-dates", "date -u"}, absent: []string{"ca_file"}},
		{name: "backend_tls_verify_unknown_authority", o: bUnknownCA, code: CodeBackendTLSVerify,
			lines:    []string{serverSide("10.0.0.2:40114", "10.0.0.7:8443")},
			contains: []string{"unknown authority", "server_ssl.ca", "-showcerts"}, absent: []string{"server_name"}},
		{name: "max_connections", o: maxConn, code: CodeMaxConnections, contains: []string{"max_connections"},
			saw: "(7) Failed to connect to … Couldn't connect to server`, which looks like a closed port but is not"},
		{name: "backend_reset", o: bReset, code: CodeBackendReset,
			contains: []string{"mid-stream (up 517 B, down 1200 B)", "host 10.0.0.7 and", "reset by the backend after up 517 B, down 1200 B in 80ms"},
			// curl 7.88.1 on loopback: (56) on its read, (55) when the
			// reset meets a request body it is still sending.
			saw: "`curl: (56) Recv failure: Connection reset by peer`, or `curl: (55) Send failure: Connection reset by peer`"},
		{name: "ok_client_reset", o: cReset, code: CodeOK, ok: true,
			contains: []string{"up=78B down=0B in 30s, ended by the client's reset", "(30s)", "reset by the client after up 78 B"}},
		{name: "shutdown_cut", o: cut, code: CodeShutdownCut,
			contains: []string{"shutdown grace ran out (up 78 B, down 4096 B in 12s)", "[shutdown] grace", "Neither the client nor the backend"}},
		{name: "accept_failed", o: lost, code: CodeAcceptFailed,
			contains: []string{"without serving it: listener: queued connection: file file+net",
				"The client did nothing wrong", "LimitNOFILE", "accept_err=listener: queued connection", "listen_addr=192.168.20.230:443"},
			absent: []string{"closed the connection (FIN)"}},
		{name: "idle_timeout", o: idled, code: CodeIdleTimeout,
			contains: []string{"after 5m0s without a byte", "idle_timeout of listener", "up 517 B, down 2048 B in 5m12s", "(56) Recv failure"}},
	}, append(append(append(append(inspectCases(), faultCases()...), proxyCases()...), append(append(passthroughCases(), passHostileCases()...), clientEndCases()...)...), append(append(append(append(clientAuthCases(), failOpenCases()...), rewriteBodyCases()...), abortCases()...), append(append(append(stallCases(), backendEndCases()...), undecidedCases()...), append(autoClosedCases(), append(h2AnswerCases(), redirectCases()...)...)...)...)...)...)
}
