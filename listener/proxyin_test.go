package listener

import (
	"bufio"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	proxyproto "github.com/pires/go-proxyproto"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// TestProxyPolicyUndecidedBytes: a client that sends a few bytes and then
// stops (FIN or silence) before they name a protocol. On a listener that
// takes PROXY headers those bytes are either a header never finished or
// data sent without the required header; neither reaches the backend.
// Without a required header, data that cannot begin one is relayed.
func TestProxyPolicyUndecidedBytes(t *testing.T) {
	backend := serveEach(t, nil, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	tests := []struct {
		policy, first string
		fin           bool
		route, code   string
		errHas        string
		relayed       bool
	}{
		{policy: "v1", first: "GE", fin: true, route: "proxy_missing", code: explain.CodeProxyMissing},
		{policy: "v1", first: "GE", fin: false, route: "proxy_missing", code: explain.CodeProxyMissing},
		{policy: "v1", first: "PRO", fin: true, route: "proxy_malformed", code: explain.CodeProxyMalformed,
			errHas: "PROXY header incomplete when the client closed the connection (3 bytes)"},
		{policy: "v2", first: "\r\n\r\n", fin: false, route: "proxy_malformed", code: explain.CodeProxyMalformed,
			errHas: "PROXY header incomplete when the peek deadline passed (4 bytes)"},
		// Only the versions the policy takes count as a header begun.
		{policy: "v1", first: "\r\n", fin: true, route: "proxy_missing", code: explain.CodeProxyMissing},
		{policy: "v2", first: "PROXY", fin: true, route: "proxy_missing", code: explain.CodeProxyMissing},
		// Optional: "PRO" may as well begin PROPFIND, so it is data;
		// "PROX" is a header begun.
		{policy: "optional", first: "PROX", fin: true, route: "proxy_malformed", code: explain.CodeProxyMalformed,
			errHas: "incomplete"},
		{policy: "optional", first: "PRO", fin: true, route: "plain", code: explain.CodeOK, relayed: true},
		{policy: "optional", first: "GE", fin: true, route: "plain", code: explain.CodeOK, relayed: true},
	}
	for _, tt := range tests {
		name := tt.policy + "/" + strings.ReplaceAll(strings.ReplaceAll(tt.first, "\r\n", "CRLF"), "\x00", "NUL")
		if tt.fin {
			name += "+fin"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel() // the stalled ones wait out the deadline
			// A stall at the deadline is the input: stallPeek.
			h := startListener(t, Options{Mode: Plaintext, Backend: backend, ProxyProtocol: tt.policy,
				PeekTimeout: stallPeek}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tt.first); err != nil {
				t.Fatal(err)
			}
			if tt.fin {
				_ = c.(*net.TCPConn).CloseWrite()
			}
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second)) // hang guard only
			_, _ = io.ReadAll(c)
			r := h.next()
			if r.o.Route != tt.route || r.d.Code != tt.code || r.o.Backend.Attempted != tt.relayed {
				t.Errorf("route %q code %q relayed %v, want %q %q %v", r.o.Route, r.d.Code, r.o.Backend.Attempted,
					tt.route, tt.code, tt.relayed)
			}
			if !strings.Contains(r.o.Proxy.Err, tt.errHas) {
				t.Errorf("proxy error %q, want it to contain %q", r.o.Proxy.Err, tt.errHas)
			}
		})
	}
}

// TestProxyRequiredSilence: a client that sends nothing to a listener that
// requires a PROXY header is refused after peek_timeout, in every mode,
// and never relayed: the backend would get no client address, or with
// backend_proxy_protocol a header made up from the socket's peer (the echo
// backend would return it). With an optional header silence is relayed.
func TestProxyRequiredSilence(t *testing.T) {
	backend := echoBackend(t)
	tests := []struct {
		mode    Mode
		policy  string
		relayed bool
	}{
		{mode: Plaintext, policy: "v1"},
		{mode: Plaintext, policy: "v2"},
		{mode: Auto, policy: "v1"},
		{mode: Auto, policy: "v2"},
		{mode: Terminate, policy: "v2"},
		{mode: Plaintext, policy: "optional", relayed: true},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode)+"/"+tt.policy, func(t *testing.T) {
			opts := Options{Mode: tt.mode, Backend: backend, PlainBackend: backend, ProxyProtocol: tt.policy,
				BackendProxyProtocol: "v1", PeekTimeout: 200 * time.Millisecond}
			if tt.mode == Terminate {
				opts.ClientSSL = &ClientSSL{}
			}
			h := startListener(t, opts, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// A refusal comes at the peek deadline, however late: wait
			// for it (the deadline is a hang guard only). A relay waits
			// for the client: it ends once the echo backend has returned
			// the header line it got, and the client closes.
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
			var got []byte
			if tt.relayed {
				line, _ := bufio.NewReader(c).ReadString('\n')
				got = []byte(line)
			} else {
				got, _ = io.ReadAll(c)
			}
			_ = c.Close()
			r := h.next()
			if r.o.Backend.Attempted != tt.relayed {
				t.Fatalf("relayed %v, want %v (route %q code %q, client read %q)", r.o.Backend.Attempted, tt.relayed,
					r.o.Route, r.d.Code, got)
			}
			if tt.relayed {
				return
			}
			if len(got) > 0 {
				t.Errorf("client read %q from a refused connection", got)
			}
			if r.o.Route != "proxy_missing" || r.d.Code != explain.CodeClientSilent || r.d.OK {
				t.Errorf("route %q code %q ok %v, want proxy_missing client_silent", r.o.Route, r.d.Code, r.d.OK)
			}
			if want := "not even the PROXY " + tt.policy + " header"; !strings.Contains(r.d.Summary, want) {
				t.Errorf("summary %q, want it to contain %q", r.d.Summary, want)
			}
			if want := "got nothing within the peek timeout of 200ms"; !strings.Contains(r.o.Proxy.Err, want) {
				t.Errorf("proxy error %q, want it to contain %q", r.o.Proxy.Err, want)
			}
		})
	}
}

// proxyHeader formats a PROXY header of version v with go-proxyproto, from
// src to dst ("host:port").
func proxyHeader(t *testing.T, v byte, src, dst string) string {
	t.Helper()
	s, err := net.ResolveTCPAddr("tcp", src)
	if err != nil {
		t.Fatal(err)
	}
	d, err := net.ResolveTCPAddr("tcp", dst)
	if err != nil {
		t.Fatal(err)
	}
	b, err := proxyproto.HeaderProxyFromAddrs(v, s, d).Format()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestProxySecondHeader: a second PROXY header right after a valid one is
// refused, whatever the versions and on an optional listener too, and
// nothing reaches the backend: two proxies in a chain that both add one,
// or a client spoofing one through a load balancer. The diagnosis names
// both headers' addresses. Data after one header is relayed as before.
func TestProxySecondHeader(t *testing.T) {
	backend := echoBackend(t)
	const lb, real, vip = "10.0.0.1:40004", "203.0.113.7:5555", "10.0.0.2:443"
	v1 := func(src string) string { return proxyHeader(t, 1, src, vip) }
	v2 := func(src string) string { return proxyHeader(t, 2, src, vip) }
	tests := []struct {
		name, policy, send string
		second             int    // 0: relayed
		errHas             string // in Proxy.Err, after the first header's addresses
	}{
		{name: "v1+v1", policy: "v1", send: v1(lb) + v1(real) + "hello", second: 1, errHas: "v1 203.0.113.7:5555 -> 10.0.0.2:443"},
		{name: "v1+v2", policy: "v1", send: v1(lb) + v2(real) + "hello", second: 2, errHas: "v2 203.0.113.7:5555 -> 10.0.0.2:443"},
		{name: "v2+v2", policy: "v2", send: v2(lb) + v2(real) + "hello", second: 2, errHas: "v2 203.0.113.7:5555 -> 10.0.0.2:443"},
		{name: "v2+v1", policy: "v2", send: v2(lb) + v1(real), second: 1, errHas: "v1 203.0.113.7:5555 -> 10.0.0.2:443"},
		{name: "optional v1+v1", policy: "optional", send: v1(lb) + v1(real) + "hello", second: 1, errHas: "v1 203.0.113.7:5555"},
		{name: "second cut short", policy: "v1", send: v1(lb) + "PROXY TCP4 203.0", second: 1,
			errHas: "PROXY header incomplete when the client closed the connection (16 bytes)"},
		{name: "second begun", policy: "v1", send: v1(lb) + "PROX", second: 1, errHas: "(4 bytes)"},
		{name: "second malformed", policy: "v1", send: v1(lb) + "PROXY TCP4 nonsense\r\n", second: 1, errHas: "PROXY TCP4 nonsense"},
		{name: "data after one", policy: "v1", send: v1(lb) + "GET / HTTP/1.0\r\n\r\n"},
		{name: "PRO after one", policy: "v1", send: v1(lb) + "PRO"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Plaintext, Backend: backend, ProxyProtocol: tt.policy,
				PeekTimeout: 500 * time.Millisecond}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tt.send); err != nil {
				t.Fatal(err)
			}
			// The client ends what it sends: a cut-short second header
			// is then decided at once, and a relay ends when the echo does.
			_ = c.(*net.TCPConn).CloseWrite()
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second)) // hang guard only
			got, _ := io.ReadAll(c)
			r := h.next()
			if tt.second == 0 {
				data := tt.send[len(v1(lb)):]
				if string(got) != data || r.o.Proxy.Second != 0 || r.o.Proxy.Err != "" {
					t.Errorf("client read back %q, want %q (second %d, error %q)", got, data, r.o.Proxy.Second, r.o.Proxy.Err)
				}
				return
			}
			if len(got) > 0 || r.o.Backend.Attempted {
				t.Errorf("relayed (attempted %v), client read back %q", r.o.Backend.Attempted, got)
			}
			if r.o.Route != "proxy_malformed" || r.d.Code != explain.CodeProxyMalformed || r.o.Proxy.Second != tt.second {
				t.Errorf("route %q code %q second v%d, want proxy_malformed v%d", r.o.Route, r.d.Code, r.o.Proxy.Second, tt.second)
			}
			if want := "follows the first (v"; !strings.Contains(r.o.Proxy.Err, want) ||
				!strings.Contains(r.o.Proxy.Err, " 10.0.0.1:40004 -> 10.0.0.2:443): ") || !strings.Contains(r.o.Proxy.Err, tt.errHas) {
				t.Errorf("proxy error %q, want the first header's addresses and %q", r.o.Proxy.Err, tt.errHas)
			}
			if !strings.HasPrefix(r.d.Summary, "two PROXY headers from ") || strings.Contains(r.d.Summary, "expects") {
				t.Errorf("summary %q", r.d.Summary)
			}
			if r.o.Client.String() != lb {
				t.Errorf("client %s, want the first header's source %s", r.o.Client, lb)
			}
		})
	}
}

// proxyV2 builds a v2 PROXY header for TCP over IPv4 with the TLV bytes
// tlvs after its address block, and a length field that counts them.
func proxyV2(tlvs []byte) []byte {
	b := []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11")
	body := append([]byte{10, 0, 0, 1, 10, 0, 0, 2, 0x9c, 0x44, 0x01, 0xbb}, tlvs...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(body)))
	return append(b, body...)
}

// tlv is one TLV's bytes: type, 16-bit length, value.
func tlv(typ byte, value []byte) []byte {
	return append(binary.BigEndian.AppendUint16([]byte{typ}, uint16(len(value))), value...)
}

// sslValue is a PP2_TYPE_SSL value: the client bit field, verify, and the
// sub-TLVs' bytes.
func sslValue(client byte, verify uint32, subs ...[]byte) []byte {
	v := binary.BigEndian.AppendUint32([]byte{client}, verify)
	for _, s := range subs {
		v = append(v, s...)
	}
	return v
}

// withCRC32C fills the value of the last TLV of hdr, a CRC32C TLV with a
// zero value, with the checksum of the whole header, as a sender does.
func withCRC32C(hdr []byte) []byte {
	binary.BigEndian.PutUint32(hdr[len(hdr)-4:], crc32.Checksum(hdr, crc32.MakeTable(crc32.Castagnoli)))
	return hdr
}

// awsNLBHeader is a v2 header as an AWS Network Load Balancer sends it
// through a VPC endpoint: 172.31.7.113:51442 to 172.31.10.31:80, a CRC32C
// (e8d6892d), the endpoint id and 36 bytes of NOOP padding.
func awsNLBHeader() []byte {
	b := []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x54" +
		"\xac\x1f\x07\x71\xac\x1f\x0a\x1f\xc8\xf2\x00\x50" +
		"\x03\x00\x04\xe8\xd6\x89\x2d" +
		"\xea\x00\x17\x01vpce-08d2bf15fac5001c9" +
		"\x04\x00\x24")
	return append(b, make([]byte, 36)...)
}

// TestProxyV2Refusals: a v2 header that go-proxyproto would refuse or
// wrongly accept is refused as proxy_malformed with an error that says
// why, in numbers; valid TLVs, up to the library's limit, pass.
func TestProxyV2Refusals(t *testing.T) {
	backend := echoBackend(t)
	tests := []struct {
		name   string
		hdr    []byte
		errHas []string // nil: accepted and relayed
	}{
		{name: "over the library's limit", hdr: proxyV2(tlv(0xE0, make([]byte, 5000))),
			errHas: []string{"declares 5015 bytes after its 16-byte prefix", "limit of 4096 (MaxV2HeaderSize)", "proxyproto: invalid length"}},
		{name: "TCP4 with 8 address bytes", hdr: append([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x08"), 127, 0, 0, 1, 127, 0, 0, 1),
			errHas: []string{"21 11 00 08 declares 8 bytes after its 16-byte prefix; its IPv4 (family 0x1) addresses and ports need 12", "proxyproto: invalid length"}},
		{name: "TCP6 with 12 address bytes", hdr: append([]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x21\x00\x0c"), make([]byte, 12)...),
			errHas: []string{"declares 12 bytes after its 16-byte prefix; its IPv6 (family 0x2) addresses and ports need 36"}},
		{name: "at the library's limit", hdr: proxyV2(tlv(0xE0, make([]byte, 4096-12-3)))},
		{name: "TLV past the header", hdr: proxyV2([]byte{0x01, 0x00, 0x09, 'h'}),
			errHas: []string{"TLV type 0x01 at offset 28 declares 9 bytes of value, 1 left in the header", "proxyproto: truncated TLV"}},
		{name: "length over the client's hello", hdr: proxyV2([]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03}),
			errHas: []string{"the 11 bytes after the addresses (offset 28) are no TLVs but begin a TLS handshake record (16 03 01 02 00)", "too large a length", "proxyproto: truncated TLV"}},
		{name: "custom TLV, then one cut short", hdr: proxyV2([]byte{0xE1, 0x00, 0x01, 0x03, 0x01, 0x00}),
			errHas: []string{"TLV at offset 32 is cut short: 2 byte(s) left", "proxyproto: truncated TLV"}},
		{name: "TLV cut short", hdr: proxyV2(append(tlv(0x02, []byte("lab.test")), 0x01, 0x00)),
			errHas: []string{"TLV at offset 39 is cut short: 2 byte(s) left, its type and length need 3 (01 00)", "proxyproto: truncated TLV"}},
		{name: "CRC32C wrong", hdr: proxyV2(tlv(0x03, []byte{1, 2, 3, 4})),
			errHas: []string{"CRC32C TLV at offset 28 says 01020304, the 35-byte header sums to ", "proxyproto: malformed TLV"}},
		{name: "CRC32C of 3 bytes", hdr: proxyV2(tlv(0x03, []byte{1, 2, 3})),
			errHas: []string{"CRC32C TLV has 3 bytes of value, want 4", "proxyproto: malformed TLV"}},
		{name: "CRC32C right", hdr: withCRC32C(proxyV2(append(tlv(0x02, []byte("lab.test")), tlv(0x03, make([]byte, 4))...)))},
		// The AWS NLB sample header of go-proxyproto's own tests: a real
		// CRC32C, a VPC endpoint TLV and NOOP padding.
		{name: "AWS NLB CRC32C", hdr: awsNLBHeader()},
		{name: "AWS NLB CRC32C, address changed", hdr: func() []byte { b := awsNLBHeader(); b[19]++; return b }(),
			errHas: []string{"CRC32C TLV at offset 28 says e8d6892d, the 100-byte header sums to "}},
		{name: "valid TLVs", hdr: proxyV2(append(append(tlv(0x01, []byte("h2")), tlv(0x04, make([]byte, 3))...), tlv(0x02, []byte("lab.test"))...))},
		{name: "SSL TLV too short", hdr: proxyV2(tlv(0x20, []byte{1, 0, 0})),
			errHas: []string{"PROXY v2 header of 34 bytes: SSL TLV (type 0x20) at offset 28 has 3 byte(s) of value, its client and verify fields need 5 (01 00 00)", "proxyproto: malformed TLV"}},
		{name: "SSL sub-TLV past the SSL TLV", hdr: proxyV2(tlv(0x20, []byte{1, 0, 0, 0, 0, 0x22, 0x00, 0x09, 'l', 'a', 'b'})),
			errHas: []string{"SSL TLV (type 0x20) at offset 28 of 11 byte(s): sub-TLV type 0x22 at offset 36 declares 9 byte(s) of value, 3 left in the SSL TLV (01 00 00 00 00 22 00 09 6c 61 62)", "proxyproto: truncated TLV"}},
		{name: "SSL sub-TLV cut short", hdr: proxyV2(tlv(0x20, []byte{1, 0, 0, 0, 0, 0x21, 0x00, 0x03, '1', '.', '3', 0x22, 0x00})),
			errHas: []string{"sub-TLV at offset 42 is cut short: 2 byte(s) left, its type and length need 3 (01 00 00 00 00 21 00 03 31 2e 33 22 00)", "proxyproto: truncated TLV"}},
		{name: "SSL TLV with sub-TLVs", hdr: withCRC32C(proxyV2(append(tlv(0x20, sslValue(0x07, 0,
			tlv(0x21, []byte("TLSv1.3")), tlv(0x22, []byte("client.lab.test")), tlv(0x23, []byte("TLS_AES_128_GCM_SHA256")),
			tlv(0x24, []byte("ECDSA-SHA256")), tlv(0x25, []byte("EC256")), tlv(0x2f, nil))), tlv(0x03, make([]byte, 4))...)))},
		{name: "SSL TLV without sub-TLVs", hdr: proxyV2(tlv(0x20, sslValue(0x01, 0)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Plaintext, Backend: backend, ProxyProtocol: "v2",
				PeekTimeout: 500 * time.Millisecond}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Write(append(tt.hdr, "hello"...)); err != nil {
				t.Fatal(err)
			}
			_ = c.(*net.TCPConn).CloseWrite()
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second)) // hang guard only
			got, _ := io.ReadAll(c)
			r := h.next()
			if tt.errHas == nil {
				if string(got) != "hello" || r.o.Proxy.Err != "" || r.o.Proxy.Version != 2 {
					t.Errorf("client read back %q (error %q, version %d), want hello relayed", got, r.o.Proxy.Err, r.o.Proxy.Version)
				}
				return
			}
			if len(got) > 0 || r.o.Backend.Attempted || r.o.Route != "proxy_malformed" || r.d.Code != explain.CodeProxyMalformed {
				t.Errorf("route %q code %q relayed %v, client read back %q; want proxy_malformed, nothing relayed",
					r.o.Route, r.d.Code, r.o.Backend.Attempted, got)
			}
			for _, want := range tt.errHas {
				if !strings.Contains(r.o.Proxy.Err, want) {
					t.Errorf("proxy error %q, want it to contain %q", r.o.Proxy.Err, want)
				}
			}
		})
	}
}

// TestProxyVersionMismatchIsNamed: a well-formed header of the other
// version (HAProxy send-proxy-v2 towards proxy_protocol = "v1", and the
// reverse) is refused as a version mismatch whose fix names the setting
// on each side, not as a malformed header.
func TestProxyVersionMismatchIsNamed(t *testing.T) {
	v2 := &proxyproto.Header{Version: 2, Command: proxyproto.PROXY, TransportProtocol: proxyproto.TCPv4,
		SourceAddr:      &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 40000},
		DestinationAddr: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 443}}
	v2bytes, err := v2.Format()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		policy, header, got string
	}{
		{"v1", string(v2bytes), "2"},
		{"v2", "PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\r\n", "1"},
	}
	backend := serveEach(t, nil, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			h := startListener(t, Options{Mode: Plaintext, Backend: backend, ProxyProtocol: tt.policy}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tt.header+"GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			r := h.next()
			want := "PROXY v" + tt.got + " header from " + c.LocalAddr().String() + ", listener test expects " + tt.policy
			if r.d.Code != explain.CodeProxyMalformed || r.d.Summary != want {
				t.Fatalf("code %q summary %q, want proxy_malformed %q", r.d.Code, r.d.Summary, want)
			}
			checks := strings.Join(r.d.Checks, "\n")
			if !strings.Contains(checks, `proxy_protocol = "v`+tt.got+`"`) || !strings.Contains(checks, "send-proxy-v2") {
				t.Errorf("checks %q do not name the setting on both sides", checks)
			}
		})
	}
}

// TestProxiedConnectionNamesPeerAndClient: behind a load balancer that sends
// PROXY headers, the log names both the client the header carried and the
// socket's peer (the load balancer), on a relay that worked and on one that
// failed after the header: an operator must be able to tell which balancer
// a client came through.
func TestProxiedConnectionNamesPeerAndClient(t *testing.T) {
	backend := serveEach(t, nil, func(c net.Conn) { _, _ = io.Copy(c, c) })
	gone := closedAddr(t)
	const header = "PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\r\n"
	tests := []struct {
		name, backend, code string
	}{
		{"relayed", backend, explain.CodeOK},
		{"backend_refused", gone, explain.CodeBackendRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Plaintext, Backend: tt.backend, ProxyProtocol: "v1"}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, header+"ping\n"); err != nil {
				t.Fatal(err)
			}
			_ = c.(*net.TCPConn).CloseWrite()
			_, _ = io.Copy(io.Discard, c)
			r := h.next()
			peer := c.LocalAddr().String()
			if r.d.Code != tt.code || r.o.Client.String() != "203.0.113.7:40000" || r.o.Peer.String() != peer {
				t.Fatalf("code %q client %v peer %v, want %s from 203.0.113.7:40000 via %s", r.d.Code, r.o.Client, r.o.Peer, tt.code, peer)
			}
			var proxy string
			for _, e := range r.d.Evidence {
				if e.Key == "proxy" {
					proxy = e.Value
				}
			}
			if !strings.HasPrefix(proxy, "peer="+peer+" policy=v1 header=v1 src=203.0.113.7:40000") {
				t.Errorf("evidence proxy %q, want the peer %s and the header's source", proxy, peer)
			}
			if tt.code == explain.CodeOK && !strings.HasSuffix(r.d.Summary, "client 203.0.113.7:40000 via "+peer+" (PROXY v1)") {
				t.Errorf("summary %q does not name the client and the peer", r.d.Summary)
			}
		})
	}
}

// TestProxyRefusalSaysWhatTheBalancerShows: PROXY headers come from load
// balancers, so a refused one (missing, unexpected, of the other version)
// is seen first by the balancer, not by a client reading a reset. HAProxy
// in front answers its client with an empty reply (TCP mode, `SD`) or a
// 502 (HTTP mode, `SH--`); the explanation must say so.
func TestProxyRefusalSaysWhatTheBalancerShows(t *testing.T) {
	backend := serveEach(t, nil, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	tests := []struct {
		name, policy, first, code string
	}{
		{"missing", "v1", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", explain.CodeProxyMissing},
		{"unexpected", "", "PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\r\nGET / HTTP/1.1\r\n\r\n", explain.CodeProxyUnexpected},
		{"other_version", "v2", "PROXY TCP4 203.0.113.7 192.0.2.1 40000 443\r\nGET / HTTP/1.1\r\n\r\n", explain.CodeProxyMalformed},
		{"malformed", "v1", "PROXY GARBAGE\r\n", explain.CodeProxyMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Plaintext, Backend: backend, ProxyProtocol: tt.policy}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tt.first); err != nil {
				t.Fatal(err)
			}
			r := h.next()
			if r.d.Code != tt.code {
				t.Fatalf("code %q (%s), want %s", r.d.Code, r.d.Summary, tt.code)
			}
			for _, want := range []string{"`SD`", "curl: (52) Empty reply from server", "`SH--`", "502 Bad Gateway"} {
				if !strings.Contains(r.d.ClientSaw, want) {
					t.Errorf("client saw %q lacks %q", r.d.ClientSaw, want)
				}
			}
		})
	}
}

// TestProxyV1HeaderLen: a v1 header ends at its CRLF (HAProxy's spec and
// go-proxyproto both require it). One whose line ends with a bare LF can
// never complete; it used to wait out the peek deadline and be logged as
// "incomplete when the peek deadline passed", which hid the cause.
func TestProxyV1HeaderLen(t *testing.T) {
	tests := []struct {
		name, b string
		n       int
		errHas  string
	}{
		{"whole, data after", "PROXY TCP4 1.2.3.4 5.6.7.8 1111 443\r\nGET / HTTP/1.1\r\n", 37, ""},
		{"unfinished", "PROXY TCP4 1.2.3.4 5.6", 0, ""},
		{"unfinished, CR last", "PROXY TCP4 1.2.3.4 5.6.7.8 1111 443\r", 0, ""},
		{"bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1111 443\nhello", 0, `"PROXY TCP4 1.2.3.4 5.6.7.8 1111 443\n" ends with a bare LF, not CRLF`},
		{"no CRLF in 107 bytes", "PROXY TCP4 " + strings.Repeat("1", 100), 0, "no CRLF in its first 107 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := proxyHeaderLen(sniff.ProxyV1, []byte(tt.b))
			switch {
			case tt.errHas == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case tt.errHas != "" && (err == nil || !strings.Contains(err.Error(), tt.errHas)):
				t.Fatalf("error %v, want one containing %q", err, tt.errHas)
			case n != tt.n:
				t.Errorf("length %d, want %d", n, tt.n)
			}
		})
	}
}
