package probe

import (
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// serverHello builds a ServerHello record: legacy version, cipher, and a
// supported_versions extension when sv is not zero.
func serverHello(legacy, cipher, sv uint16, random string) []byte {
	if random == "" {
		random = strings.Repeat("r", 32)
	}
	m := []byte{byte(legacy >> 8), byte(legacy)}
	m = append(m, random...)
	m = append(m, 0, byte(cipher>>8), byte(cipher), 0)
	if sv != 0 {
		m = append(m, 0, 6, 0, 43, 0, 2, byte(sv>>8), byte(sv))
	}
	msg := append([]byte{2, 0, byte(len(m) >> 8), byte(len(m))}, m...)
	return append([]byte{22, 3, 3, byte(len(msg) >> 8), byte(len(msg))}, msg...)
}

func TestParseReply(t *testing.T) {
	tls13 := serverHello(0x0303, tls.TLS_AES_128_GCM_SHA256, 0x0304, "")
	// OpenSSL packs the whole flight into one record: the ServerHello is
	// complete while the record is not.
	packed := append([]byte(nil), tls13...)
	packed[3], packed[4] = 0x10, 0x00 // the record now claims 4,096 bytes
	packed = append(packed, 11, 0, 0x0f, 0x00, 0, 0)
	cases := []struct {
		name    string
		in      []byte
		atEOF   bool
		kind    string
		version uint16
		alert   int
		line    string
		more    bool // errNeedMore expected
	}{
		{name: "TLS 1.3 ServerHello", in: tls13, kind: replyServerHello, version: 0x0304, alert: -1},
		{name: "TLS 1.2 ServerHello without extensions", in: serverHello(0x0303, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 0, ""), kind: replyServerHello, version: 0x0303, alert: -1},
		{name: "SSLv3 ServerHello", in: serverHello(0x0300, 0x002f, 0, ""), kind: replyServerHello, version: 0x0300, alert: -1},
		{name: "HelloRetryRequest", in: serverHello(0x0303, tls.TLS_AES_128_GCM_SHA256, 0x0304, hrrRandom), kind: replyHRR, version: 0x0304, alert: -1},
		{name: "ServerHello in a packed, cut record", in: packed, kind: replyServerHello, version: 0x0304, alert: -1},
		// A record of zeros behind a ServerHello header (a 16 MiB message
		// declared) read as a ServerHello with version 0x0000 and cipher
		// 0x0000, marked ✓, and later steps blamed SNI for the failures.
		{name: "zeros under a ServerHello header", in: append([]byte{22, 3, 3, 0x40, 0, 2, 0xff, 0xff, 0xff}, make([]byte, 0x4000-4)...), kind: replyTLSOther, alert: -1},
		{name: "ServerHello with version 0x0000", in: serverHello(0x0000, 0, 0, ""), kind: replyTLSOther, alert: -1},
		{name: "ServerHello record cut short", in: tls13[:20], more: true},
		{name: "ServerHello record cut at EOF", in: tls13[:20], atEOF: true, kind: replyTLSOther, alert: -1},
		{name: "alert 112", in: []byte{21, 3, 3, 0, 2, 2, 112}, kind: replyAlert, alert: 112},
		{name: "alert header only", in: []byte{21, 3, 3}, more: true},
		{name: "encrypted alert", in: []byte{21, 3, 3, 0, 3, 1, 2, 3}, kind: replyTLSOther, alert: -1},
		{name: "change_cipher_spec first", in: []byte{20, 3, 3, 0, 1, 1}, kind: replyTLSOther, alert: -1},
		{name: "certificate before hello", in: []byte{22, 3, 3, 0, 4, 11, 0, 0, 0}, kind: replyTLSOther, alert: -1},
		{name: "oversized record", in: []byte{23, 3, 3, 0xff, 0xff}, kind: replyTLSOther, alert: -1},
		{name: "HTTP 400", in: []byte("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n"), kind: replyHTTP, line: "HTTP/1.1 400 Bad Request", alert: -1},
		{name: "HTTP line still arriving", in: []byte("HTTP/1.1 40"), more: true},
		{name: "HTTP line cut at EOF", in: []byte("HTTP/1.1 40"), atEOF: true, kind: replyHTTP, line: "HTTP/1.1 40", alert: -1},
		{name: "SSH banner", in: []byte("SSH-2.0-OpenSSH_9.2p1\r\n"), kind: replySSH, line: "SSH-2.0-OpenSSH_9.2p1", alert: -1},
		{name: "SMTP greeting", in: []byte("220 mail.lab.test ESMTP Postfix\r\n"), kind: replyGreeting, alert: -1},
		{name: "FTP multi-line greeting", in: []byte("220-Welcome\r\n"), kind: replyGreeting, alert: -1},
		{name: "IMAP", in: []byte("* OK [CAPABILITY IMAP4rev1] ready\r\n"), kind: replyIMAP, alert: -1},
		{name: "POP3", in: []byte("+OK POP3 ready\r\n"), kind: replyPOP3, alert: -1},
		{name: "other text", in: []byte("hello there\n"), kind: replyText, line: "hello there", alert: -1},
		{name: "binary", in: []byte{0, 1, 2, 0xff, '\n'}, kind: replyBinary, alert: -1},
		{name: "nothing yet", in: nil, more: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := parseReply(tc.in, tc.atEOF)
			if tc.more {
				if !errors.Is(err, errNeedMore) {
					t.Fatalf("got %+v, %v; want errNeedMore", r, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if r.kind != tc.kind || r.alert != tc.alert || (tc.version != 0 && r.version != tc.version) || (tc.line != "" && r.line != tc.line) {
				t.Errorf("got %+v; want kind %s version %#x alert %d line %q", r, tc.kind, tc.version, tc.alert, tc.line)
			}
			if r.kind == replyTLSOther && r.detail == "" {
				t.Errorf("a tls_other reply without detail: %+v", r)
			}
		})
	}
}

// TestParseReplyRealServer parses what a real crypto/tls server answers to
// the probe's own ClientHello, for each version it is capped at.
func TestParseReplyRealServer(t *testing.T) {
	pki := newPKI(t)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		addr := tlsServer(t, &tls.Config{Certificates: []tls.Certificate{pki.good()}, MaxVersion: v})
		p := &prober{o: Options{SNI: "lab.test"}.withDefaults(), sni: "lab.test"}
		hello, err := helloBytes(p.baseConfig())
		if err != nil {
			t.Fatal(err)
		}
		b := exchange(t, addr, hello)
		r, err := parseReply(b, true)
		if err != nil || r.kind != replyServerHello || r.version != v {
			t.Errorf("max %#x: got %+v, %v from % x", v, r, err, b[:min(len(b), 16)])
		}
		if w := walkRecords(b); !w.serverHello || w.complete == 0 || w.garbage >= 0 {
			t.Errorf("max %#x: walk %+v", v, w)
		}
	}
}

// exchange writes b to addr and returns what arrives within a second.
func exchange(t *testing.T, addr string, b []byte) []byte {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil || len(out) >= 5 && len(out) >= 5+int(out[3])<<8|int(out[4]) {
			return out
		}
	}
}

func TestWalkRecords(t *testing.T) {
	hello := serverHello(0x0303, tls.TLS_AES_128_GCM_SHA256, 0x0304, "")
	ccs := []byte{20, 3, 3, 0, 1, 1}
	appData := append([]byte{23, 3, 3, 0x05, 0xdc}, make([]byte, 0x5dc)...) // 1,500-byte record
	cases := []struct {
		name string
		in   []byte
		want recordWalk
	}{
		{"whole flight", cat(hello, ccs, appData), recordWalk{complete: 3, serverHello: true, garbage: -1}},
		{"cut in the encrypted flight", cat(hello, ccs, appData[:700]), recordWalk{complete: 2, serverHello: true, partial: true, partialType: 23, partialIndex: 3, declared: 1500, got: 695, garbage: -1}},
		{"cut in a header", cat(hello, ccs[:3]), recordWalk{complete: 1, serverHello: true, partial: true, partialType: 20, partialIndex: 2, declared: -1, garbage: -1}},
		{"garbage after a record", cat(hello, []byte("HTTP/1.1")), recordWalk{complete: 1, serverHello: true, garbage: len(hello)}},
		{"no hello first", cat(ccs, hello), recordWalk{complete: 2, garbage: -1}},
		{"empty", nil, recordWalk{garbage: -1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := walkRecords(tc.in); got != tc.want {
				t.Errorf("got %+v; want %+v", got, tc.want)
			}
		})
	}
}

// cat joins byte slices into a new one.
func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestSSLv3Hello(t *testing.T) {
	b, err := sslv3Hello(strings.NewReader(strings.Repeat("\x07", 32)))
	if err != nil {
		t.Fatal(err)
	}
	h, err := sniff.ParseClientHello(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.RecordVersion != 0x0300 || h.LegacyVersion != 0x0300 || len(h.Extensions) != 0 || len(h.CipherSuites) != len(sslv3Suites()) || h.WireLen != len(b) {
		t.Errorf("parsed %+v from % x", h, b)
	}
	if _, err := sslv3Hello(strings.NewReader("short")); err == nil || !strings.Contains(err.Error(), "probe: random") {
		t.Errorf("short random: err %v", err)
	}
}

func TestHelloBytes(t *testing.T) {
	p := &prober{o: Options{}.withDefaults(), sni: "lab.test"}
	small, err := helloBytes(p.baseConfig())
	if err != nil {
		t.Fatal(err)
	}
	big := p.baseConfig()
	big.CurvePreferences = largeCurves()
	large, err := helloBytes(big)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := sniff.ParseClientHello(small)
	if err != nil {
		t.Fatal(err)
	}
	hl, err := sniff.ParseClientHello(large)
	if err != nil {
		t.Fatal(err)
	}
	if hs.ServerName != "lab.test" || len(hs.KeyShareGroups) != 1 || hs.MinVersion() != tls.VersionTLS10 || hs.MaxVersion() != tls.VersionTLS13 {
		t.Errorf("small hello: %+v", hs)
	}
	if len(small) >= segmentHint || len(large) <= segmentHint || hl.KeyShareGroups[0] != uint16(tls.X25519MLKEM768) {
		t.Errorf("hello sizes %d and %d, large shares %v; want one under and one over %d with X25519MLKEM768 first", len(small), len(large), hl.KeyShareGroups, segmentHint)
	}
	if _, err := helloBytes(&tls.Config{MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS12}); err == nil {
		t.Error("an impossible config produced a hello")
	}
}
