// Package upstream owns tlsgate's leg to the backend: dialing it (with a
// timeout, an optional PROXY protocol header and optional TLS) and pumping
// bytes both ways until both directions end.
package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"syscall"
	"time"

	proxyproto "github.com/pires/go-proxyproto"
)

// Dialer connects to a backend the way a BIG-IP pool member is reached: TCP
// with a connect timeout, optionally a PROXY header, optionally server-ssl.
type Dialer struct {
	// Dial opens the TCP connection; nil uses KeepingDial over a
	// net.Dialer. Tests and labs inject it to simulate slow or
	// unreachable backends.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout bounds the TCP connect and the PROXY header write; 0 = only ctx.
	Timeout time.Duration
	// ProxyHeader is "", "v1" or "v2": the PROXY protocol header sent first.
	ProxyHeader string
	// TLS, when set, makes the leg a TLS client (server-ssl). An empty
	// ServerName defaults to the host part of the backend address.
	TLS *tls.Config
	// HandshakeTimeout bounds the TLS handshake; 0 = only ctx.
	HandshakeTimeout time.Duration
}

// DialError reports a failure to establish the TCP leg (or to send the
// PROXY header on it).
type DialError struct {
	Addr     string
	Refused  bool // the backend answered the SYN with RST (ECONNREFUSED)
	TimedOut bool // the connect (or header write) hit a deadline
	Err      error
}

func (e *DialError) Error() string {
	return fmt.Sprintf("upstream: dial %s: %v", e.Addr, e.Err)
}

// Unwrap returns the underlying error.
func (e *DialError) Unwrap() error { return e.Err }

// TLSError reports a failed server-ssl handshake with the evidence the
// explain package needs: which side complained and about what.
type TLSError struct {
	Addr          string
	Local, Remote net.Addr
	Err           error
	Verify        bool                 // our verification of the backend's chain or name failed
	Alert         int                  // alert received from the backend, -1 if none
	State         *tls.ConnectionState // what was negotiated before the failure; PeerCertificates filled even when verification failed
}

func (e *TLSError) Error() string {
	return fmt.Sprintf("upstream: tls handshake with %s (%s → %s): %v", e.Addr, e.Local, e.Remote, e.Err)
}

// Unwrap returns the underlying error.
func (e *TLSError) Unwrap() error { return e.Err }

// DialBackend connects to addr. client and virtual are the addresses the
// PROXY header claims (source and destination); they are ignored without
// ProxyHeader. With TLS set the returned conn is the *tls.Conn after a
// completed handshake. Errors are *DialError or *TLSError, or a
// *ResetAfterConnect without TLS.
func (d *Dialer) DialBackend(ctx context.Context, addr string, client, virtual net.Addr) (net.Conn, error) {
	var version byte
	switch d.ProxyHeader {
	case "":
	case "v1":
		version = 1
	case "v2":
		version = 2
	default:
		return nil, fmt.Errorf("upstream: unknown PROXY header version %q (want \"\", \"v1\" or \"v2\")", d.ProxyHeader)
	}

	dctx := ctx
	if d.Timeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, d.Timeout)
		defer cancel()
	}
	dial := d.Dial
	if dial == nil {
		dial = DefaultDial()
	}
	conn, err := dial(dctx, "tcp", addr)
	if rac := (*ResetAfterConnect)(nil); errors.As(err, &rac) {
		if d.TLS != nil {
			return nil, rac.tlsError()
		}
		return nil, rac // the connect succeeded: not a DialError
	}
	if err != nil {
		return nil, &DialError{Addr: addr, Refused: errors.Is(err, syscall.ECONNREFUSED), TimedOut: isTimeout(err), Err: err}
	}
	if version != 0 {
		if err := writeProxyHeader(dctx, conn, version, client, virtual); err != nil {
			conn.Close()
			return nil, &DialError{Addr: addr, TimedOut: isTimeout(err), Err: err}
		}
	}
	if d.TLS == nil {
		return conn, nil
	}
	return d.handshake(ctx, conn, addr)
}

// writeProxyHeader sends the header before any payload, as the PROXY
// protocol requires, and under the dial deadline so a backend that never
// drains cannot stall us.
func writeProxyHeader(ctx context.Context, conn net.Conn, version byte, client, virtual net.Addr) error {
	hdr := proxyproto.HeaderProxyFromAddrs(version, tcpAddr(client), tcpAddr(virtual))
	raw, err := hdr.Format()
	if err != nil {
		return fmt.Errorf("upstream: format PROXY v%d header for %v → %v: %w", version, client, virtual, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetWriteDeadline(dl); err != nil {
			return fmt.Errorf("upstream: set deadline: %w", err)
		}
		defer conn.SetWriteDeadline(time.Time{})
	}
	if _, err := conn.Write(raw); err != nil {
		return fmt.Errorf("upstream: write PROXY v%d header (%d bytes): %w", version, len(raw), err)
	}
	return nil
}

// tcpAddr turns any net.Addr whose text is ip:port into a *net.TCPAddr with
// a canonical IP, because go-proxyproto picks the address family from the
// concrete type. Anything else yields nil, which makes an UNKNOWN / LOCAL
// header rather than a lie.
func tcpAddr(a net.Addr) net.Addr {
	if a == nil {
		return nil
	}
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return nil
	}
	return net.TCPAddrFromAddrPort(netip.AddrPortFrom(ap.Addr().Unmap().WithZone(""), ap.Port()))
}

func (d *Dialer) handshake(ctx context.Context, conn net.Conn, addr string) (net.Conn, error) {
	cfg := d.TLS
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			host = addr
		}
		cfg = cfg.Clone()
		cfg.ServerName = host
	}
	hctx := ctx
	if d.HandshakeTimeout > 0 {
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, d.HandshakeTimeout)
		defer cancel()
	}
	tc := tls.Client(conn, cfg)
	err := tc.HandshakeContext(hctx)
	if err == nil {
		return tc, nil
	}
	if d.HandshakeTimeout > 0 && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		// Bare, crypto/tls says only "context deadline exceeded", which
		// names neither the limit nor which one ran out.
		err = fmt.Errorf("no complete handshake from the server within the handshake timeout (%v): %w", d.HandshakeTimeout, err)
	}
	state := tc.ConnectionState()
	var verr *tls.CertificateVerificationError
	if errors.As(err, &verr) && len(state.PeerCertificates) == 0 {
		state.PeerCertificates = verr.UnverifiedCertificates
	}
	tc.Close()
	return nil, &TLSError{
		Addr:   addr,
		Local:  conn.LocalAddr(),
		Remote: conn.RemoteAddr(),
		Err:    err,
		Verify: isVerify(err),
		Alert:  RemoteAlert(err),
		State:  &state,
	}
}

// isVerify reports whether err is our rejection of the peer's certificate.
func isVerify(err error) bool {
	var (
		verr  *tls.CertificateVerificationError
		unk   x509.UnknownAuthorityError
		host  x509.HostnameError
		inval x509.CertificateInvalidError
	)
	return errors.As(err, &verr) || errors.As(err, &unk) || errors.As(err, &host) || errors.As(err, &inval)
}

// RemoteAlert returns the TLS alert description the peer sent, as found in a
// crypto/tls error ("remote error: tls: …"), or -1 when err holds none.
// crypto/tls keeps its alert type unexported; it is a uint8, which is all we
// rely on.
func RemoteAlert(err error) int {
	var op *net.OpError
	for e := err; errors.As(e, &op); e = op.Err {
		if op.Op == "remote error" && op.Err != nil {
			if v := reflect.ValueOf(op.Err); v.Kind() == reflect.Uint8 {
				return int(v.Uint())
			}
		}
		if op.Err == nil {
			break
		}
	}
	return -1
}

// isTimeout covers both ways a deadline shows up: a net.Error from the
// socket and a context deadline from the dial or handshake context.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
