package probe

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The checklist, in the order an operator walks it.
const (
	StepConnect    = 1  // TCP connect
	StepBanner     = 2  // does the server speak first?
	StepHello      = 3  // what answers a ClientHello?
	StepVersions   = 4  // which protocol versions, each alone
	StepCiphers    = 5  // which TLS 1.2 cipher families, each alone
	StepSNI        = 6  // certificate with, without and with a bogus SNI
	StepChain      = 7  // chain verification
	StepLargeHello = 8  // large post-quantum ClientHello vs a small one
	StepFlight     = 9  // does the server's flight stall (MTU hint)?
	StepHTTP       = 10 // what does the HTTP layer answer after the handshake?
)

// AllSteps lists every step number.
func AllSteps() []int { return []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} }

// stepName is a step's stable JSON key; its title for people is the text
// "title."+stepName.
func stepName(n int) string {
	switch n {
	case StepConnect:
		return "tcp_connect"
	case StepBanner:
		return "server_speaks_first"
	case StepHello:
		return "client_hello_answer"
	case StepVersions:
		return "versions"
	case StepCiphers:
		return "cipher_families"
	case StepSNI:
		return "sni"
	case StepChain:
		return "chain"
	case StepLargeHello:
		return "large_client_hello"
	case StepFlight:
		return "server_flight"
	case StepHTTP:
		return "http_answer"
	}
	return "unknown"
}

// Dialer opens a connection the way net.Dialer.DialContext does.
type Dialer func(ctx context.Context, network, addr string) (net.Conn, error)

// Options tunes a probe. The zero value probes every step with system roots,
// a 3 s timeout per attempt and the real network and clock.
type Options struct {
	// SNI is the name sent as server_name and verified against the
	// certificate. Empty means the target's host when it is a name, and no
	// SNI when it is an IP literal (what curl does).
	SNI string
	// Roots verifies the chain in step 7; nil means the system roots.
	Roots *x509.CertPool
	// RootsLabel says where Roots came from ("/etc/ssl/lab-ca.pem"), for the
	// evidence. Empty reads "system roots" or "given roots".
	RootsLabel string
	// Timeout bounds each dial, each wait for an answer that may never
	// come (a hand-built hello's, a banner, what follows a handshake), and
	// within a handshake each wait for the server's next bytes: how soon
	// a stall is told. 0 → 3 s.
	Timeout time.Duration
	// HandshakeTimeout bounds a whole crypto/tls handshake, which a busy
	// machine may stretch well past Timeout without anything stalling.
	// 0 → 10 s.
	HandshakeTimeout time.Duration
	// BannerWait is how long step 2 waits for the server to speak first.
	// 0 → 500 ms.
	BannerWait time.Duration
	// Steps selects the steps to run; nil runs all of them.
	Steps []int
	// Dial opens every connection; nil uses a net.Dialer. Tests inject one
	// to count or refuse connections.
	Dial Dialer
	// Now is the clock for timings and certificate validity; nil → time.Now.
	// Socket deadlines always use real time, since the kernel does.
	Now func() time.Time
	// Rand feeds the randoms of hand-built and crypto/tls ClientHellos;
	// nil → crypto/rand.
	Rand io.Reader
	// Lang is the language of titles, findings, causes, checks and the
	// verdict: LangEN (the default) or LangJA. Codes, evidence, attempt
	// details, alert names and commands stay as they are in every language.
	Lang string
}

// DefaultHandshakeTimeout is HandshakeTimeout's default: ample for a
// handshake on a loaded machine, and spent only when the server keeps
// sending without finishing.
const DefaultHandshakeTimeout = 10 * time.Second

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 3 * time.Second
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if o.BannerWait <= 0 {
		o.BannerWait = 500 * time.Millisecond
	}
	if o.Dial == nil {
		var d net.Dialer
		o.Dial = d.DialContext
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if len(o.Steps) == 0 {
		o.Steps = AllSteps()
	}
	if o.Lang != LangJA {
		o.Lang = LangEN
	}
	return o
}

// ParseSteps reads a step list such as "1,3,4" or "1-3,7" into sorted,
// distinct step numbers.
func ParseSteps(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("probe: step list %q has an empty item", s)
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := stepNumber(lo)
		if err != nil {
			return nil, fmt.Errorf("probe: step list %q: %w", s, err)
		}
		b := a
		if isRange {
			if b, err = stepNumber(hi); err != nil {
				return nil, fmt.Errorf("probe: step list %q: %w", s, err)
			}
			if b < a {
				return nil, fmt.Errorf("probe: step list %q: range %q runs backwards", s, part)
			}
		}
		for n := a; n <= b; n++ {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// stepNumber parses one step number, 1 to 10.
func stepNumber(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > len(AllSteps()) {
		return 0, fmt.Errorf("step %q is not a number from 1 to %d", s, len(AllSteps()))
	}
	return n, nil
}

// SplitTarget checks a HOST:PORT target and returns its parts. IPv6
// literals need brackets: "[::1]:443".
func SplitTarget(target string) (host, port string, err error) {
	host, port, err = net.SplitHostPort(target)
	if err != nil {
		return "", "", fmt.Errorf("probe: target %q is not HOST:PORT: %w", target, err)
	}
	if host == "" {
		return "", "", fmt.Errorf("probe: target %q has no host", target)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return "", "", fmt.Errorf("probe: target %q: port %q is not a number from 1 to 65535", target, port)
	}
	return host, port, nil
}
