package sniff

import (
	"errors"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	const more = Kind(255) // marker: want ErrNeedMore
	tests := []struct {
		name string
		in   string
		want Kind
	}{
		{"empty", "", more},

		{"tls 1.0 record", "\x16\x03\x01", TLSHandshake},
		{"tls ssl3 record", "\x16\x03\x00\x00\x05", TLSHandshake},
		{"tls 1.3 record version", "\x16\x03\x04", TLSHandshake},
		{"tls one byte", "\x16", more},
		{"tls two bytes", "\x16\x03", more},
		{"tls bad major", "\x16\x02\x01", Unknown},
		{"tls bad minor", "\x16\x03\x05", Unknown},
		{"change cipher spec", "\x14\x03\x03\x00\x01\x01", TLSOther},
		{"alert", "\x15\x03\x03\x00\x02\x02\x28", TLSOther},
		{"application data", "\x17\x03\x03", TLSOther},
		{"heartbeat is not ours", "\x18\x03\x03", Unknown},
		{"alert prefix", "\x15\x03", more},

		{"sslv2 tls1.0", "\x80\x2e\x01\x03\x01", SSLv2Hello},
		{"sslv2 decided at 4", "\x80\x2e\x01\x03", SSLv2Hello},
		{"sslv2 pure", "\x80\x2e\x01\x00\x02", SSLv2Hello},
		{"sslv2 pure prefix", "\x80\x2e\x01\x00", more},
		{"sslv2 prefix", "\x80\x2e", more},
		{"sslv2 one byte", "\x81", more},
		{"sslv2 wrong type", "\x80\x2e\x02\x03\x01", Unknown},
		{"sslv2 too short", "\x80\x05\x01\x03\x01", Unknown},
		{"sslv2 bad version", "\x80\x2e\x01\x00\x03", Unknown},
		{"sslv2 bad major", "\x80\x2e\x01\x02", Unknown},

		{"GET origin", "GET /", HTTP1},
		{"GET absolute", "GET http://lab.test/ HTTP/1.1\r\n", HTTP1},
		{"HEAD", "HEAD / HTTP/1.0\r\n", HTTP1},
		{"POST", "POST /form", HTTP1},
		{"PUT", "PUT /x", HTTP1},
		{"DELETE", "DELETE /x", HTTP1},
		{"CONNECT authority", "CONNECT lab.test:443 HTTP/1.1\r\n", HTTP1},
		{"CONNECT ipv6", "CONNECT [::1]:443 HTTP/1.1\r\n", HTTP1},
		{"OPTIONS asterisk", "OPTIONS * HTTP/1.1\r\n", HTTP1},
		{"TRACE", "TRACE / HTTP/1.1", HTTP1},
		{"PATCH", "PATCH /x HTTP/1.1", HTTP1},
		{"G", "G", more},
		{"GET without space", "GET", more},
		{"GET space", "GET ", more},
		{"GET two spaces", "GET  /", Unknown},
		{"GET newline", "GET \r\n", Unknown},
		{"lower-case get", "get / HTTP/1.1", Unknown},
		{"GETS", "GETS /", more},
		{"GETS line", "GETS / HTTP/1.1\r\n", HTTP1},
		{"P prefix", "P", more},
		{"PO prefix", "PO", more},
		{"extension method, line not ended", "BREW /pot HTTP/1.1", more},
		{"extension method", "BREW /pot HTTP/1.1\r\n", HTTP1},
		{"PROPFIND", "PROPFIND /dav/ HTTP/1.1\r\nHost: x\r\n", HTTP1},
		{"MKCOL bare LF", "MKCOL /dav/new HTTP/1.0\n", HTTP1},
		{"M-SEARCH asterisk", "M-SEARCH * HTTP/1.1\r\n", HTTP1},
		{"PURGE absolute", "PURGE HTTP://lab.test/x HTTP/1.1\r\n", HTTP1},
		{"PROPF", "PROPF", more},
		{"REPORT space", "REPORT ", more},
		{"MKCALENDAR target", "MKCALENDAR /cal/x", more},
		{"extension CR only", "LOCK /x HTTP/1.1\r", more},
		{"extension version prefix", "LOCK /x HTTP/", more},
		{"extension HTTP/2.0", "LOCK /x HTTP/2.0\r\n", Unknown},
		{"extension no version", "LOCK /x\r\n", Unknown},
		{"extension version then junk", "LOCK /x HTTP/1.1 x\r\n", Unknown},
		{"extension CR then junk", "LOCK /x HTTP/1.1\rx", Unknown},
		{"extension empty target", "LOCK  HTTP/1.1\r\n", Unknown},
		{"extension control in target", "LOCK /a\x01 HTTP/1.1\r\n", Unknown},
		{"extension method bad byte", "LO(K / HTTP/1.1\r\n", Unknown},
		{"method of 32 bytes", strings.Repeat("A", 32) + " / HTTP/1.1\r\n", HTTP1},
		{"method of 33 bytes", strings.Repeat("A", 33), Unknown},
		{"lower-case extension", "propfind / HTTP/1.1\r\n", Unknown},
		{"digit first", "1GET / HTTP/1.1\r\n", Unknown},
		{"line at the limit", "LOCK /" + strings.Repeat("a", MaxRequestLine-16) + " HTTP/1.1\r\n", HTTP1},
		{"line past the limit", "LOCK /" + strings.Repeat("a", MaxRequestLine) + " HTTP/1.1\r\n", Unknown},
		{"unended line at the limit", "LOCK /" + strings.Repeat("a", MaxRequestLine-6), more},
		{"unended line past the limit", "LOCK /" + strings.Repeat("a", MaxRequestLine-5), Unknown},

		{"h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", HTTP2},
		{"h2 preface and frame", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04", HTTP2},
		{"h2 first line only", "PRI * HTTP/2.0\r\n", more},
		{"h2 23 bytes", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r", more},
		{"PRI", "PRI", more},
		{"PRI as an HTTP/1 method", "PRI * HTTP/1.1\r\n", Unknown},
		{"h2 wrong tail", "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", Unknown},

		{"proxy v1", "PROXY TCP4 10.0.0.1 10.0.0.2 1 2\r\n", ProxyV1},
		{"proxy v1 exact", "PROXY ", ProxyV1},
		{"PROXY no space", "PROXY", more},
		{"PR", "PR", more},
		{"PROXYX", "PROXYX", more},
		{"PROXYX line", "PROXYX / HTTP/1.1\r\n", HTTP1},

		{"proxy v2", "\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c", ProxyV2},
		{"proxy v2 exact", "\r\n\r\n\x00\r\nQUIT\n", ProxyV2},
		{"proxy v2 11 bytes", "\r\n\r\n\x00\r\nQUIT", more},
		{"proxy v2 one byte", "\r", more},
		{"proxy v2 mismatch at 5", "\r\n\r\n\x00X", Unknown},
		{"proxy v2 mismatch at 2", "\r\nX", Unknown},

		{"ssh", "SSH-2.0-OpenSSH_9.2\r\n", SSH},
		{"ssh exact", "SSH-", SSH},
		{"SS", "SS", more},
		{"SSH without dash", "SSH2", more},
		{"SSH without dash, not a request", "SSH2 x\r\n", Unknown},

		{"zero byte", "\x00", Unknown},
		{"smtp-ish", "EHLO x\r\n", Unknown},
		{"json", "{\"a\":1}", Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Classify([]byte(tt.in))
			if tt.want == more {
				if !errors.Is(err, ErrNeedMore) || got != Unknown {
					t.Fatalf("Classify(%q) = %v, %v; want Unknown, ErrNeedMore", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Classify(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestClassifyDecisionIsStable feeds real and synthetic openings byte by byte:
// once Classify decides, longer input must not change its mind, and it must
// decide by MaxClassifyBytes.
func TestClassifyDecisionIsStable(t *testing.T) {
	inputs := map[string][]byte{
		"go hello":   readHello(t, "hello-go-tls13.bin"),
		"curl hello": readHello(t, "hello-curl.bin"),
		"h2":         []byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"),
		"proxy v2":   []byte("\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c\x7f\x00\x00\x01\x7f\x00\x00\x01\x00\x01\x00\x02"),
		"http":       []byte("CONNECT lab.test:443 HTTP/1.1\r\nHost: lab.test:443\r\n\r\n"),
		"propfind":   []byte("PROPFIND /dav/ HTTP/1.1\r\nHost: lab.test\r\nDepth: 1\r\n\r\n"),
		"long line":  []byte("REPORT /" + strings.Repeat("c", MaxRequestLine) + " HTTP/1.1\r\n"),
		"alert":      []byte("\x15\x03\x03\x00\x02\x02\x30"),
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			decided := -1
			var kind Kind
			for n := 0; n <= len(in); n++ {
				k, err := Classify(in[:n])
				switch {
				case errors.Is(err, ErrNeedMore):
					if decided >= 0 {
						t.Fatalf("decided %v at %d bytes, then asked for more at %d", kind, decided, n)
					}
				case err != nil:
					t.Fatalf("at %d bytes: %v", n, err)
				case decided < 0:
					decided, kind = n, k
				case k != kind:
					t.Fatalf("decided %v at %d bytes, then %v at %d", kind, decided, k, n)
				}
			}
			if decided < 0 || decided > MaxClassifyBytes {
				t.Fatalf("decided at %d bytes", decided)
			}
		})
	}
}

func TestClassifyNeedMoreNamesCandidates(t *testing.T) {
	_, err := Classify([]byte("P"))
	for _, want := range []string{"1 bytes [50]", "http", "http2", "proxy_v1"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestCouldBeTLS(t *testing.T) {
	for _, tc := range []struct {
		b    string
		want bool
	}{
		{"", false},
		{"\x16", true},
		{"\x16\x03", true},
		{"\x16\x03\x01\x02\x00", true}, // a whole handshake record header
		{"\x15\x03\x03", true},         // an alert record's start
		{"\x80\x2e\x01", true},         // an SSLv2-format ClientHello's start
		{"\x16\x09", false},            // no TLS version begins 0x09
		{"GET", false},                 // "not SSL" already
		{"SSH-2.0", false},
		{"\x00\x01", false},
	} {
		if got := CouldBeTLS([]byte(tc.b)); got != tc.want {
			t.Errorf("CouldBeTLS(% x) = %v, want %v", tc.b, got, tc.want)
		}
	}
}

func TestTLSRecordPrefix(t *testing.T) {
	for _, tc := range []struct {
		b    string
		want bool
	}{
		{"", false},
		{"\x16", false},         // one byte is no record prefix (StalledHello takes it)
		{"\x16\x03", true},      // a handshake record's start
		{"\x15\x03", true},      // an alert's
		{"\x14\x03", true},      // a change_cipher_spec's
		{"\x17\x03", true},      // application data's
		{"\x16\x03\x01", false}, // three bytes: Classify names it
		{"\x16\x02", false},     // no TLS version begins 0x02
		{"\x18\x03", false},     // not a record type Classify takes
		{"\x80\x2e", false},     // an SSLv2 hello's length: could be anything binary
		{"GE", false},
	} {
		if got := TLSRecordPrefix([]byte(tc.b)); got != tc.want {
			t.Errorf("TLSRecordPrefix(% x) = %v, want %v", tc.b, got, tc.want)
		}
	}
}

// TestStalledHello: the bytes a client may stop after, mid-hello, per
// length; and that more bytes (a plaintext protocol whose first byte is
// 0x16 or has the high bit set) are never taken for one.
func TestStalledHello(t *testing.T) {
	for _, tc := range []struct {
		b    string
		want bool
	}{
		{"", false},
		{"\x16", true},               // a handshake record's first byte
		{"\x15", false},              // a lone alert byte (NAK) is no hello
		{"\x17", false},              // nor application data's
		{"\x16\x03", true},           // a record's start
		{"\x15\x03", true},           // an alert record's
		{"\x16\x03\x01", false},      // Classify names it: no stall of undecided bytes
		{"\x16A", false},             // 0x16, then plaintext
		{"\x80", false},              // the high bit alone: too little
		{"\x80\x2e", false},          // an SSLv2 length: could be any binary
		{"\x80\x2e\x01", true},       // an SSLv2 header, msg_type client_hello
		{"\x80\x2e\x01\x00", true},   // and the version's first byte, 0x0002 still possible
		{"\x80\x2e\x01\x03", false},  // Classify names it (SSLv2Hello)
		{"\x80\x2e\x02", false},      // msg_type 2 is no client_hello
		{"\x80\x05\x01", false},      // shorter than the fixed part
		{"\xc3\xa9t\xc3\xa9", false}, // UTF-8 text
		{"GE", false},
	} {
		if got := StalledHello([]byte(tc.b)); got != tc.want {
			t.Errorf("StalledHello(% x) = %v, want %v", tc.b, got, tc.want)
		}
	}
}

func TestProxyPrefix(t *testing.T) {
	for _, tc := range []struct {
		b      string
		v1, v2 bool
	}{
		{"", false, false},
		{"P", true, false},
		{"PROXY", true, false},
		{"PROXY ", false, false}, // a whole v1 signature: Classify names it ProxyV1
		{"\r\n", false, true},
		{"\r\n\r\n\x00", false, true},
		{"\r\n\r\n\x00\r\nQUIT\n", false, false}, // a whole v2 signature
		{"PUT", false, false},
		{"GE", false, false},
		{"\r\n\r\n\x01", false, false},
	} {
		if v1, v2 := ProxyPrefix([]byte(tc.b)); v1 != tc.v1 || v2 != tc.v2 {
			t.Errorf("ProxyPrefix(%q) = %v, %v; want %v, %v", tc.b, v1, v2, tc.v1, tc.v2)
		}
	}
}
