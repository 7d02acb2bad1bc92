package listener

import (
	"fmt"
	"time"
)

// Mode says what a listener expects from its clients.
type Mode string

// Listener modes, as written in config.
const (
	Passthrough Mode = "passthrough" // TLS expected, relayed without decryption
	Terminate   Mode = "terminate"   // TLS expected, terminated (client-ssl), relayed plain or re-encrypted
	Plaintext   Mode = "plaintext"   // plaintext expected; TLS is explained and reset
	Auto        Mode = "auto"        // TLS to Backend, plaintext to PlainBackend
	// Inspect decrypts both legs like an SSL-inspecting middlebox: a leaf
	// minted for the client, verified TLS to the real server.
	Inspect Mode = "inspect"
)

// Transparent interception modes: how the real destination is learned.
const (
	TransparentRedirect = "redirect" // iptables/nft REDIRECT or DNAT: SO_ORIGINAL_DST
	TransparentTProxy   = "tproxy"   // TPROXY: the accepted socket's local address
)

// Client certificate modes on the client leg (BIG-IP peer-cert-mode).
const (
	ClientCertIgnore  = "ignore"
	ClientCertRequest = "request"
	ClientCertRequire = "require"
)

// NonSSL is what a TLS listener does with plaintext, like BIG-IP's allow-non-ssl.
type NonSSL string

// non_ssl actions.
const (
	NonSSLReset    NonSSL = "reset"    // default: close with RST, as BIG-IP does
	NonSSLHTTP400  NonSSL = "http400"  // readable 400 explaining the mistake
	NonSSLRedirect NonSSL = "redirect" // 301 to https:// on the same host and port
	NonSSLAllow    NonSSL = "allow"    // relay to PlainBackend
)

// ConnectTunnel is the connect option that makes a plaintext listener an
// explicit proxy for CONNECT: it answers 200 and relays the tunnel to its
// own backend, never to the authority the CONNECT names.
const ConnectTunnel = "tunnel"

// Defaults applied by config when a key is absent.
const (
	DefaultPeekTimeout      = 5 * time.Second
	DefaultPeekMax          = 16 << 10
	DefaultHandshakeTimeout = 10 * time.Second  // BIG-IP client-ssl handshake-timeout
	DefaultIdleTimeout      = 300 * time.Second // BIG-IP tcp profile idle-timeout
	DefaultDialTimeout      = 5 * time.Second
	// DefaultBusyPoll: see Options.BusyPoll.
	DefaultBusyPoll = 100 * time.Microsecond
	// MaxBusyPoll bounds busy_poll: a loop that polls longer than this
	// between events spends a CPU on waiting (and fastpath caps one poll's
	// rounds at a few milliseconds anyway).
	MaxBusyPoll = time.Millisecond
)

// Engine names a connection-serving engine (see Options.Engine).
type Engine string

// The engines.
const (
	EngineAuto       Engine = "auto"
	EngineEpoll      Engine = "epoll"
	EngineGoroutines Engine = "goroutines"
	// EngineUring serves what the epoll engine would with io_uring loops
	// instead (fastpath/URING.md): opt-in, and Serve fails, naming the
	// errno, where the kernel refuses io_uring.
	EngineUring Engine = "uring"
)

// Options configure one listener. config builds them; tests build them directly.
type Options struct {
	Name             string
	Listen           string // host:port
	Backend          string // host:port for TLS (or everything in passthrough/terminate/plaintext)
	PlainBackend     string // host:port for plaintext in auto mode or with non_ssl = allow
	Mode             Mode
	NonSSL           NonSSL
	PeekTimeout      time.Duration
	PeekMax          int
	HandshakeTimeout time.Duration
	IdleTimeout      time.Duration
	DialTimeout      time.Duration
	// BusyPoll is how long an epoll loop polls for its next event before
	// it parks, while the listener serves at most one connection; 0 never
	// polls. It lowers the latency of a lone connection at some CPU.
	BusyPoll             time.Duration
	ProxyProtocol        string // "", "v1", "v2", "optional": header expected from the client side
	BackendProxyProtocol string // "", "v1", "v2": header sent to the backend
	MaxConnections       int    // 0 = unlimited
	// Connect is "" (off) or ConnectTunnel, on a plaintext listener only:
	// an HTTP CONNECT is read as an explicit proxy reads it, answered
	// 200, and its tunnel relayed to Backend (see tunnel.go).
	Connect string
	// Transparent is "", "redirect" or "tproxy": the backend becomes each
	// connection's original destination.
	Transparent string
	// Bypass lists SNI globs ("*.bank.example") and CIDRs (client or
	// destination) whose connections are spliced instead of decrypted in
	// inspect mode.
	Bypass []string
	// MimicUpstream copies the real server's subject and SANs into the
	// minted leaf in inspect mode (mitmproxy's upstream-cert behaviour).
	MimicUpstream bool
	// KeyLog is a file that receives NSS key log lines for both legs.
	KeyLog string
	// Capture is a directory that receives one pcap file per connection,
	// both legs, for Wireshark (with KeyLog, it decrypts).
	Capture string
	// Engine picks how relayed connections are served: "auto" (the
	// default; epoll event loops when the listener only ever relays to IP
	// backends, goroutines otherwise), "epoll" (required: Serve fails where
	// it cannot run), "uring" (the epoll engine's work on io_uring loops;
	// required likewise) or "goroutines".
	Engine    Engine
	ClientSSL *ClientSSL
	ServerSSL *ServerSSL
}

// Terminates says whether the listener decrypts TLS from clients: always in
// terminate and inspect mode, and in auto mode when a client_ssl profile is
// attached (without one, auto passes TLS through untouched, like sslh).
// Config and the admin API use it to refuse fault rules that act only on a
// handshake tlsgate runs, aimed at a listener that runs none.
func (o *Options) Terminates() bool {
	return o.Mode == Terminate || o.Mode == Inspect || (o.Mode == Auto && o.ClientSSL != nil)
}

// TerminatingModes says, in config words, what a listener needs for
// Terminates to hold: the fix named when a rule would never fire.
const TerminatingModes = `mode = "terminate", "inspect", or "auto" with [listener.client_ssl]`

// ModeWords names a listener's mode as a config file writes it, saying when
// an auto listener passes TLS through for want of a client_ssl table. It
// takes the mode and Terminates' answer rather than Options so that the
// admin API, which sees only what a listener reports, words it the same way.
func ModeWords(mode Mode, terminates bool) string {
	if mode == Auto && !terminates {
		return `mode = "auto" without [listener.client_ssl]`
	}
	return fmt.Sprintf("mode = %q", mode)
}

// VerifiesUpstream says whether the listener runs TLS of its own to the
// backend for the connections it decrypts and verifies the server's
// certificate there: inspect mode, and a terminating listener with a
// server_ssl profile, unless either turns verification off. Only there does
// tlsgate's own clock decide anything (a proxy_skew fault).
func (o *Options) VerifiesUpstream() bool {
	if !o.Terminates() || o.Mode != Inspect && o.ServerSSL == nil {
		return false
	}
	return o.ServerSSL == nil || o.ServerSSL.Verify
}

// ClientSSL mirrors a BIG-IP client-ssl profile.
type ClientSSL struct {
	MinVersion uint16   // tls.VersionTLS10 …; 0 = crypto/tls default
	MaxVersion uint16   // 0 = crypto/tls default
	Ciphers    []uint16 // IANA suites; nil = crypto/tls defaults
	CertFile   string   // empty: mint per SNI from the lab CA
	KeyFile    string
	SNIRequire bool
	ClientCert string // ignore (default) | request | require
	ClientCA   string // PEM bundle that client certificates must chain to
}

// ServerSSL mirrors a BIG-IP server-ssl profile: TLS from tlsgate to the backend.
type ServerSSL struct {
	CAFile     string // PEM bundle; empty = system pool
	ServerName string // SNI and verification name; empty = the client's SNI, else backend host
	Verify     bool
	Cert       string // client certificate presented to the backend (mTLS)
	Key        string
}
