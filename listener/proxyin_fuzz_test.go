package listener

import (
	"bytes"
	"testing"

	proxyproto "github.com/pires/go-proxyproto"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// FuzzProxyHeader runs the PROXY header path of a listener over arbitrary
// first bytes: classify, measure the header, parse it with go-proxyproto
// and apply it to an Outcome. No input may panic, and a measured header
// must lie within the bytes and end where its version says. A header it
// accepts has well-formed TLVs, sub-TLVs of PP2_TYPE_SSL included.
func FuzzProxyHeader(f *testing.F) {
	v2 := []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\x01\x02\x03\x04\x7f\x00\x00\x01\x04\x57\x01\xbb")
	for _, seed := range [][]byte{
		[]byte("PROXY TCP4 1.2.3.4 127.0.0.1 1111 443\r\nGET / HTTP/1.1\r\n\r\n"),
		[]byte("PROXY TCP6 ::1 ::1 1111 443\r\n\x16\x03\x01"),
		[]byte("PROXY UNKNOWN\r\n"),
		[]byte("PROXY UNKNOWN 10.0.0.1 10.0.0.2 40000 443\r\n"),
		[]byte("PROXY GARBAGE\r\n"),
		[]byte("PROXY TCP4 1.2.3.4 127.0.0.1 1111"),
		[]byte("PROXY TCP4 1.2.3.4 127.0.0.1 1111 443\nGET / HTTP/1.1\r\n\r\n"),
		v2,
		append(append([]byte{}, v2...), "\x16\x03\x01\x00\x05hello"...),
		v2[:15],
		awsNLBHeader(),
		proxyV2([]byte{0x03, 0x00, 0x04, 1, 2, 3, 4, 0x01, 0x00}),
		[]byte("\r\n\r\n\x00\r\nQUIT\n\x21\x99\xff\xff"),
		proxyV2(tlv(0x20, sslValue(0x07, 0, tlv(0x21, []byte("TLSv1.3")), tlv(0x22, []byte("client.lab.test"))))),
		proxyV2(tlv(0x20, []byte{1, 0, 0})),
		proxyV2(tlv(0x20, append(sslValue(1, 0), 0x22, 0x00, 0x09, 'l', 'a', 'b'))),
		proxyV2(tlv(0x20, append(sslValue(1, 0, tlv(0x21, []byte("TLSv1.3"))), 0x22, 0x00))),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := sniff.Classify(b)
		if err != nil || (k != sniff.ProxyV1 && k != sniff.ProxyV2) {
			return
		}
		n, err := proxyHeaderLen(k, b)
		if err != nil || n == 0 {
			return
		}
		if n > len(b) {
			t.Fatalf("header length %d beyond the %d bytes given", n, len(b))
		}
		if k == sniff.ProxyV1 && !bytes.HasSuffix(b[:n], []byte("\r\n")) {
			t.Fatalf("v1 header %q does not end with CRLF", b[:n])
		}
		h, err := parseProxy(b[:n])
		if err != nil {
			return
		}
		// An accepted header's SSL TLVs hold together: checkTLVs ran.
		tlvs, _ := h.TLVs()
		for _, tv := range tlvs {
			if tv.Type == proxyproto.PP2_TYPE_SSL {
				if _, err := parseSSLTLV(tv.Value, 0); err != nil {
					t.Fatalf("accepted a header whose SSL TLV is malformed: %v", err)
				}
			}
		}
		o := &explain.Outcome{}
		applyProxy(o, h)
		// v1 UNKNOWN names no client, whatever follows it: its addresses
		// are to be ignored, and the connection is the sender's own.
		if h.Version == 1 && h.TransportProtocol == proxyproto.UNSPEC && (!o.Proxy.Local || o.Proxy.Src.IsValid() || o.Client.IsValid()) {
			t.Fatalf("v1 UNKNOWN header %q applied as local=%v src=%v client=%v", b[:n], o.Proxy.Local, o.Proxy.Src, o.Client)
		}
	})
}
