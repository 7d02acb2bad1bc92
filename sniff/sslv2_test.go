package sniff

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// sslv2Hello builds an SSLv2-format hello like OpenSSL 0.9.8's SSLv23 client:
// version, 3-byte cipher specs (SSLv2 ones have a non-zero first byte, TLS
// suites are 0x00 + the two-byte suite), session id and challenge.
func sslv2Hello(version uint16, specs []uint32, sidLen, chLen int) []byte {
	body := []byte{1, byte(version >> 8), byte(version),
		byte(len(specs) * 3 >> 8), byte(len(specs) * 3), byte(sidLen >> 8), byte(sidLen), byte(chLen >> 8), byte(chLen)}
	for _, s := range specs {
		body = append(body, byte(s>>16), byte(s>>8), byte(s))
	}
	body = append(body, make([]byte, sidLen+chLen)...)
	n := len(body)
	return append([]byte{0x80 | byte(n>>8), byte(n)}, body...)
}

func TestParseSSLv2Hello(t *testing.T) {
	specs := []uint32{0x000039, 0x000038, 0x000035, 0x010080, 0x020080, 0x0000ff}
	tests := []struct {
		name    string
		version uint16
		sid     int
	}{
		{"tls1.0 compatible", 0x0301, 0},
		{"ssl3 compatible with session id", 0x0300, 16},
		{"pure sslv2", 0x0002, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := sslv2Hello(tt.version, specs, tt.sid, 32)
			if k, err := Classify(b); k != SSLv2Hello || err != nil {
				t.Fatalf("Classify = %v, %v", k, err)
			}
			h, err := ParseSSLv2Hello(append(b, "trailing"...))
			if err != nil {
				t.Fatal(err)
			}
			if h.Version != tt.version || !slices.Equal(h.CipherSpecs, specs) || h.WireLen != len(b) {
				t.Errorf("got %+v", h)
			}
			for n := range len(b) {
				if _, err := ParseSSLv2Hello(b[:n]); !errors.Is(err, ErrNeedMore) {
					t.Fatalf("%d of %d bytes: %v, want ErrNeedMore", n, len(b), err)
				}
			}
		})
	}
}

func TestParseSSLv2HelloErrors(t *testing.T) {
	good := sslv2Hello(0x0301, []uint32{0x010080}, 0, 16)
	mut := func(i int, v byte) []byte {
		b := slices.Clone(good)
		b[i] = v
		return b
	}
	tests := []struct {
		name   string
		in     []byte
		field  string
		offset int
	}{
		{"tls record", []byte{0x16, 3, 1, 0, 5}, "sslv2 record header", 0},
		{"too short", []byte{0x80, 8, 1}, "sslv2 record header", 0},
		{"server hello type", mut(2, 4), "sslv2 msg_type", 2},
		{"version", mut(3, 2), "sslv2 version", 3},
		{"spec length not multiple of 3", mut(6, 4), "sslv2 cipher_spec_length", 5},
		{"session id 8", mut(8, 8), "sslv2 session_id_length", 7},
		{"challenge 15", mut(10, 15), "sslv2 challenge_length", 9},
		{"challenge 33", mut(10, 33), "sslv2 challenge_length", 9},
		{"lengths disagree", mut(10, 20), "sslv2 record header", 0},
		// Early rejection: the header is bad before the body arrives.
		{"early msg_type", []byte{0x80, 0x40, 2}, "sslv2 msg_type", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSSLv2Hello(tt.in)
			var he *HelloError
			if !errors.As(err, &he) || he.Field != tt.field || he.Offset != tt.offset {
				t.Fatalf("err = %v (%+v), want field %q at %d", err, he, tt.field, tt.offset)
			}
			if !strings.HasPrefix(err.Error(), "sniff: client hello: sslv2 ") {
				t.Errorf("message %q", err)
			}
		})
	}
	// 15-bit length 0x7fff exceeds the cap.
	if _, err := ParseSSLv2Hello([]byte{0xff, 0xff, 1}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge sslv2 length: %v, want ErrTooLarge", err)
	}
}
