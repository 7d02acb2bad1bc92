package listener

import (
	"crypto/tls"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
	"github.com/tlsgate/tlsgate/sniff"
)

// TestHelloRetryAbandoned: a client whose TLS 1.3 hello gets a
// HelloRetryRequest and that then hangs up, as a probe does, was sent no
// certificate. The log says it abandoned the handshake after the retry,
// never that it saw tlsgate's certificate (the pinning story), whether it
// closes or resets.
func TestHelloRetryAbandoned(t *testing.T) {
	// The hello tlsgate probe sends to tell a lost hello from a lost
	// answer: TLS 1.3 only, with an empty key_share list, which every
	// TLS 1.3 server answers with a HelloRetryRequest.
	hello := withoutKeyShares(t, captureHelloConfig(t, &tls.Config{ServerName: "lab.test", InsecureSkipVerify: true,
		MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519}}))
	tests := []struct {
		name  string
		reset bool
		code  string
		words string
	}{
		{"close", false, explain.CodeClientClosedEarly, "closed the connection (FIN) after tlsgate's HelloRetryRequest"},
		{"reset", true, explain.CodeClientResetEarly, "reset the connection (RST) after tlsgate's HelloRetryRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := startListener(t, Options{Mode: Terminate, Backend: echoBackend(t), ClientSSL: &ClientSSL{}}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			// A deadline only so a broken listener cannot hang the test.
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := c.Write(hello); err != nil {
				t.Fatal(err)
			}
			// The retry, then the compatibility CCS that follows it for
			// a hello with a session ID (Go's has one): read both, so
			// that closing leaves nothing unread to turn a FIN into an RST.
			var answer []byte
			for range 2 {
				hdr, body, err := readTLSRecord(c)
				if err != nil {
					t.Fatalf("reading the answer after % x: %v", answer, err)
				}
				answer = append(append(answer, hdr...), body...)
			}
			if !sniff.HelloRetryOnly(answer) || answer[len(answer)-6] != 20 {
				t.Fatalf("the answer is not a HelloRetryRequest and its CCS: % x", answer)
			}
			if tt.reset {
				_ = c.(*net.TCPConn).SetLinger(0)
			}
			_ = c.Close()
			r := h.next()
			l := r.o.ClientTLS
			if r.d.Code != tt.code || !l.HelloRetryOnly || l.ServerFlightSent || !strings.Contains(r.d.Summary, tt.words) {
				t.Fatalf("code %s (%s), retry only %v, flight sent %v; want %s saying %q",
					r.d.Code, r.d.Summary, l.HelloRetryOnly, l.ServerFlightSent, tt.code, tt.words)
			}
			for _, lang := range []string{explain.LangEN, explain.LangJA} {
				d := explain.DiagnoseLang(r.o, lang)
				all := d.Summary + d.Cause + d.ClientSaw + strings.Join(d.Checks, " ")
				for _, claim := range []string{"saw tlsgate's certificate", "certificate pinning does", "の証明書を受け取った", "黙って切るのは証明書ピンニング"} {
					if strings.Contains(all, claim) {
						t.Errorf("%s: %q claims a certificate was seen: %s", lang, claim, all)
					}
				}
			}
		})
	}
}

// captureHelloConfig returns the first ClientHello record a crypto/tls
// client with cfg writes.
func captureHelloConfig(t *testing.T, cfg *tls.Config) []byte {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return
		}
		tc := tls.Client(c, cfg)
		_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
		_ = tc.Handshake()
		tc.Close()
	}()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.SetReadDeadline(time.Now().Add(10 * time.Second))
	hdr, body, err := readTLSRecord(s)
	if err != nil {
		t.Fatal(err)
	}
	return append(hdr, body...)
}

// readTLSRecord reads one whole TLS record.
func readTLSRecord(c net.Conn) (hdr, body []byte, err error) {
	hdr = make([]byte, 5)
	if _, err = io.ReadFull(c, hdr); err != nil {
		return nil, nil, err
	}
	body = make([]byte, int(hdr[3])<<8|int(hdr[4]))
	_, err = io.ReadFull(c, body)
	return hdr, body, err
}

// withoutKeyShares rewrites a ClientHello record so that its key_share
// extension (51) is an empty list, fixing the extensions', the handshake
// message's and the record's lengths.
func withoutKeyShares(t *testing.T, rec []byte) []byte {
	t.Helper()
	msg := rec[9:]
	pos := 34                                       // legacy_version, random
	pos += 1 + int(msg[pos])                        // session_id
	pos += 2 + (int(msg[pos])<<8 | int(msg[pos+1])) // cipher_suites
	pos += 1 + int(msg[pos])                        // compression_methods
	var exts []byte
	for e := pos + 2; e < len(msg); {
		typ, n := int(msg[e])<<8|int(msg[e+1]), int(msg[e+2])<<8|int(msg[e+3])
		if typ == 51 {
			exts = append(exts, 0, 51, 0, 2, 0, 0)
		} else {
			exts = append(exts, msg[e:e+4+n]...)
		}
		e += 4 + n
	}
	body := append(append(append([]byte(nil), msg[:pos]...), byte(len(exts)>>8), byte(len(exts))), exts...)
	hs := append([]byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}, body...)
	return append([]byte{22, rec[1], rec[2], byte(len(hs) >> 8), byte(len(hs))}, hs...)
}
