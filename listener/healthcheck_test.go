package listener

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/pires/go-proxyproto"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// TestProxyLocalHealthCheck: HAProxy's check-send-proxy (and AWS NLB's
// checks) send a PROXY v2 LOCAL header, or with v1 `PROXY UNKNOWN\r\n`,
// and then close or reset without a byte, every check interval. That used
// to be logged as a warning, client_closed_early or client_reset_early
// "without sending a byte" with an SSL Handshake failed line (v1 UNKNOWN
// still was after v2 LOCAL was fixed); it is a health check, logged at
// info with no BIG-IP group.
func TestProxyLocalHealthCheck(t *testing.T) {
	local, err := (&proxyproto.Header{Version: 2, Command: proxyproto.LOCAL, TransportProtocol: proxyproto.UNSPEC}).Format()
	if err != nil {
		t.Fatal(err)
	}
	headers := []struct {
		name     string
		hdr      []byte
		policies []string
	}{
		{"v2_local", local, []string{"v2", "optional"}},
		{"v1_unknown", []byte("PROXY UNKNOWN\r\n"), []string{"v1", "optional"}},
		// The spec lets UNKNOWN carry addresses, which receivers ignore.
		{"v1_unknown_addrs", []byte("PROXY UNKNOWN 10.0.0.1 10.0.0.2 40000 443\r\n"), []string{"v1"}},
	}
	for _, hc := range headers {
		local := hc.hdr
		for _, policy := range hc.policies {
			for _, end := range []string{"fin", "rst"} {
				t.Run(hc.name+"/"+policy+"/"+end, func(t *testing.T) {
					h := startListener(t, Options{Mode: Terminate, Backend: "127.0.0.1:1", ProxyProtocol: policy}, nil)
					c, err := net.Dial("tcp", h.addr)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := c.Write(local); err != nil {
						t.Fatal(err)
					}
					if end == "rst" {
						_ = c.(*net.TCPConn).SetLinger(0)
						_ = c.Close()
					} else {
						_ = c.(*net.TCPConn).CloseWrite()
						defer c.Close()
					}
					r := h.next()
					if r.d.Code != explain.CodeHealthCheck || !r.d.OK || len(r.d.BigIP) != 0 {
						t.Fatalf("code %q ok %v BIG-IP %v (peek end %v, proxy %+v), want an ok health_check without lines",
							r.d.Code, r.d.OK, r.d.BigIP, r.o.PeekEnd, r.o.Proxy)
					}
					logged := h.logs.TakeAll()
					if len(logged) != 1 || logged[0].Level != zapcore.InfoLevel || !strings.HasPrefix(logged[0].Message, "health check from ") {
						t.Errorf("logged %+v, want one info line", logged)
					}
					if want := map[bool]string{true: "PROXY v1 UNKNOWN header", false: "PROXY v2 LOCAL header"}[hc.hdr[0] == 'P']; !strings.Contains(r.d.Summary, want) {
						t.Errorf("summary %q does not name the %s", r.d.Summary, want)
					}
				})
			}
		}
	}
}

// TestProxyLocalThenData: a LOCAL header followed by a ClientHello cut
// short is not a health check: the connection carried data.
func TestProxyLocalThenData(t *testing.T) {
	local, _ := (&proxyproto.Header{Version: 2, Command: proxyproto.LOCAL, TransportProtocol: proxyproto.UNSPEC}).Format()
	for policy, hdr := range map[string][]byte{"v2": local, "v1": []byte("PROXY UNKNOWN\r\n")} {
		t.Run(policy, func(t *testing.T) {
			h := startListener(t, Options{Mode: Terminate, Backend: "127.0.0.1:1", ProxyProtocol: policy}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write(append(hdr, 0x16, 0x03)); err != nil {
				t.Fatal(err)
			}
			_ = c.(*net.TCPConn).CloseWrite()
			if r := h.next(); r.d.Code == explain.CodeHealthCheck || r.d.OK {
				t.Errorf("code %q ok %v after data", r.d.Code, r.d.OK)
			}
		})
	}
}

// TestProxyLocalKeepsSocketAddresses: a v2 LOCAL header is the sender's own
// connection, and the spec (section 2.2) says the receiver uses the real
// connection endpoints and ignores the address block, which a LOCAL frame
// may still carry (go-proxyproto keeps it as information). It was applied
// like a PROXY command's: the log named the block's client, and a
// backend_proxy_protocol header passed it on to the backend as the client.
func TestProxyLocalKeepsSocketAddresses(t *testing.T) {
	local, err := (&proxyproto.Header{
		Version: 2, Command: proxyproto.LOCAL, TransportProtocol: proxyproto.TCPv4,
		SourceAddr:      &net.TCPAddr{IP: net.ParseIP("203.0.113.7"), Port: 40000},
		DestinationAddr: &net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 443},
	}).Format()
	if err != nil {
		t.Fatal(err)
	}
	headers := make(chan string, 1)
	backend := serveEach(t, nil, func(c net.Conn) {
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			line = "read: " + err.Error()
		}
		headers <- line
		_, _ = io.WriteString(c, "pong\n")
	})
	h := startListener(t, Options{Mode: Plaintext, Backend: backend, ProxyProtocol: "v2", BackendProxyProtocol: "v1"}, nil)
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(append(local, "ping\n"...)); err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).CloseWrite()
	_, _ = io.Copy(io.Discard, c)
	r := h.next()
	peer := c.LocalAddr().String()
	if r.o.Client.String() != peer || r.o.Virtual.String() != h.addr || r.o.Proxy.Src.IsValid() || !r.o.Proxy.Local {
		t.Errorf("client %v virtual %v header src %v local %v, want the socket's %s -> %s and no header address",
			r.o.Client, r.o.Virtual, r.o.Proxy.Src, r.o.Proxy.Local, peer, h.addr)
	}
	if r.d.Code != explain.CodeOK || strings.Contains(r.d.Summary, "203.0.113.7") {
		t.Errorf("code %q summary %q, want ok without the LOCAL block's address", r.d.Code, r.d.Summary)
	}
	_, port, _ := net.SplitHostPort(peer)
	if got := <-headers; !strings.HasPrefix(got, "PROXY TCP4 127.0.0.1 127.0.0.1 "+port+" ") {
		t.Errorf("backend got header %q, want the socket's addresses from port %s", got, port)
	}
}
