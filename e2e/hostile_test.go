package e2e

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// captureHello returns the first TLS record a real Go client sends: its
// ClientHello, captured on a loopback listener that never answers.
func captureHello(t *testing.T) []byte {
	t.Helper()
	ln := listenLoopback(t)
	defer ln.Close()
	go func() {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(clientTimeout))
		_ = tls.Client(c, &tls.Config{ServerName: "lab.test"}).Handshake() // fails when we close
	}()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(clientTimeout))
	hdr := make([]byte, 5)
	if _, err := io.ReadFull(c, hdr); err != nil {
		t.Fatal(err)
	}
	body := make([]byte, binary.BigEndian.Uint16(hdr[3:5]))
	if _, err := io.ReadFull(c, body); err != nil {
		t.Fatal(err)
	}
	if hdr[0] != 0x16 || body[0] != 1 {
		t.Fatalf("captured record %x is not a ClientHello", hdr)
	}
	return append(hdr, body...)
}

// corruptFirstExtension sets the length of the hello's first extension to
// 0xffff, far past the end of the message.
func corruptFirstExtension(t *testing.T, rec []byte) []byte {
	t.Helper()
	b := append([]byte(nil), rec...)
	p := 5 + 4 + 2 + 32 // record header, handshake header, version, random
	p += 1 + int(b[p])  // session id
	p += 2 + int(binary.BigEndian.Uint16(b[p:]))
	p += 1 + int(b[p]) // compression methods
	p += 2             // extensions length
	if p+4 > len(b) {
		t.Fatalf("hello too short to hold an extension (%d bytes)", len(b))
	}
	binary.BigEndian.PutUint16(b[p+2:], 0xffff)
	return b
}

// Case 13: hostile first flights each end in a diagnosed event, and the
// gateway keeps serving.
func TestHostileInput(t *testing.T) {
	t.Parallel()
	be := startHTTPBackend(t, "plain", nil, nil)
	g := startGate(t, gateConfig{listeners: []spec{
		{Name: "term", TOML: fmt.Sprintf("mode = \"terminate\"\nbackend = %q\npeek_timeout = \"2s\"\n", be.addr)},
	}})
	addr := g.Addr("term")
	hello := captureHello(t)
	garbage := make([]byte, 200)
	if _, err := io.ReadFull(payload(13), garbage); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		send      []byte
		closeSend bool // close right after sending, like a scanner
		code      string
	}{
		{name: "garbage_200B", send: garbage, code: "plaintext_on_tls"},
		{name: "truncated_hello_40B", send: hello[:40], closeSend: true, code: "client_closed_early"},
		{name: "hello_bad_extension_length", send: corruptFirstExtension(t, hello), code: "hello_malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, local := dialTCP(t, addr)
			defer c.Close()
			_ = c.SetWriteDeadline(time.Now().Add(clientTimeout))
			if _, err := c.Write(tc.send); err != nil {
				t.Fatalf("write: %v", err)
			}
			if tc.closeSend {
				c.Close()
			} else {
				closedByServer(t, readEnd(c))
			}
			e := g.eventFrom(t, "term", local)
			wantCode(t, e, tc.code)
			if e.OK || e.Summary == "" || e.Cause == "" {
				t.Errorf("ok %v summary %q cause %q: want a diagnosed failure", e.OK, e.Summary, e.Cause)
			}
			if want := fmt.Sprintf("%x", tc.send[:min(len(tc.send), 64)]); e.FirstBytes != want {
				t.Errorf("first_bytes %s, want %s", e.FirstBytes, want)
			}
			if !strings.HasSuffix(strings.Join(e.BigIP, "\n"), handshakeFailed(local, addr)) {
				t.Errorf("bigip lines %q do not end with the 01260013 summary for %s", e.BigIP, local)
			}
			g.Alive(t)
		})
	}

	r := runCurl(t, "--cacert", g.CAPEM(), "https://"+addr+"/after")
	r.wantExit(t, 0)
	if !strings.HasPrefix(r.body, "backend=plain path=/after") {
		t.Errorf("after hostile input, body %q", r.body)
	}
	g.Alive(t)
	g.stop(t)
}
