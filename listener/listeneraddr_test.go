package listener

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestProxiedListenerNamedByItsOwnAddress: behind a PROXY v1 header whose
// destination is the load balancer's VIP, the Outcome keeps the
// listener's own address, and the words name the listener by it (the VIP
// is the client's URL, not where tlsgate listens).
func TestProxiedListenerNamedByItsOwnAddress(t *testing.T) {
	h := startListener(t, Options{Name: "pp1", Mode: Plaintext, Backend: "127.0.0.1:1", ProxyProtocol: "v1"}, nil)
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(20 * time.Second)) // hang guard only
	hello := []byte{0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00}
	if _, err := c.Write(append([]byte("PROXY TCP4 10.1.2.3 10.9.9.9 5555 443\r\n"), hello...)); err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(c)
	r := h.next()
	if r.o.ListenerAddr.String() != h.addr || r.o.Virtual.String() != "10.9.9.9:443" {
		t.Fatalf("listener address %v, virtual %v; want %s and the header's 10.9.9.9:443", r.o.ListenerAddr, r.o.Virtual, h.addr)
	}
	text := r.d.Summary + strings.Join(r.d.Checks, "\n")
	for _, w := range []string{"listener pp1 (" + h.addr + "; the client connected to the load balancer's VIP 10.9.9.9:443", "If listener pp1 (" + h.addr + ")"} {
		if !strings.Contains(text, w) {
			t.Errorf("%q lacks %q", text, w)
		}
	}
	if strings.Contains(text, "pp1 (10.9.9.9:443)") {
		t.Errorf("%q names the listener by the VIP", text)
	}
}
