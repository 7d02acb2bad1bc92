package listener

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestProxyV1Fields: a v1 line with a field missing, extra or empty is
// refused with what is wrong with its fields, read from the bytes, not
// with go-proxyproto's "can't read address family or protocol", which
// points at a protocol field that is fine.
func TestProxyV1Fields(t *testing.T) {
	tests := []struct {
		name, hdr string
		errHas    string // "": accepted
	}{
		{"whole", "PROXY TCP4 1.2.3.4 5.6.7.8 5555 443\r\n", ""},
		{"whole TCP6", "PROXY TCP6 2001:db8::1 2001:db8::2 5555 443\r\n", ""},
		{"UNKNOWN with the rest ignored", "PROXY UNKNOWN whatever follows\r\n", ""},
		{"last field missing", "PROXY TCP4 1.2.3.4 5.6.7.8 5555\r\n", "has 5 fields, a TCP4 line needs 6: the destination port is missing"},
		{"both ports missing", "PROXY TCP6 2001:db8::1 2001:db8::2\r\n", "has 4 fields, a TCP6 line needs 6: the source port and destination port are missing"},
		{"protocol alone", "PROXY TCP4\r\n", "the source address, destination address, source port and destination port are missing"},
		{"extra field", "PROXY TCP4 1.2.3.4 5.6.7.8 5555 443 extra\r\n", `has 7 fields, a TCP4 line needs 6: "extra" follows the destination port`},
		{"two spaces", "PROXY TCP4 1.2.3.4 5.6.7.8 5555  443\r\n", "has an empty field after the source port: v1 fields are separated by exactly one space"},
		{"trailing space", "PROXY TCP4 1.2.3.4 5.6.7.8 5555 443 \r\n", "has an empty field after the destination port"},
		{"two spaces after PROXY", "PROXY  TCP4 1.2.3.4 5.6.7.8 5555 443\r\n", "has an empty field after PROXY"},
		{"no protocol", "PROXY\r\n", "has no protocol field"},
		{"UDP", "PROXY UDP4 1.2.3.4 5.6.7.8 5555 443\r\n", `protocol "UDP4" is not TCP4, TCP6 or UNKNOWN`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseProxy([]byte(tt.hdr))
			switch {
			case tt.errHas == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
				t.Fatalf("error %v, want one containing %q", err, tt.errHas)
			case err != nil && strings.Contains(err.Error(), "address family"):
				t.Fatalf("error %v still speaks of the address family", err)
			}
		})
	}
}

// TestProxyV1MissingFieldDiagnosed: over a real socket, the refusal of a
// v1 line without its destination port names the missing field in the
// outcome and the diagnosis.
func TestProxyV1MissingFieldDiagnosed(t *testing.T) {
	backend := echoBackend(t)
	h := startListener(t, Options{Mode: Plaintext, Backend: backend, ProxyProtocol: "v1",
		PeekTimeout: 500 * time.Millisecond}, nil)
	c, err := net.Dial("tcp", h.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("PROXY TCP4 1.2.3.4 5.6.7.8 5555\r\nhello")); err != nil {
		t.Fatal(err)
	}
	_ = c.(*net.TCPConn).CloseWrite()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second)) // hang guard only
	got, _ := io.ReadAll(c)
	r := h.next()
	if len(got) > 0 || r.o.Route != "proxy_malformed" || r.d.Code != explain.CodeProxyMalformed {
		t.Fatalf("route %q code %q, client read back %q; want proxy_malformed, nothing relayed", r.o.Route, r.d.Code, got)
	}
	text := fmt.Sprintf("%+v", r.d)
	if !strings.Contains(text, "the destination port is missing") || strings.Contains(text, "address family") {
		t.Errorf("diagnosis does not name the missing field:\n%s", text)
	}
}
