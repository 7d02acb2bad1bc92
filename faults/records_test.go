package faults

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// testGuard bounds every loopback exchange so a broken test fails instead
// of hanging; no assertion depends on it.
const testGuard = 10 * time.Second

// serveHello listens on loopback, accepts one connection, reads a whole
// ClientHello and hands it to respond. The returned channel yields whatever
// respond returns once it has run.
func serveHello[T any](t *testing.T, respond func(c net.Conn, h *sniff.ClientHello) T) (addr string, result <-chan T) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan T, 1)
	go func() {
		defer close(out)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(testGuard))
		var buf []byte
		chunk := make([]byte, 4096)
		for {
			n, err := c.Read(chunk)
			buf = append(buf, chunk[:n]...)
			h, perr := sniff.ParseClientHello(buf)
			if perr == nil {
				out <- respond(c, h)
				return
			}
			if err != nil || !errors.Is(perr, sniff.ErrNeedMore) {
				t.Errorf("reading the ClientHello: read %v, parse %v", err, perr)
				return
			}
		}
	}()
	return ln.Addr().String(), out
}

// goHandshake runs a Go TLS client against addr and returns its error.
func goHandshake(t *testing.T, addr string, cfg *tls.Config) error {
	t.Helper()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(testGuard))
	if cfg == nil {
		cfg = &tls.Config{}
	}
	cfg.ServerName = "lab.test"
	cfg.InsecureSkipVerify = true
	return tls.Client(raw, cfg).Handshake()
}

// clientReply reads what the client sends after our answer, up to its alert.
func clientReply(c net.Conn) []byte {
	var out []byte
	buf := make([]byte, 512)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if _, _, ok := sniff.ParseAlert(out); ok || err != nil {
			return out
		}
	}
}

func testRandom() *rand.ChaCha8 { return rand.NewChaCha8([32]byte{1, 2, 3}) }

func TestHandWrittenServerHellosGoClient(t *testing.T) {
	tests := []struct {
		name      string
		record    func(h *sniff.ClientHello) []byte
		cfg       *tls.Config
		wantErr   string
		wantAlert uint8 // what the Go client sends back (client-symptoms.md §8.3)
	}{
		{"ssl3", func(h *sniff.ClientHello) []byte { return ServerHelloSSL3(h, testRandom()) }, nil,
			"tls: server selected unsupported protocol version 300", 70},
		{"unoffered rc4-md5", func(h *sniff.ClientHello) []byte {
			return ServerHelloUnofferedCipher(h, PickUnoffered(h, nil), testRandom())
		}, nil, "tls: server chose an unconfigured cipher suite", 40},
		{"unoffered, tls1.2 client", func(h *sniff.ClientHello) []byte {
			return ServerHelloUnofferedCipher(h, PickUnoffered(h, []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA"}), testRandom())
		}, &tls.Config{MaxVersion: tls.VersionTLS12}, "tls: server chose an unconfigured cipher suite", 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, reply := serveHello(t, func(c net.Conn, h *sniff.ClientHello) []byte {
				if _, err := c.Write(tt.record(h)); err != nil {
					return nil
				}
				return clientReply(c)
			})
			err := goHandshake(t, addr, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("handshake error = %v, want %q", err, tt.wantErr)
			}
			if _, desc, ok := sniff.ParseAlert(<-reply); !ok || desc != tt.wantAlert {
				t.Errorf("client answered alert %d (found %v), want %d", desc, ok, tt.wantAlert)
			}
		})
	}
}

// TestAlertRecordsGoClient checks every alert our symptom table names against
// a real Go client: the error text must be the one GoAlertText gives.
func TestAlertRecordsGoClient(t *testing.T) {
	for _, code := range []uint8{10, 40, 42, 43, 44, 45, 46, 47, 48, 49, 50, 70, 71, 80, 86, 112, 116, 120, 200} {
		t.Run(sniff.AlertName(code), func(t *testing.T) {
			addr, _ := serveHello(t, func(c net.Conn, h *sniff.ClientHello) bool {
				_, err := c.Write(AlertRecord(AlertFatal, code, 0))
				return err == nil
			})
			err := goHandshake(t, addr, nil)
			want := "remote error: tls: " + GoAlertText(code)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("handshake error = %v, want %q", err, want)
			}
			if s := Symptom("alert", "client_hello", &Rule{Action: ActAlert, Alert: ptr(Alert(code))}); !strings.Contains(s, want) {
				t.Errorf("Symptom %q lacks the observed Go error %q", s, want)
			}
		})
	}
}

func TestAlertRecordBytes(t *testing.T) {
	if got := AlertRecord(2, 112, 0); !bytes.Equal(got, []byte{21, 3, 1, 0, 2, 2, 112}) {
		t.Errorf("AlertRecord = %v", got)
	}
	if got := AlertRecord(1, 0, 0x0303); !bytes.Equal(got, []byte{21, 3, 3, 0, 2, 1, 0}) {
		t.Errorf("AlertRecord(close_notify, 1.2) = %v", got)
	}
	if AlertLevel(0) != AlertWarning || AlertLevel(48) != AlertFatal {
		t.Error("AlertLevel")
	}
	h := &sniff.ClientHello{CipherSuites: []uint16{0x0a0a, 0x1301, 0x00ff, 0xc02f}, LegacyVersion: 0x0303}
	sh := ServerHelloSSL3(h, testRandom())
	if sh[0] != 22 || sh[1] != 3 || sh[2] != 0 || sh[9] != 3 || sh[10] != 0 {
		t.Errorf("SSL3 hello header = %v", sh[:11])
	}
	// The suite is the first real pre-1.3 suite the client offered.
	suiteAt := 5 + 4 + 2 + 32 + 1
	if got := uint16(sh[suiteAt])<<8 | uint16(sh[suiteAt+1]); got != 0xc02f {
		t.Errorf("SSL3 hello suite = %#04x, want 0xc02f", got)
	}
	if !bytes.HasSuffix(sh, []byte{0, 5, 0xff, 0x01, 0, 1, 0}) {
		t.Error("no renegotiation_info extension")
	}
	if got := PickUnoffered(&sniff.ClientHello{CipherSuites: []uint16{0x0004}}, []string{"TLS_RSA_WITH_RC4_128_MD5", "0x000a"}); got != 0x000a {
		t.Errorf("PickUnoffered skipped an offered suite wrongly: %#04x", got)
	}
	if got := ServerHelloUnofferedCipher(&sniff.ClientHello{LegacyVersion: 0x0301}, 4, testRandom()); got[9] != 3 || got[10] != 1 {
		t.Errorf("TLS 1.0 client should get a TLS 1.0 ServerHello, got version %v", got[9:11])
	}
}

// TestHandWrittenRecordsCurl runs curl (OpenSSL) against the same records and
// checks the strings client-symptoms.md and our symptom table quote.
func TestHandWrittenRecordsCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		// scripts/test.sh installs curl; a missing tool is a failure, not a pass.
		t.Fatalf("this test needs curl (apt-get install -y curl): %v", err)
	}
	tests := []struct {
		name   string
		record func(h *sniff.ClientHello) []byte
		want   string
		rule   *Rule
	}{
		{"ssl3", func(h *sniff.ClientHello) []byte { return ServerHelloSSL3(h, testRandom()) }, "unsupported protocol",
			&Rule{Action: ActSSL3ServerHello}},
		{"unoffered", func(h *sniff.ClientHello) []byte {
			return ServerHelloUnofferedCipher(h, PickUnoffered(h, nil), testRandom())
		}, "unknown cipher returned", &Rule{Action: ActUnofferedCipher}},
		{"alert 40", func(*sniff.ClientHello) []byte { return AlertRecord(2, 40, 0) }, "sslv3 alert handshake failure",
			&Rule{Action: ActAlert, Alert: ptr(Alert(40))}},
		{"alert 48", func(*sniff.ClientHello) []byte { return AlertRecord(2, 48, 0) }, "tlsv1 alert unknown ca",
			&Rule{Action: ActAlert, Alert: ptr(Alert(48))}},
		{"alert 112", func(*sniff.ClientHello) []byte { return AlertRecord(2, 112, 0) }, "tlsv1 unrecognized name",
			&Rule{Action: ActSNIPolicy}},
		{"alert 120", func(*sniff.ClientHello) []byte { return AlertRecord(2, 120, 0) }, "tlsv1 alert no application protocol",
			&Rule{Action: ActALPNRefuse}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr, done := serveHello(t, func(c net.Conn, h *sniff.ClientHello) bool {
				_, _ = c.Write(tt.record(h))
				clientReply(c)
				return true
			})
			ctx, cancel := context.WithTimeout(context.Background(), testGuard)
			defer cancel()
			out, err := exec.CommandContext(ctx, curl, "-sS", "-k", "--max-time", strconv.Itoa(int(testGuard/time.Second)),
				"https://"+addr+"/").CombinedOutput()
			<-done
			if err == nil {
				t.Fatalf("curl succeeded: %s", out)
			}
			if !strings.Contains(string(out), tt.want) {
				t.Fatalf("curl said %q, want %q", out, tt.want)
			}
			if s := Symptom(string(tt.rule.Action), "client_hello", tt.rule); !strings.Contains(s, tt.want) {
				t.Errorf("Symptom %q lacks curl's %q", s, tt.want)
			}
		})
	}
}
