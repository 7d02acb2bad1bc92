package listener

import "time"

// Mode says what a listener expects from its clients.
type Mode string

// Listener modes, as written in config.
const (
	Passthrough Mode = "passthrough" // TLS expected, relayed without decryption
	Terminate   Mode = "terminate"   // TLS expected, terminated (client-ssl), relayed plain or re-encrypted
	Plaintext   Mode = "plaintext"   // plaintext expected; TLS is explained and reset
	Auto        Mode = "auto"        // TLS to Backend, plaintext to PlainBackend
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

// Defaults applied by config when a key is absent.
const (
	DefaultPeekTimeout      = 5 * time.Second
	DefaultPeekMax          = 16 << 10
	DefaultHandshakeTimeout = 10 * time.Second  // BIG-IP client-ssl handshake-timeout
	DefaultIdleTimeout      = 300 * time.Second // BIG-IP tcp profile idle-timeout
	DefaultDialTimeout      = 5 * time.Second
)

// Options configure one listener. config builds them; tests build them directly.
type Options struct {
	Name                 string
	Listen               string // host:port
	Backend              string // host:port for TLS (or everything in passthrough/terminate/plaintext)
	PlainBackend         string // host:port for plaintext in auto mode or with non_ssl = allow
	Mode                 Mode
	NonSSL               NonSSL
	PeekTimeout          time.Duration
	PeekMax              int
	HandshakeTimeout     time.Duration
	IdleTimeout          time.Duration
	DialTimeout          time.Duration
	ProxyProtocol        string // "", "v1", "v2", "optional": header expected from the client side
	BackendProxyProtocol string // "", "v1", "v2": header sent to the backend
	MaxConnections       int    // 0 = unlimited
	ClientSSL            *ClientSSL
	ServerSSL            *ServerSSL
}

// ClientSSL mirrors a BIG-IP client-ssl profile.
type ClientSSL struct {
	MinVersion uint16   // tls.VersionTLS10 …; 0 = crypto/tls default
	MaxVersion uint16   // 0 = crypto/tls default
	Ciphers    []uint16 // IANA suites; nil = crypto/tls defaults
	CertFile   string   // empty: mint per SNI from the lab CA
	KeyFile    string
	SNIRequire bool
}

// ServerSSL mirrors a BIG-IP server-ssl profile: TLS from tlsgate to the backend.
type ServerSSL struct {
	CAFile     string // PEM bundle; empty = system pool
	ServerName string // SNI and verification name; empty = the client's SNI, else backend host
	Verify     bool
}
