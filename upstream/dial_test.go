package upstream

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	proxyproto "github.com/pires/go-proxyproto"
	"github.com/tlsgate/tlsgate/internal/heldport"
)

// freeAddr returns a loopback address nobody listens on and nobody will:
// its socket stays bound, without listening, until the test ends. A port
// listened on and let go could be taken by a parallel test's listener.
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, _ := heldport.Refusing(t)
	return addr
}

func TestDialErrors(t *testing.T) {
	blockUntilDone := func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	tests := []struct {
		name         string
		ctxTimeout   time.Duration // > 0: the caller's context has a deadline
		ctxCanceled  bool
		d            Dialer
		addr         string
		wantRefused  bool
		wantTimedOut bool
	}{
		{name: "refused", d: Dialer{Timeout: 5 * time.Second}, addr: freeAddr(t), wantRefused: true},
		{name: "timeout", d: Dialer{Dial: blockUntilDone, Timeout: 50 * time.Millisecond}, addr: "192.0.2.1:443", wantTimedOut: true},
		{name: "caller deadline", ctxTimeout: 50 * time.Millisecond, d: Dialer{Dial: blockUntilDone}, addr: "192.0.2.1:443", wantTimedOut: true},
		{name: "caller canceled", ctxCanceled: true, d: Dialer{Dial: blockUntilDone}, addr: "192.0.2.1:443"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.ctxTimeout > 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.ctxTimeout)
				defer cancel()
			}
			if tt.ctxCanceled {
				cancel()
			}
			conn, err := tt.d.DialBackend(ctx, tt.addr, nil, nil)
			if err == nil {
				conn.Close()
				t.Fatal("dial succeeded")
			}
			var de *DialError
			if !errors.As(err, &de) {
				t.Fatalf("error %T %v, want *DialError", err, err)
			}
			if de.Addr != tt.addr || de.Refused != tt.wantRefused || de.TimedOut != tt.wantTimedOut {
				t.Errorf("DialError{Addr %q Refused %t TimedOut %t}, want {%q %t %t}: %v",
					de.Addr, de.Refused, de.TimedOut, tt.addr, tt.wantRefused, tt.wantTimedOut, err)
			}
			if !strings.HasPrefix(err.Error(), "upstream: dial "+tt.addr) || errors.Unwrap(err) != de.Err {
				t.Errorf("error text %q / unwrap", err)
			}
		})
	}
}

func TestDialUnknownProxyVersion(t *testing.T) {
	dialed := false
	d := Dialer{ProxyHeader: "v3", Dial: func(context.Context, string, string) (net.Conn, error) {
		dialed = true
		return nil, errors.New("unreachable")
	}}
	_, err := d.DialBackend(context.Background(), "127.0.0.1:1", nil, nil)
	if err == nil || !strings.Contains(err.Error(), `"v3"`) || dialed {
		t.Fatalf("err = %v, dialed = %t", err, dialed)
	}
}

// TestDialProxyHeader checks that a backend parsing with go-proxyproto sees
// the claimed addresses, and that the payload follows the header untouched.
func TestDialProxyHeader(t *testing.T) {
	tcp := func(s string) net.Addr { a, _ := net.ResolveTCPAddr("tcp", s); return a }
	tests := []struct {
		name            string
		version         string
		client, virtual net.Addr
		wantVersion     byte
		wantCmd         proxyproto.ProtocolVersionAndCommand
		wantSrc         string // "" for LOCAL / UNKNOWN
		wantDst         string
	}{
		{"v1 ipv4", "v1", tcp("198.51.100.7:50123"), tcp("203.0.113.10:443"), 1, proxyproto.PROXY, "198.51.100.7:50123", "203.0.113.10:443"},
		{"v2 ipv4", "v2", tcp("198.51.100.7:50123"), tcp("203.0.113.10:443"), 2, proxyproto.PROXY, "198.51.100.7:50123", "203.0.113.10:443"},
		{"v1 ipv6", "v1", tcp("[2001:db8::7]:50123"), tcp("[2001:db8::10]:443"), 1, proxyproto.PROXY, "[2001:db8::7]:50123", "[2001:db8::10]:443"},
		{"v2 ipv6", "v2", tcp("[2001:db8::7]:50123"), tcp("[2001:db8::10]:443"), 2, proxyproto.PROXY, "[2001:db8::7]:50123", "[2001:db8::10]:443"},
		{"v2 mapped ipv4", "v2", tcp("[::ffff:198.51.100.7]:1"), tcp("203.0.113.10:443"), 2, proxyproto.PROXY, "198.51.100.7:1", "203.0.113.10:443"},
		{"v2 no addresses", "v2", nil, nil, 2, proxyproto.LOCAL, "", ""},
		{"v1 mixed families", "v1", tcp("198.51.100.7:1"), tcp("[2001:db8::10]:443"), 1, proxyproto.PROXY, "198.51.100.7:1", "[2001:db8::10]:443"},
		{"v2 mixed families", "v2", tcp("198.51.100.7:1"), tcp("[2001:db8::10]:443"), 2, proxyproto.PROXY, "198.51.100.7:1", "[2001:db8::10]:443"},
		{"v1 no addresses", "v1", nil, nil, 1, proxyproto.LOCAL, "", ""},
		{"v1 unix addresses", "v1", &net.UnixAddr{Name: "/run/a", Net: "unix"}, &net.UnixAddr{Name: "/run/b", Net: "unix"}, 1, proxyproto.LOCAL, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			type got struct {
				hdr     *proxyproto.Header
				payload string
				err     error
			}
			ch := make(chan got, 1)
			go func() {
				c, err := ln.Accept()
				if err != nil {
					ch <- got{err: err}
					return
				}
				defer c.Close()
				br := bufio.NewReader(c)
				hdr, err := proxyproto.Read(br)
				if err != nil {
					ch <- got{err: err}
					return
				}
				payload, err := io.ReadAll(br)
				ch <- got{hdr, string(payload), err}
			}()

			d := Dialer{ProxyHeader: tt.version, Timeout: 5 * time.Second}
			conn, err := d.DialBackend(context.Background(), ln.Addr().String(), tt.client, tt.virtual)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Write([]byte("hello")); err != nil {
				t.Fatal(err)
			}
			conn.Close()
			g := <-ch
			if g.err != nil {
				t.Fatal(g.err)
			}
			if g.hdr.Version != tt.wantVersion || g.hdr.Command != tt.wantCmd {
				t.Errorf("header version %d command %v, want %d %v", g.hdr.Version, g.hdr.Command, tt.wantVersion, tt.wantCmd)
			}
			if tt.wantSrc != "" {
				if g.hdr.SourceAddr.String() != tt.wantSrc || g.hdr.DestinationAddr.String() != tt.wantDst {
					t.Errorf("header %v → %v, want %s → %s", g.hdr.SourceAddr, g.hdr.DestinationAddr, tt.wantSrc, tt.wantDst)
				}
			}
			if g.payload != "hello" {
				t.Errorf("payload after header = %q, want %q", g.payload, "hello")
			}
		})
	}
}

// tlsBackend serves TLS on loopback with cfg; each accepted conn optionally
// expects a PROXY header first, then echoes one line after the handshake.
func tlsBackend(t *testing.T, cfg *tls.Config, proxyFirst bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var conn net.Conn = c
				if proxyFirst {
					br := bufio.NewReader(c)
					if _, err := proxyproto.Read(br); err != nil {
						return
					}
					conn = &bufConn{Conn: c, r: br}
				}
				s := tls.Server(conn, cfg)
				if s.Handshake() != nil {
					return
				}
				line, err := bufio.NewReader(s).ReadString('\n')
				if err == nil {
					_, _ = io.WriteString(s, "echo "+line)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufConn) Read(p []byte) (int, error) { return b.r.Read(p) }

func TestDialTLSSuccess(t *testing.T) {
	ca := newTestPKI(t, "backend CA")
	leaf := ca.leaf(t)
	tests := []struct {
		name       string
		serverName string
		proxy      string
	}{
		{name: "IP SAN from the address", serverName: ""},
		{name: "DNS name", serverName: "backend.lab.test"},
		{name: "after PROXY v2", serverName: "backend.lab.test", proxy: "v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tlsBackend(t, &tls.Config{Certificates: []tls.Certificate{leaf}}, tt.proxy != "")
			d := Dialer{
				Timeout:          5 * time.Second,
				HandshakeTimeout: 5 * time.Second,
				ProxyHeader:      tt.proxy,
				TLS:              &tls.Config{RootCAs: ca.pool, ServerName: tt.serverName},
			}
			conn, err := d.DialBackend(context.Background(), addr, &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 1000}, &net.TCPAddr{IP: net.IPv4(10, 0, 0, 2), Port: 443})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			tc, ok := conn.(*tls.Conn)
			if !ok {
				t.Fatalf("conn is %T, want *tls.Conn", conn)
			}
			if st := tc.ConnectionState(); !st.HandshakeComplete || st.PeerCertificates[0].Subject.CommonName != "backend.lab.test" {
				t.Fatalf("state: complete=%t", st.HandshakeComplete)
			}
			if _, err := io.WriteString(tc, "ping\n"); err != nil {
				t.Fatal(err)
			}
			line, err := bufio.NewReader(tc).ReadString('\n')
			if err != nil || line != "echo ping\n" {
				t.Fatalf("echo = %q, %v", line, err)
			}
			if d.TLS.ServerName != tt.serverName {
				t.Error("DialBackend modified the caller's tls.Config")
			}
		})
	}
}

func TestDialTLSFailures(t *testing.T) {
	ca := newTestPKI(t, "backend CA")
	other := newTestPKI(t, "some other CA")
	leaf := ca.leaf(t)
	silent := func(t *testing.T) string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			c, err := ln.Accept()
			if err == nil {
				_, _ = io.Copy(io.Discard, c) // never answers the ClientHello
				c.Close()
			}
		}()
		return ln.Addr().String()
	}

	tests := []struct {
		name       string
		backend    func(t *testing.T) string
		client     *tls.Config
		wantVerify bool
		wantAlert  int
		wantErr    func(error) bool
		wantChain  bool          // PeerCertificates expected in State
		hsTimeout  time.Duration // 0: generous
	}{
		{
			name: "untrusted CA",
			backend: func(t *testing.T) string {
				return tlsBackend(t, &tls.Config{Certificates: []tls.Certificate{leaf}}, false)
			},
			client:     &tls.Config{RootCAs: other.pool, ServerName: "backend.lab.test"},
			wantVerify: true, wantAlert: -1, wantChain: true,
			wantErr: func(err error) bool { var e x509.UnknownAuthorityError; return errors.As(err, &e) },
		},
		{
			name: "wrong server name",
			backend: func(t *testing.T) string {
				return tlsBackend(t, &tls.Config{Certificates: []tls.Certificate{leaf}}, false)
			},
			client:     &tls.Config{RootCAs: ca.pool, ServerName: "shop.lab.test"},
			wantVerify: true, wantAlert: -1, wantChain: true,
			wantErr: func(err error) bool { var e x509.HostnameError; return errors.As(err, &e) },
		},
		{
			name: "protocol_version alert",
			backend: func(t *testing.T) string {
				return tlsBackend(t, &tls.Config{Certificates: []tls.Certificate{leaf}, MinVersion: tls.VersionTLS13}, false)
			},
			client:    &tls.Config{RootCAs: ca.pool, ServerName: "backend.lab.test", MaxVersion: tls.VersionTLS12},
			wantAlert: 70,
			wantErr:   func(err error) bool { return strings.Contains(err.Error(), "remote error") },
		},
		{
			name: "handshake_failure alert (no shared cipher)",
			backend: func(t *testing.T) string {
				return tlsBackend(t, &tls.Config{
					Certificates: []tls.Certificate{leaf}, MaxVersion: tls.VersionTLS12,
					CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA},
				}, false)
			},
			client: &tls.Config{
				RootCAs: ca.pool, ServerName: "backend.lab.test", MaxVersion: tls.VersionTLS12,
				CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384},
			},
			wantAlert: 40,
			wantErr:   func(err error) bool { return strings.Contains(err.Error(), "remote error") },
		},
		{
			name:      "handshake timeout",
			backend:   silent,
			hsTimeout: 200 * time.Millisecond,
			client:    &tls.Config{RootCAs: ca.pool, ServerName: "backend.lab.test"},
			wantAlert: -1,
			wantErr: func(err error) bool {
				// The error names the limit that ran out, not only Go's
				// "context deadline exceeded".
				return errors.Is(err, context.DeadlineExceeded) && strings.Contains(err.Error(), "within the handshake timeout (200ms)")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.backend(t)
			d := Dialer{Timeout: 5 * time.Second, HandshakeTimeout: tt.hsTimeout, TLS: tt.client}
			if d.HandshakeTimeout == 0 {
				d.HandshakeTimeout = 10 * time.Second
			}
			conn, err := d.DialBackend(context.Background(), addr, nil, nil)
			if err == nil {
				conn.Close()
				t.Fatal("handshake succeeded")
			}
			var te *TLSError
			if !errors.As(err, &te) {
				t.Fatalf("error %T %v, want *TLSError", err, err)
			}
			if te.Verify != tt.wantVerify || te.Alert != tt.wantAlert || !tt.wantErr(err) {
				t.Errorf("TLSError{Verify %t Alert %d} err %v; want Verify %t Alert %d", te.Verify, te.Alert, err, tt.wantVerify, tt.wantAlert)
			}
			if te.Addr != addr || te.Remote == nil || te.Remote.String() != addr || te.Local == nil {
				t.Errorf("addresses: Addr %q Local %v Remote %v", te.Addr, te.Local, te.Remote)
			}
			if te.State == nil {
				t.Fatal("State is nil")
			}
			if got := len(te.State.PeerCertificates) > 0; got != tt.wantChain {
				t.Errorf("peer chain present = %t, want %t", got, tt.wantChain)
			}
			if !strings.HasPrefix(err.Error(), "upstream: tls handshake with "+addr) {
				t.Errorf("error text %q", err)
			}
		})
	}
}

func TestRemoteAlert(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, -1},
		{"plain", errors.New("remote error: tls: bad certificate"), -1},
		{"local op error", &net.OpError{Op: "read", Err: errors.New("x")}, -1},
		{"nil inner", &net.OpError{Op: "remote error"}, -1},
	}
	for _, tt := range tests {
		if got := RemoteAlert(tt.err); got != tt.want {
			t.Errorf("%s: RemoteAlert = %d, want %d", tt.name, got, tt.want)
		}
	}
}
