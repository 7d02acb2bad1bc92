package listener

import (
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestCaptureWritesBothLegs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pcaps")
	h := startListener(t, Options{Mode: Plaintext, Backend: echoBackend(t), Capture: dir}, nil)
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("captured both ways\n")
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, len(msg))); err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).CloseWrite()
	_, _ = io.Copy(io.Discard, c)
	c.Close()
	r := h.next()
	if r.o.Capture == "" || r.o.CaptureErr != "" {
		t.Fatalf("capture %q err %q", r.o.Capture, r.o.CaptureErr)
	}
	data, err := os.ReadFile(r.o.Capture)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 24 || binary.LittleEndian.Uint32(data) != 0xa1b23c4d {
		t.Fatalf("not a nanosecond pcap: % x", data[:min(len(data), 8)])
	}
	// Each leg carries the payload once per direction: client→tlsgate,
	// tlsgate→backend, backend→tlsgate, tlsgate→client.
	if n := countOccurrences(data, msg); n != 4 {
		t.Errorf("payload appears %d times in the capture, want 4 (both legs, both ways)", n)
	}
}

func countOccurrences(hay, needle []byte) int {
	n := 0
	for i := 0; i+len(needle) <= len(hay); i++ {
		if string(hay[i:i+len(needle)]) == string(needle) {
			n++
		}
	}
	return n
}
