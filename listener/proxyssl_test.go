package listener

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	proxyproto "github.com/pires/go-proxyproto"
)

// TestParseSSLTLV: the PP2_TYPE_SSL value's fixed fields and sub-TLVs,
// which must tile the rest of the value exactly; unknown sub-TLV types
// are kept, as the spec lets a receiver skip them.
func TestParseSSLTLV(t *testing.T) {
	tests := []struct {
		name    string
		val     []byte
		subs    []proxyproto.PP2Type
		wantErr error
		errHas  string
	}{
		{name: "client and verify only", val: sslValue(0x01, 0)},
		{name: "every sub-type", val: sslValue(0x07, 0, tlv(0x21, []byte("TLSv1.2")), tlv(0x22, []byte("cn")),
			tlv(0x23, []byte("ECDHE-ECDSA-AES128-GCM-SHA256")), tlv(0x24, []byte("ECDSA-SHA256")), tlv(0x25, []byte("EC256"))),
			subs: []proxyproto.PP2Type{0x21, 0x22, 0x23, 0x24, 0x25}},
		{name: "unknown and empty sub-TLVs", val: sslValue(0x01, 19, tlv(0x99, []byte{1}), tlv(0x22, nil)),
			subs: []proxyproto.PP2Type{0x99, 0x22}},
		{name: "empty", val: nil, wantErr: proxyproto.ErrMalformedTLV,
			errHas: "SSL TLV (type 0x20) at offset 40 has 0 byte(s) of value, its client and verify fields need 5 (no bytes)"},
		{name: "verify cut", val: []byte{1, 0, 0, 0}, wantErr: proxyproto.ErrMalformedTLV, errHas: "has 4 byte(s) of value"},
		{name: "one stray byte", val: append(sslValue(1, 0), 0x21), wantErr: proxyproto.ErrTruncatedTLV,
			errHas: "sub-TLV at offset 48 is cut short: 1 byte(s) left, its type and length need 3 (01 00 00 00 00 21)"},
		{name: "overrun by one", val: append(sslValue(1, 0), 0x22, 0x00, 0x03, 'a', 'b'), wantErr: proxyproto.ErrTruncatedTLV,
			errHas: "sub-TLV type 0x22 at offset 48 declares 3 byte(s) of value, 2 left in the SSL TLV"},
		{name: "overrun after a good one", val: append(sslValue(1, 0, tlv(0x21, []byte("TLSv1.3"))), 0x23, 0xff, 0xff), wantErr: proxyproto.ErrTruncatedTLV,
			errHas: "sub-TLV type 0x23 at offset 58 declares 65535 byte(s) of value, 0 left"},
		{name: "long evidence capped", val: append(sslValue(1, 0, tlv(0x22, make([]byte, 40))), 0x22), wantErr: proxyproto.ErrTruncatedTLV,
			errHas: "… 17 more)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSSLTLV(tt.val, 40)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("err = %v, want %v containing %q", err, tt.wantErr, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Client != tt.val[0] || got.Verify != binary.BigEndian.Uint32(tt.val[1:5]) {
				t.Errorf("client %#x verify %d, want %#x %d", got.Client, got.Verify, tt.val[0], binary.BigEndian.Uint32(tt.val[1:5]))
			}
			var types []proxyproto.PP2Type
			for _, s := range got.Subs {
				types = append(types, s.Type)
			}
			if !slices.Equal(types, tt.subs) {
				t.Errorf("sub-TLV types %v, want %v", types, tt.subs)
			}
		})
	}
}

// FuzzSSLTLV: parseSSLTLV never panics; what it accepts re-encodes to
// exactly the bytes it was given (the sub-TLVs tile the value), and what
// it refuses gets one of go-proxyproto's TLV errors naming the SSL TLV.
func FuzzSSLTLV(f *testing.F) {
	for _, seed := range [][]byte{
		nil,
		{1, 0, 0, 0},
		sslValue(1, 0),
		sslValue(7, 0, tlv(0x21, []byte("TLSv1.3")), tlv(0x22, []byte("client.lab.test"))),
		append(sslValue(1, 0), 0x22, 0x00, 0x09, 'l', 'a', 'b'),
		append(sslValue(1, 0, tlv(0x21, []byte("TLSv1.3"))), 0x22, 0x00),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, val []byte) {
		got, err := parseSSLTLV(val, 28)
		if err != nil {
			if !errors.Is(err, proxyproto.ErrMalformedTLV) && !errors.Is(err, proxyproto.ErrTruncatedTLV) {
				t.Fatalf("error %v wraps neither TLV error", err)
			}
			if !strings.Contains(err.Error(), "SSL TLV (type 0x20) at offset 28") {
				t.Fatalf("error %q does not name the SSL TLV", err)
			}
			return
		}
		re := binary.BigEndian.AppendUint32([]byte{got.Client}, got.Verify)
		for _, s := range got.Subs {
			re = append(re, tlv(byte(s.Type), s.Value)...)
		}
		if !bytes.Equal(re, val) {
			t.Fatalf("accepted % x, but its parts re-encode to % x", val, re)
		}
	})
}
