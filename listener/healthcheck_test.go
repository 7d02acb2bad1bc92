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
