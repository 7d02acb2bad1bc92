package probe

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
)

// flipConn damages one record in each direction armed, as a faulty NIC
// or a payload-rewriting middlebox does after the handshake went through
// untouched. Reads go a whole record at a time, so the damaged record is
// the same however TCP cut the stream.
type flipConn struct {
	net.Conn
	// inAt is which application_data record from the client to damage,
	// counting from 1 (0: none). A TLS 1.3 client's Finished is its
	// first; the request follows it.
	inAt int
	seen int
	buf  []byte
	out  atomic.Bool // damage the next write
}

func (c *flipConn) Read(b []byte) (int, error) {
	if len(c.buf) == 0 {
		hdr, body, err := readRecord(c.Conn)
		if err != nil {
			return 0, err
		}
		if hdr[0] == 23 && len(body) > 0 {
			if c.seen++; c.seen == c.inAt {
				body[len(body)-1] ^= 0x01 // inside the record's tag
			}
		}
		c.buf = append(hdr, body...)
	}
	n := copy(b, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

func (c *flipConn) Write(b []byte) (int, error) {
	if c.out.CompareAndSwap(true, false) {
		b = append([]byte(nil), b...)
		b[len(b)-1] ^= 0x01
	}
	return c.Conn.Write(b)
}

// corruptingServer completes a clean handshake with cfg, then damages the
// request it reads (c2s) or the answer it writes (s2c).
func corruptingServer(cfg *tls.Config, c2s bool) func(net.Conn, <-chan struct{}) {
	return func(c net.Conn, _ <-chan struct{}) {
		fc := &flipConn{Conn: c}
		if c2s {
			fc.inAt = 1
			if cfg.MaxVersion != tls.VersionTLS12 {
				fc.inAt = 2
			}
		}
		tc := tls.Server(fc, cfg)
		if tc.Handshake() != nil {
			return
		}
		br := bufio.NewReader(tc)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return // for c2s, crypto/tls has sent bad_record_mac
			}
			if line == "\r\n" {
				break
			}
		}
		fc.out.Store(!c2s)
		_, _ = io.WriteString(tc, httpAnswer("200 OK", "", "hello"))
		_, _ = io.Copy(io.Discard, tc)
	}
}

// TestRunRecordCorruption: a record damaged after a good handshake fails
// step 10 as record corruption, whichever way it was damaged; every
// handshake step still passes, so step 10 is the final verdict.
func TestRunRecordCorruption(t *testing.T) {
	pki := newPKI(t)
	goodCfg := func() *tls.Config { return &tls.Config{Certificates: []tls.Certificate{pki.good()}} }
	var cases []probeCase
	for _, v := range []struct {
		name string
		max  uint16
	}{{"TLS 1.3", tls.VersionTLS13}, {"TLS 1.2", tls.VersionTLS12}} {
		cases = append(cases,
			probeCase{
				name: "the answer's record is altered on the way, " + v.name,
				serve: func(t *testing.T) string {
					cfg := goodCfg()
					cfg.MaxVersion = v.max
					return startServer(t, corruptingServer(cfg, false))
				},
				steps: map[int]want{3: {Pass, "tls", ""}, 7: {Pass, "verified", ""},
					10: {Fail, "http_record_corrupt", "fails TLS's record check (tls: bad record MAC): a device in the path alters bytes (record corruption)"}},
				final: want{Fail, "http_record_corrupt", "record corruption"},
			},
			probeCase{
				name: "the request's record is altered on the way, " + v.name,
				serve: func(t *testing.T) string {
					cfg := goodCfg()
					cfg.MaxVersion = v.max
					return startServer(t, corruptingServer(cfg, true))
				},
				steps: map[int]want{3: {Pass, "tls", ""},
					10: {Fail, "http_record_corrupt", "rejects the probe's GET / as altered on the way (alert 20 bad_record_mac)"}},
				final: want{Fail, "http_record_corrupt", "record corruption"},
			})
	}
	runCases(t, pki, cases)
}

// TestRecordTrouble sorts the errors that can end step 10's read: TLS
// errors are failures of their own, a close, a reset or a silence are not
// record trouble.
func TestRecordTrouble(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"bad record MAC found here", &net.OpError{Op: "local error", Err: errors.New("tls: bad record MAC")}, troubleIn},
		{"record overflow found here", &net.OpError{Op: "local error", Err: errors.New("tls: record overflow")}, troubleIn},
		{"a record header changed", tls.RecordHeaderError{Msg: "received record with version 3132 when expecting version 303"}, troubleIn},
		{"the server found a bad MAC", &net.OpError{Op: "remote error", Err: errors.New("tls: bad record MAC")}, troubleOut},
		{"the server could not decrypt", &net.OpError{Op: "remote error", Err: errors.New("tls: alert(21)")}, troubleOut},
		{"another alert from the server", &net.OpError{Op: "remote error", Err: errors.New("tls: internal error")}, troubleAlert},
		{"wrapped", fmt.Errorf("reading: %w", &net.OpError{Op: "local error", Err: errors.New("tls: bad record MAC")}), troubleIn},
		{"close_notify or FIN", io.EOF, ""},
		{"cut mid-record", io.ErrUnexpectedEOF, ""},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, ""},
		{"timeout", os.ErrDeadlineExceeded, ""},
	}
	for _, c := range cases {
		if got := recordTrouble(c.err); got != c.want {
			t.Errorf("%s: recordTrouble(%v) = %q, want %q", c.name, c.err, got, c.want)
		}
	}
}
