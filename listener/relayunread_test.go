package listener

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// sslv2Hello is an SSLv2-format ClientHello announcing TLS 1.0, as
// SSLv23-method clients sent it: a two-byte length with the high bit set,
// msg_type 1, the version, three lengths, the cipher specs and a challenge.
func sslv2Hello() []byte {
	specs := []byte{0x01, 0x00, 0x80, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x0a}
	challenge := bytes.Repeat([]byte{0x11}, 16)
	body := []byte{0x01, 0x03, 0x01, 0x00, byte(len(specs)), 0x00, 0x00, 0x00, byte(len(challenge))}
	body = append(append(body, specs...), challenge...)
	return append([]byte{0x80 | byte(len(body)>>8), byte(len(body))}, body...)
}

// TestPassthroughRelaysUnreadHelloWithoutRefusing: bytes that begin TLS but
// are no ClientHello tlsgate reads reach a passthrough backend as they came,
// and the backend answers them. The log must say so, not that tlsgate
// refused the handshake (alert 70, SSL Handshake failed) while the client
// in fact talked to the backend.
func TestPassthroughRelaysUnreadHelloWithoutRefusing(t *testing.T) {
	tests := []struct {
		name  string
		mode  Mode
		first []byte
	}{
		{"sslv2_passthrough", Passthrough, sslv2Hello()},
		{"sslv2_auto_without_client_ssl", Auto, sslv2Hello()},
		{"stray_record_passthrough", Passthrough, []byte("\x17\x03\x03\x00\x05hello")},
		{"malformed_hello_passthrough", Passthrough, []byte("\x16\x03\x01\x00\x08\x01\x00\x00\x04\x03\x03\xff\xff")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := echoBackend(t)
			h := startListener(t, Options{Mode: tt.mode, Backend: be, PlainBackend: be}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write(tt.first); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(tt.first))
			if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, tt.first) {
				t.Fatalf("backend echo %x, %v; want the bytes relayed back", got, err)
			}
			_ = c.(*net.TCPConn).CloseWrite()
			_, _ = io.Copy(io.Discard, c)
			r := h.next()
			if r.o.Route != "passthrough" || r.d.Code != explain.CodeOK || len(r.d.BigIP) != 0 {
				t.Fatalf("route %q code %q BIG-IP %v (%s); want a passthrough logged ok without SSL failure lines",
					r.o.Route, r.d.Code, r.d.BigIP, r.d.Summary)
			}
			if len(r.d.Warnings) != 1 || !strings.Contains(r.d.Warnings[0], "passed it through to "+be) {
				t.Errorf("warnings %q, want one saying the bytes went to the backend unread", r.d.Warnings)
			}
		})
	}
}
