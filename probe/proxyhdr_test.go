package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/hex"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestProxyHeader(t *testing.T) {
	v4s, v4d := netip.MustParseAddrPort("127.0.0.1:45002"), netip.MustParseAddrPort("10.9.9.9:443")
	v6s, v6d := netip.MustParseAddrPort("[::1]:45002"), netip.MustParseAddrPort("[2001:db8::1]:443")
	tests := []struct {
		name     string
		version  int
		src, dst netip.AddrPort
		want     string // v1 text, or v2 hex
		err      string
	}{
		{"v1 TCP4", 1, v4s, v4d, "PROXY TCP4 127.0.0.1 10.9.9.9 45002 443\r\n", ""},
		{"v1 TCP4 from mapped", 1, netip.MustParseAddrPort("[::ffff:127.0.0.1]:45002"), v4d, "PROXY TCP4 127.0.0.1 10.9.9.9 45002 443\r\n", ""},
		{"v1 TCP6", 1, v6s, v6d, "PROXY TCP6 ::1 2001:db8::1 45002 443\r\n", ""},
		{"v2 TCP4", 2, v4s, v4d, "0d0a0d0a000d0a515549540a" + "2111000c" + "7f000001" + "0a090909" + "afca" + "01bb", ""},
		{"v2 TCP6", 2, v6s, v6d, "0d0a0d0a000d0a515549540a" + "21210024" + "00000000000000000000000000000001" + "20010db8000000000000000000000001" + "afca" + "01bb", ""},
		{"mixed families", 1, v4s, v6d, "", "one family"},
		{"no source", 2, netip.AddrPort{}, v4d, "", "one family"},
		{"version 3", 3, v4s, v4d, "", "version 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := proxyHeader(tt.version, tt.src, tt.dst)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one naming %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := []byte(tt.want)
			if tt.version == 2 {
				want, _ = hex.DecodeString(tt.want)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("header % x, want % x", got, want)
			}
		})
	}
}

// proxyRequired serves TLS only after a PROXY header of the given
// version, as a listener behind a load balancer that sends one does, and
// resets any connection that starts otherwise.
func proxyRequired(cfg *tls.Config, version int) func(net.Conn, <-chan struct{}) {
	serve := tlsHandler(cfg)
	return func(c net.Conn, done <-chan struct{}) {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(c)
		switch version {
		case 1:
			line, err := br.ReadString('\n')
			if err != nil || !strings.HasPrefix(line, "PROXY TCP") {
				resetConn(c)
				return
			}
		case 2:
			hdr := make([]byte, 16)
			if _, err := io.ReadFull(br, hdr); err != nil || !bytes.Equal(hdr[:12], proxyV2Sig) {
				resetConn(c)
				return
			}
			if _, err := io.ReadFull(br, make([]byte, int(hdr[14])<<8|int(hdr[15]))); err != nil {
				resetConn(c)
				return
			}
		}
		_ = c.SetReadDeadline(time.Time{})
		serve(&bufferedConn{Conn: c, r: br}, done)
	}
}

// bufferedConn reads through r first, so bytes a bufio.Reader holds are
// not lost to what comes next.
type bufferedConn struct {
	net.Conn
	r io.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// TestHelloResetAdviceFollowsTheEvidence: when a hello is reset whatever
// its name, step 3 drops the SNI advice and tries a PROXY header itself:
// a listener that requires one is named, with the version that worked; a
// server that resets anyway gets the other causes (a dead pool behind a
// passthrough, a firewall) and no "probe with another --sni".
func TestHelloResetAdviceFollowsTheEvidence(t *testing.T) {
	pki := newPKI(t)
	goodCfg := func() *tls.Config { return &tls.Config{Certificates: []tls.Certificate{pki.good()}} }
	tests := []struct {
		name          string
		serve         func(net.Conn, <-chan struct{})
		code, finding string
		cause, check  string
		absent        string
		laterSkipped  bool
	}{
		{"PROXY v1 required", proxyRequired(goodCfg(), 1), "proxy_required", "after a PROXY v1 header naming the probe's own connection gets a TLS answer",
			"requires a PROXY protocol v1 header", "connect through the load balancer", "another --sni", true},
		{"PROXY v2 required", proxyRequired(goodCfg(), 2), "proxy_required", "after a PROXY v2 header",
			"requires a PROXY protocol v2 header", "proxy_protocol", "another --sni", true},
		{"every hello reset", resetAfterHello, "reset_after_hello", "reset right after the ClientHello",
			"backend pool is down", "backend pool's members", "another --sni", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startServer(t, tt.serve)
			rep := Run(context.Background(), addr, Options{SNI: "lab.test", Roots: pki.pool, Timeout: 3 * time.Second,
				BannerWait: 250 * time.Millisecond, Now: testClock()})
			s, ok := rep.Step(StepHello)
			if !ok {
				t.Fatal("step 3 did not run")
			}
			text := s.Cause + "\n" + s.Check
			if s.Code != tt.code || !strings.Contains(s.Finding, tt.finding) || !strings.Contains(s.Cause, tt.cause) ||
				!strings.Contains(s.Check, tt.check) || strings.Contains(text, tt.absent) {
				t.Errorf("step 3: %s %q\ncause %q\ncheck %q\nwant %s, %q, cause %q, check %q, never %q\nevidence:\n%s",
					s.Code, s.Finding, s.Cause, s.Check, tt.code, tt.finding, tt.cause, tt.check, tt.absent, strings.Join(s.Evidence, "\n"))
			}
			if tt.laterSkipped {
				if s4, _ := rep.Step(StepVersions); s4.Code != "skipped" || !strings.Contains(s4.Finding, "PROXY") {
					t.Errorf("step 4: %s %q; want skipped for the PROXY header", s4.Code, s4.Finding)
				}
			}
		})
	}
}
