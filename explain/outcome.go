// Package explain owns the meaning of a connection's end: it turns an Outcome
// (facts gathered by the listener) into a Diagnosis (BIG-IP message group,
// plain cause, first checks, evidence).
package explain

import (
	"net/netip"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// Leg is what happened on one TLS leg (client↔tlsgate or tlsgate↔backend).
type Leg struct {
	Attempted   bool     // a TLS handshake was started on this leg
	Done        bool     // the handshake completed
	Version     uint16   // negotiated version (tls.VersionTLS12 …), 0 if none
	CipherSuite uint16   // negotiated suite, 0 if none
	ALPN        string   // negotiated protocol
	ServerName  string   // SNI used on this leg
	Err         string   // handshake error text as crypto/tls or the OS gave it
	AlertSent   int      // alert tlsgate sent, -1 when none
	AlertRecv   int      // alert received from the peer, -1 when none
	PeerCert    []string // subject/issuer summary of the peer's chain, leaf first
	Verify      string   // verification error on the peer's chain, "" if ok or not checked
	Local       netip.AddrPort
	Remote      netip.AddrPort
	MinVersion  uint16   // our configured floor (0 = crypto/tls default)
	MaxVersion  uint16   // our configured ceiling
	OurCiphers  []uint16 // suites we were willing to use (nil = defaults)
	// OurGroups are the key exchange groups we were willing to use (nil =
	// crypto/tls defaults); a cipher rule's groups narrow them.
	OurGroups []uint16
	// OurKey is the key type of the certificate tlsgate serves on a
	// terminating leg ("rsa", "ecdsa", "ed25519"), "" when unknown: below
	// TLS 1.3 a suite only works with the key type it names.
	OurKey string
	// OurCertSubject and OurCertIssuer name the certificate tlsgate serves
	// on a terminating leg when it is a configured one (client_ssl cert and
	// key), as RFC 4514 DNs; both "" for leaves minted by the lab CA. A
	// client that does not trust the issuer then distrusts that issuer,
	// not the lab CA.
	OurCertSubject string
	OurCertIssuer  string
	// OurKeyDetail is the configured certificate's key with its size or
	// curve ("RSA 2048", "ECDSA P-384", "Ed25519"), "" for minted leaves
	// (always ECDSA P-256): a key-type mismatch names the key really served.
	OurKeyDetail string
	// OurCertName is a host name on that configured certificate (a DNS
	// SAN, else its CN or an IP SAN), "" for minted leaves: advice for a
	// client that sent no SNI dials it instead of a stand-in.
	OurCertName string
	// ReplacedCertSubject is the subject of the configured certificate a
	// fault rule's chain or skew replaced on this connection with a lab-CA
	// one, "" otherwise: the client then saw another issuer too, not only
	// the rule's defect.
	ReplacedCertSubject string
	Duration            time.Duration
	// LateBytes counts the bytes crypto/tls read from the peer on a
	// terminating leg beyond those the peek had read: a client whose
	// hello stalled at the peek deadline and then kept trickling shows
	// them, one that went quiet does not.
	LateBytes int64
	// Group is the key exchange group negotiated (e.g. "X25519MLKEM768").
	Group string
	// VerifySkipped: tlsgate did not verify the peer (server_ssl.verify = false).
	VerifySkipped bool
	// ServerFlightSent: tlsgate had written its handshake flight (ServerHello,
	// certificate) before the peer gave up, so the peer saw our certificate.
	ServerFlightSent bool
	// CeilingRule names the fault rule whose max_version set MaxVersion
	// on this (client) leg, "" when the listener's own ceiling holds: a
	// client that needs a newer version needs that knob raised.
	CeilingRule string
	// CeilingCipherRule names the fault rule whose ciphers, all TLS 1.2
	// suites or older, capped this leg at TLS 1.2 as a side effect
	// (crypto/tls cannot restrict TLS 1.3 suites), "" when none did;
	// CeilingCiphers are its ciphers as the rule names them. A client
	// that needs TLS 1.3 needs that rule changed, not a max_version.
	CeilingCipherRule string
	CeilingCiphers    []string
	// HelloRetryOnly: all tlsgate wrote was a TLS 1.3 HelloRetryRequest
	// (the hello's key shares fit no group it accepts), and the peer gave
	// up without a second ClientHello. No certificate went out, so
	// ServerFlightSent is false.
	HelloRetryOnly bool
	// FINBeforeFlight: the peer's FIN had reached tlsgate before it wrote
	// that flight. The peer closed without waiting for an answer, so it
	// cannot have refused the certificate, although tlsgate learnt of the
	// FIN only after writing.
	FINBeforeFlight bool
	// HelloRead: crypto/tls read the peer's whole ClientHello on this
	// (client) leg, recorded for a hello tlsgate's parser did not read
	// (beyond its cap), so ServerName "" there means the client sent none.
	HelloRead bool
	// Mutual: a client certificate was presented and accepted on this leg.
	Mutual bool
	// CertRequested: on a server leg, the backend sent a CertificateRequest
	// (it wants mTLS). Without Mutual, tlsgate answered it with no
	// certificate, which is why such a backend refuses the leg: the alert
	// alone (40 under TLS 1.2) does not say so.
	CertRequested bool
	// VerifyName is the name the peer's certificate was checked against
	// on a server leg: server_name, else the client's SNI, else the
	// backend's host. It differs from ServerName when it is an IP
	// address, which TLS never sends as SNI. "" when not recorded.
	VerifyName string
	// ALPNOffered is the protocol list tlsgate offered on a server leg
	// (inspect mode forwards the client's); nil when it offered none.
	ALPNOffered []string
}

// PeerEnd says how the client behaved while tlsgate waited for it to speak.
type PeerEnd uint8

// Ways the peek phase can end.
const (
	PeerSpoke   PeerEnd = iota // bytes arrived and were classified
	PeerSilent                 // nothing arrived before the peek deadline
	PeerClosed                 // FIN before (enough) bytes
	PeerReset                  // RST before (enough) bytes
	PeerPartial                // some bytes, then the deadline, before a decision
)

// Connect holds what a listener with connect = "tunnel" (an explicit
// proxy) read of an HTTP CONNECT, and how it answered. Zero on every other
// connection, but for Tunnel.
type Connect struct {
	// Tunnel says the listener reads CONNECTs (connect = "tunnel"), set
	// at accept on each of its connections, whether or not the client
	// sent one: TLS straight to such a port is a client that took the
	// proxy for the server, or spoke TLS to the proxy itself.
	Tunnel bool
	// Authority is the CONNECT's target as sent (host:port). tlsgate
	// never dials it: the tunnel goes to the listener's backend.
	Authority string
	// Status is what tlsgate answered the CONNECT with: 200 when the
	// tunnel opened, 400 for a head it could not read (Err says why), a
	// connect_policy rule's status; 0 when it sent none (the client left
	// before its head ended).
	Status int
	// Err is why the CONNECT's head was refused, "" otherwise.
	Err string
	// HeadLen is the bytes of the CONNECT's head (request line, headers
	// and the blank line), which were the proxy's, not the tunnel's.
	HeadLen int
	// ProxyAuth is the scheme of the Proxy-Authorization header the
	// CONNECT carried ("Basic", "Negotiate", …), "" when it carried none:
	// a connect_policy 407 answers either way, and the operator must see
	// which the client did.
	ProxyAuth string
}

// Proxy holds facts about an inbound PROXY protocol header.
type Proxy struct {
	Policy  string         // "", "v1", "v2", "optional" as configured
	Version int            // 0 when no header was present, else 1 or 2
	Src     netip.AddrPort // source the header claimed
	Dst     netip.AddrPort
	Err     string // parse error or policy violation text
	// Local says the header names no client: a v2 header's command was
	// LOCAL, or a v1 header's protocol was UNKNOWN. Either is the sender's
	// own connection, such as a load balancer's health check, with no
	// client behind it and no addresses to use.
	Local bool
	// Second is the version of a second header right after the first (a
	// refusal), 0 when none came; SecondSrc and SecondDst are the
	// addresses it claimed, when it parsed.
	Second    int
	SecondSrc netip.AddrPort
	SecondDst netip.AddrPort
}

// Backend holds facts about the leg from tlsgate to the backend.
type Backend struct {
	Addr      string // configured address ("host:port")
	Attempted bool
	DialErr   string // refused, timeout, … as the OS reported it
	Refused   bool
	TimedOut  bool
	TLS       Leg // server-ssl leg; Attempted=false when plaintext
	Local     netip.AddrPort
	Remote    netip.AddrPort
	// HelloAlert is the alert record a backend behind a passthrough
	// relay sent as the very first bytes of its answer, in the clear,
	// where a ServerHello belongs: it refused the client's ClientHello,
	// and tlsgate relayed the refusal untouched. Zero when its answer
	// began any other way.
	HelloAlert RecordAlert
	// AnswerHead holds the first AnswerLen bytes (at most 8) a backend
	// behind a passthrough relay sent, as the relay's reads returned
	// them: a TLS record header where the ServerHello belongs, or another
	// protocol's reply or banner. AnswerLen 0: it sent nothing.
	AnswerHead [8]byte
	AnswerLen  int
	// ClientEnd is how the client's passed-through handshake with the
	// backend ended, read from the first bytes it sent after its hello
	// (an alert in the clear, a lone encrypted alert, or nothing); zero
	// when those bytes show no early end or the route was not passthrough.
	ClientEnd sniff.ClientEnd
	// FlightSent: the backend's answer went past a bare ServerHello (its
	// certificate was on the way), read from its first bytes and count.
	FlightSent bool
	// FINBeforeFlight: with FlightSent, the relay had read the client's
	// FIN before it relayed the first byte of that answer. The client
	// closed without waiting for it, so it cannot have refused the
	// certificate (Leg.FINBeforeFlight on a terminate listener).
	FINBeforeFlight bool
	// EndedBeforeHello says a server-ssl backend ended a connection it had
	// accepted before tlsgate's ClientHello left (the connect race: it
	// accepted, wrote and reset before tlsgate saw the connect finish):
	// EndedReset, or EndedFINReset for a FIN before the reset; "" when
	// not. BeforeHelloBytes counts what it sent first.
	EndedBeforeHello string
	BeforeHelloBytes int
	// Exchange is what a relay that passed TLS through read, from record
	// headers alone, of the exchange after the handshake (the listener's
	// answerWatch).
	Exchange Exchange
}

// Exchange is what a passthrough relay read of the request and answer
// inside a TLS session it cannot decrypt, from the records' headers: the
// types and sizes of the records each side sent after the handshake.
type Exchange struct {
	// Followed: the relay read the backend's ServerHello and every record
	// header both ways after it; the other fields mean nothing without it.
	Followed bool
	// Asked: the client sent an application data record past the
	// handshake (its request).
	Asked bool
	// Answered: after it, the backend sent a record that can carry an
	// answer (not an alert, not a sealed alert's size under TLS 1.3).
	Answered bool
	// Requests counts the client's request records, RequestBytes their
	// bytes with headers, and Closes the backend's records after the
	// first one that cannot hold an answer (its alerts, close_notify).
	Requests, RequestBytes, Closes int
	// ClientClosed: after its request the client sent an alert record
	// (its close_notify, or a fatal alert) before the relay read the
	// backend's FIN: the client ended the session first, even when the
	// backend's FIN, sent in answer to that alert, reached the relay
	// before the client's own FIN did.
	ClientClosed bool
}

// H2Exchange is what a relay read of an HTTP/2 connection from its frames'
// headers alone (type, flags, stream; no HPACK): which streams the client
// opened and whether the backend answered any of them.
type H2Exchange struct {
	// Followed: the relay read every byte both ways as HTTP/2 frames, the
	// backend's beginning with its SETTINGS; the other fields mean nothing
	// without it, except Answered, which is final once seen.
	Followed bool
	// Streams counts the streams the client opened (a HEADERS frame on a
	// new odd stream id).
	Streams int
	// Answered: the backend sent a HEADERS frame on an odd stream, one the
	// client opened: a response (or an interim one) began.
	Answered bool
	// BackendFrames counts the backend's frames by type, indexed by the
	// type (sniff.H2Data … sniff.H2Continuation), types beyond at
	// H2Extension: a GOAWAY or a RST_STREAM is a refusal, SETTINGS, PING
	// and WINDOW_UPDATE say nothing of a request.
	BackendFrames [H2Extension + 1]int
}

// H2Extension indexes H2Exchange.BackendFrames for frame types beyond
// CONTINUATION (extensions such as ALTSVC).
const H2Extension = int(sniff.H2Continuation) + 1

// Ways a backend can end a connection before tlsgate's ClientHello left,
// the values of Backend.EndedBeforeHello.
const (
	EndedReset    = "reset"
	EndedFINReset = "fin_reset"
)

// RecordAlert is an alert record as it crossed the wire unencrypted.
type RecordAlert struct {
	Version uint16 // the record's legacy version (0x0301 …; BIG-IP writes 0x0000)
	Level   uint8  // 1 warning, 2 fatal; 0 when there was no alert
	Desc    uint8  // AlertDescription, 70 protocol_version …
}

// HTTPExchange is one request and its response seen in a decrypted stream.
type HTTPExchange struct {
	Method, Target, Host, Proto string
	Status                      int   // the backend's, as the relay read it
	ReqBytes, RespBytes         int64 // body bytes
	Upgraded                    bool
	// Undelivered says the response head never reached the client: the
	// backend answered Status, but a fault cut the client's side first (a
	// reset or an alert at the response, a stall), so the client saw
	// that, not the status.
	Undelivered bool
}

// FaultFiring is one injected fault that fired for a connection: which
// rule, what it did and where, the seeded draw that let it fire, and the
// symptom class the client should show.
type FaultFiring struct {
	Rule, Action, Stage, Direction string
	Draw                           float64
	// Probability is the rule's, 0 when it sets none: then the draw
	// decided nothing, and the texts leave it out.
	Probability float64
	Symptom     string
	// Chain is the bad chain a chain rule served ("self_signed" …, "" for
	// a good one) and Skew its validity shift: a skew imitates the
	// client's clock, not the server's certificate.
	Chain string
	Skew  time.Duration
	// Then is what followed a truncation, a hold or an alert: "fin" and
	// "rst" are tlsgate's own close, "hold" leaves the client waiting.
	Then string
	// AcceptCAs are the CAs a client_auth rule accepts ("lab", "none" or
	// PEM files; empty is the lab CA) and RejectWith its refusal alert, 0
	// for crypto/tls's own: a refused client certificate is about them.
	AcceptCAs  []string
	RejectWith int
	// IntolerantAbove is a version_intolerance rule's intolerant_above
	// ("1.2"), "" for other rules: the highest version a client may
	// offer and pass.
	IntolerantAbove string
	// PermittedDNS is a name_constraints chain's permitted DNS subtrees,
	// nil for other rules: the client's name lies outside them.
	PermittedDNS []string
	// DateEdit is what an http_date rule did to the response's Date:
	// "shifted" the origin's, "replaced" one that did not parse, or
	// "added" one where the origin sent none; OriginDate is the origin's
	// value as sent ("" when none). Both "" for other rules.
	DateEdit, OriginDate string
	// Acted is the stage whose traffic the rule changed when it ended,
	// cut or stalled the connection, as the listener saw it: its own
	// stage, or for a wrapper armed before the handshake that bit the
	// data after it, "request" or "response". "" for a firing that did
	// not end the connection.
	Acted string
}

// Outcome is every fact about one connection, filled by the listener and
// handed once to Diagnose. It holds no interpretation.
type Outcome struct {
	ID uint64
	// SessionSalt is the process's own value (Deps.SessionSalt), drawn
	// once at start from the injected randomness and the same for every
	// connection of the process: the session lines' SIDs mix it in, so
	// connection 1 of one run and of the next do not share a SID.
	SessionSalt uint64
	Listener    string
	Mode        string // passthrough | terminate | plaintext | auto | inspect
	NonSSL      string // non_ssl action configured: reset | http400 | redirect | allow
	Route       string // what the listener did: passthrough, terminate, plain, non_ssl_reset, non_ssl_http400, non_ssl_redirect, non_ssl_allow, tls_on_plain_reset, refused, …
	// Terminated says the listener took this connection's TLS to terminate
	// it (route's choice: terminate or inspect), set before any fault can
	// act in its place. On an auto listener it is the one sign that its
	// client-ssl side ran for the connection: one that closed before its
	// bytes were TLS, or relayed them as plaintext or passed them through,
	// had none (clientSSL). An inspect bypass decided afterwards relays
	// the TLS untouched all the same (PassesTLS).
	Terminated bool
	// AcceptErr is why the listener reset a connection it had accepted
	// without serving it (Route "accept_failed"): its socket could not
	// become a connection (out of descriptors) or an event loop could not
	// keep it. "" otherwise.
	AcceptErr string

	Client  netip.AddrPort // client address (after PROXY header, when trusted)
	Virtual netip.AddrPort // address the client connected to (the "virtual server")
	Peer    netip.AddrPort // TCP peer before any PROXY header
	// ListenerAddr is the listener's own address, the one the TCP peer
	// connected to. Virtual starts equal to it and becomes the PROXY
	// header's destination (the load balancer's VIP) when one is trusted:
	// advice about the listener names this one, advice about the URL a
	// client uses names Virtual. Unset: the same as Virtual.
	ListenerAddr netip.AddrPort

	Start    time.Time
	Duration time.Duration

	PeekEnd     PeerEnd
	PeekTimeout time.Duration
	FirstBytes  []byte // up to 64 bytes as first seen
	// FirstLen counts every byte the peek read, of which FirstBytes
	// keeps the first 64; 0 when unrecorded, then len(FirstBytes).
	FirstLen int
	Kind     sniff.Kind
	Hello    *sniff.ClientHello
	SSLv2    *sniff.SSLv2ClientHello
	HelloErr string // ClientHello parse error, if the bytes looked like TLS but did not parse
	// HelloTooLarge: HelloErr is sniff.ErrTooLarge, a hello beyond the
	// parse cap. It is relayed unread, not refused, so it is no failure.
	HelloTooLarge bool
	// HelloTimeout is the listener's handshake timeout when it, shorter
	// than the peek timeout, bounded the wait for the rest of a ClientHello.
	HelloTimeout time.Duration
	// HandshakeTimeout is the listener's handshake_timeout on a
	// connection whose TLS it terminated (0 otherwise): the deadline of
	// tlsgate's own handshake, counted from the accept.
	HandshakeTimeout time.Duration
	HTTP             *sniff.HTTPRequest
	JA3              string // JA3 hash (MD5 hex)
	JA4              string

	Proxy       Proxy
	SNIRequired bool
	// Connect is the explicit proxy's CONNECT, when the listener read one
	// (connect = "tunnel"); the first bytes and the hello are then the
	// tunnel's, what the client sent after tlsgate's 200.
	Connect Connect

	ClientTLS Leg // client-ssl leg when tlsgate terminates
	Backend   Backend

	// Transparent interception (inspect mode and transparent listeners).
	Transparent string         // "", "redirect", "tproxy"
	OrigDst     netip.AddrPort // the destination the client really dialled
	OrigDstErr  string         // why the original destination is unknown
	// ListenerBind is the transparent listener's socket address as bound
	// (0.0.0.0:8443, 127.0.0.1:8443): the doctor's rules differ for a
	// wildcard and for one address, so its hint passes this with --listen.
	ListenerBind string
	// PeerSkew is set when the client is this tlsgate's own upstream leg
	// of another listener, whose clock a proxy_skew rule shifts: a
	// certificate alert from it is that shifted clock's verdict on the
	// dates, not a fault of the certificate served here.
	PeerSkew PeerSkew
	Bypass   string // why the connection was spliced, not decrypted
	Mimicked bool   // the minted leaf copies the real server's names
	// LeafName is the name on the leaf tlsgate minted for the client (for
	// the SNI, or without one the address dialled); a configured
	// certificate's name is ClientTLS.OurCertName.
	LeafName    string
	FailStreak  int            // failures in a row for this SNI and JA4, this one included
	HTTP1       []HTTPExchange // requests seen inside a decrypted HTTP/1.x stream
	HTTPDropped int            // exchanges beyond the kept ones
	// H2 is what a relay of HTTP/2 (the preface in plaintext, or ALPN h2
	// after decryption) read from the frames' headers (the listener's
	// h2Watch); zero on every other relay.
	H2         H2Exchange
	Capture    string // pcap file of this connection, when capturing
	CaptureErr string // why the capture could not be written

	IdleTimeout time.Duration // the listener's idle_timeout
	End         End           // how the connection ended, when not by FINs both ways
	// FirstFIN is the side ("client" or "backend") whose FIN the relay
	// read while the other side was still open, "" when none (no relay,
	// or a reset or timeout came first); FirstFINAfter is when, from
	// Start. What the other side did next (an alert, its own close) was
	// its answer to that FIN, not what ended the connection.
	FirstFIN      string
	FirstFINAfter time.Duration

	BytesUp   int64 // client → backend, bytes delivered
	BytesDown int64 // backend → client, bytes delivered
	// BytesUpUndelivered counts the client's bytes tlsgate read (its first
	// bytes included) that never reached the backend, which BytesUp leaves
	// out: in the connect race (a backend that accepted, wrote and reset
	// before the connect was seen) they waited for a connection that had
	// already ended.
	BytesUpUndelivered int64
	Faults             []string      // names of fault rules that fired
	FaultFirings       []FaultFiring // the same firings with their details
	// HostChecked is the rule of an sni_policy with host_mismatch that
	// compared the first request's Host with the SNI and let it through
	// (it did not fire), HostCheckedName the name that request asked for;
	// "" when no such check passed. Later requests are never compared.
	HostChecked, HostCheckedName string
	// FaultApplied names the stop a fault carried out when it ended the
	// connection ("reset", "alert", …); "" when no fault ended it.
	FaultApplied string

	// CAFile is the lab CA's certificate file of the process that served
	// the connection, which a client passes to trust tlsgate's minted
	// leaves (curl --cacert, openssl -CAfile); "" when unknown, and the
	// checks then name the file `tlsgate ca export` writes. The checks'
	// commands carry it so that they run as printed.
	CAFile string
	// FaultAdmin is the admin API `tlsgate fault --admin` must name to
	// reach the rules of the process that served the connection; "" when
	// the command's default reaches it. A lab on another port than the
	// default would otherwise be told to switch rules of another instance.
	FaultAdmin string
}

// Sides of a relay, the values of Outcome.FirstFIN.
const (
	SideClient  = "client"
	SideBackend = "backend"
)

// End is how a connection ended when neither a clean close both ways nor
// an earlier failure says it all. Its values are the logs' relay_end.
type End string

// Ends of a connection, beyond the ordinary.
const (
	EndShutdown     End = "shutdown"      // tlsgate closed it: its shutdown grace ran out first
	EndIdleTimeout  End = "idle_timeout"  // tlsgate reset both sides after IdleTimeout without a byte
	EndClientReset  End = "client_reset"  // the client reset the established relay
	EndBackendReset End = "backend_reset" // the backend reset the established relay
)

// PeerSkew names the proxy_skew rule that shifted the clock of the
// upstream leg this connection came from, on the listener that dialled it.
type PeerSkew struct {
	Listener string
	Rule     string
	Skew     time.Duration // positive: ahead
}
