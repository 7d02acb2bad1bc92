//go:build !(linux && (amd64 || arm64))

package bigiplog

import (
	"net"
	"testing"
)

// refusingUDP is the Linux helper's fallback: the port is let go until open
// binds it again, which another process could take in between.
func refusingUDP(t *testing.T) (addr string, open func() net.PacketConn) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr = pc.LocalAddr().String()
	_ = pc.Close()
	return addr, func() net.PacketConn {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			t.Fatalf("listen again on %s: %v", addr, err)
		}
		t.Cleanup(func() { _ = pc.Close() })
		return pc
	}
}
