package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// How an attempt ended. They match the Result field of Attempt.
const (
	resOK      = "ok"
	resAlert   = "alert"
	resReset   = "reset"
	resClosed  = "closed"
	resTimeout = "timeout"
	resNotTLS  = "not_tls"
	resError   = "error"
	resDial    = "dial"
)

// attempt is one crypto/tls handshake against the target, with the raw
// bytes that crossed the socket.
type attempt struct {
	result  string
	cs      *tls.ConnectionState // nil unless result is ok
	err     error
	alert   int // received alert, -1 when none
	tap     tapStats
	elapsed time.Duration
	// certReq is the server's CertificateRequest, nil when it sent none.
	// The probe has no client certificate and answers with an empty one.
	certReq *tls.CertificateRequestInfo
	// peer is the chain the server sent, kept even when the handshake
	// fails afterwards (a client certificate the server requires), so the
	// chain can still be judged.
	peer []*x509.Certificate
	// overall: the timeout was the handshake's whole limit
	// (HandshakeTimeout), not a stall of Timeout.
	overall bool
}

// smallCurves keeps the ClientHello small: one X25519 key share. Every
// step but 8 uses it, so that only step 8 varies the hello's size.
func smallCurves() []tls.CurveID { return []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384} }

// largeCurves puts the hybrid post-quantum share first, as Go ≥1.24 and
// Chrome ≥124 do by default: a 1,216-byte X25519MLKEM768 share plus X25519.
func largeCurves() []tls.CurveID { return []tls.CurveID{tls.X25519MLKEM768, tls.X25519} }

// everySuite lists every TLS 1.0–1.2 suite crypto/tls implements, insecure
// ones included, so a version test is not confounded by cipher defaults
// (Go's defaults leave out RSA key exchange and 3DES).
func everySuite() []uint16 {
	var ids []uint16
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		ids = append(ids, s.ID)
	}
	return ids
}

// baseConfig is the client config every attempt starts from. It never
// verifies: step 7 verifies the chain itself, so it can say why it fails.
func (p *prober) baseConfig() *tls.Config {
	return &tls.Config{
		ServerName:         p.sni,
		InsecureSkipVerify: true, //nolint:gosec // the probe verifies the chain itself in step 7
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         tls.VersionTLS13,
		CipherSuites:       everySuite(),
		CurvePreferences:   smallCurves(),
		Rand:               p.o.Rand,
		Time:               p.o.Now,
	}
}

// handshake dials the target and runs one crypto/tls handshake. The dial and
// the handshake each get the per-attempt timeout.
func (p *prober) handshake(ctx context.Context, cfg *tls.Config) attempt {
	return p.session(ctx, cfg, nil)
}

// session is handshake, and then, when the handshake succeeds, runs then on
// the open connection (with a fresh timeout) before closing it: the steps
// that ask what comes after the handshake (an alert for a missing client
// certificate, an HTTP answer) use it.
func (p *prober) session(ctx context.Context, cfg *tls.Config, then func(*tls.Conn, *attempt)) attempt {
	start := p.o.Now()
	conn, err := p.dial(ctx)
	if err != nil {
		return attempt{result: resDial, err: err, alert: -1, elapsed: p.o.Now().Sub(start)}
	}
	defer conn.Close()
	t := newTap(conn, p.o.Now)
	// The handshake may take HandshakeTimeout in all, but no wait for the
	// server's next bytes longer than Timeout: a stall is told as soon as
	// before, a slow machine no longer reads as one.
	end := time.Now().Add(p.o.HandshakeTimeout)
	_ = conn.SetDeadline(end)
	t.watchIdle(p.o.Timeout, end)
	a := attempt{alert: -1}
	cfg = cfg.Clone()
	cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		a.certReq = cri
		return &tls.Certificate{}, nil
	}
	cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		for _, der := range raw {
			if c, err := x509.ParseCertificate(der); err == nil {
				a.peer = append(a.peer, c)
			}
		}
		return nil
	}
	c := tls.Client(t, cfg)
	err = c.HandshakeContext(ctx)
	a.err, a.tap, a.elapsed = err, t.stats(), p.o.Now().Sub(start)
	if err != nil {
		a.result, a.alert = classifyErr(err)
		a.overall = a.result == resTimeout && t.pastEnd()
		return a
	}
	cs := c.ConnectionState()
	a.result, a.cs = resOK, &cs
	if then != nil {
		t.stopIdle(time.Now().Add(p.o.Timeout))
		stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
		then(c, &a)
		stop()
	}
	return a
}

// dial opens one TCP connection to the target within the timeout.
func (p *prober) dial(ctx context.Context) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, p.o.Timeout)
	defer cancel()
	c, err := p.o.Dial(dctx, "tcp", p.addr)
	if err != nil {
		return nil, fmt.Errorf("probe: dial %s: %w", p.addr, err)
	}
	return c, nil
}

// classifyErr names how a handshake failed. A received alert wins: Go
// reports it as "remote error: tls: …".
func classifyErr(err error) (result string, alert int) {
	if n := explain.AlertFromError(err.Error()); n >= 0 {
		return resAlert, n
	}
	var rhe tls.RecordHeaderError
	switch {
	case errors.As(err, &rhe):
		return resNotTLS, -1
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return resReset, -1
	case errors.Is(err, os.ErrDeadlineExceeded), isTimeout(err):
		return resTimeout, -1
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return resClosed, -1
	}
	return resError, -1
}

// isTimeout reports a net.Error timeout anywhere in the chain.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// describe is the one-line result of an attempt, with its evidence.
func (p *prober) describe(a attempt) string {
	switch a.result {
	case resOK:
		s := fmt.Sprintf("%s, %s", explain.VersionName(a.cs.Version), tls.CipherSuiteName(a.cs.CipherSuite))
		if a.cs.CurveID != 0 {
			s += ", " + a.cs.CurveID.String()
		}
		return s
	case resAlert:
		return fmt.Sprintf("alert %d %s", a.alert, explain.AlertName(a.alert))
	case resReset:
		return fmt.Sprintf("connection reset by peer after %s of %s bytes sent, %s received", fmtDur(a.elapsed), fmtInt(a.tap.out), fmtInt(a.tap.inTotal))
	case resClosed:
		return fmt.Sprintf("closed by the server (EOF) after %s, %s bytes received", fmtDur(a.elapsed), fmtInt(a.tap.inTotal))
	case resTimeout:
		if a.overall {
			return fmt.Sprintf("handshake not complete within %s (%s bytes arrived)", fmtDur(p.o.HandshakeTimeout), fmtInt(a.tap.inTotal))
		}
		if a.tap.inTotal > 0 {
			return fmt.Sprintf("stalled: %s bytes arrived, then nothing until the %s timeout", fmtInt(a.tap.inTotal), fmtDur(p.o.Timeout))
		}
		return fmt.Sprintf("no answer within %s", fmtDur(p.o.Timeout))
	case resNotTLS:
		return "not TLS: " + sniff.HexDump(a.tap.in, 24)
	}
	return a.err.Error()
}

// fmtDur prints a duration the way an operator reads it: "40 µs", "0.4 ms",
// "12 ms", "3.0 s".
func fmtDur(d time.Duration) string {
	switch {
	case d < 100*time.Microsecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// fmtInt prints a count with thousands separators: 1,716.
func fmtInt(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + fmtInt(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ms converts a duration to the float milliseconds JSON carries.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// toAttempt turns an attempt into its report form.
func (p *prober) toAttempt(label string, a attempt) Attempt {
	return Attempt{Label: label, OK: a.result == resOK, Result: a.result, Detail: p.describe(a), HelloLen: a.tap.helloLen, ElapsedMS: ms(a.elapsed)}
}
