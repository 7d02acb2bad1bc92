package listener

import (
	"net"
	"strings"
	"testing"

	"github.com/pires/go-proxyproto"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// TestProxyLocalHealthCheck: HAProxy's check-send-proxy (and AWS NLB's
// checks) send a PROXY v2 LOCAL header and then close or reset without a
// byte, every check interval. That used to be logged as a warning,
// client_reset_early "without sending a byte" with an SSL Handshake
// failed line; it is a health check, logged at info with no BIG-IP group.
func TestProxyLocalHealthCheck(t *testing.T) {
	local, err := (&proxyproto.Header{Version: 2, Command: proxyproto.LOCAL, TransportProtocol: proxyproto.UNSPEC}).Format()
	if err != nil {
		t.Fatal(err)
	}
	for _, policy := range []string{"v2", "optional"} {
		for _, end := range []string{"fin", "rst"} {
			t.Run(policy+"/"+end, func(t *testing.T) {
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
			})
		}
	}
}

// TestProxyLocalThenData: a LOCAL header followed by a ClientHello cut
// short is not a health check: the connection carried data.
func TestProxyLocalThenData(t *testing.T) {
	local, _ := (&proxyproto.Header{Version: 2, Command: proxyproto.LOCAL, TransportProtocol: proxyproto.UNSPEC}).Format()
	h := startListener(t, Options{Mode: Terminate, Backend: "127.0.0.1:1", ProxyProtocol: "v2"}, nil)
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(append(local, 0x16, 0x03)); err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).CloseWrite()
	if r := h.next(); r.d.Code == explain.CodeHealthCheck || r.d.OK {
		t.Errorf("code %q ok %v after data", r.d.Code, r.d.OK)
	}
}
