package listener

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/explain"
)

// TestNonSSLAnswerToNonHTTP1Client: http400 and redirect answer in
// HTTP/1.1. An HTTP/2 prior-knowledge client (curl --http2-prior-knowledge
// prints "(52) Empty reply from server") or an SSH client cannot read that
// answer, so the log must not claim they got a readable 400 or a redirect.
func TestNonSSLAnswerToNonHTTP1Client(t *testing.T) {
	tests := []struct {
		action     NonSSL
		first, saw string
	}{
		{NonSSLHTTP400, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "curl: (52) Empty reply from server"},
		{NonSSLRedirect, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "curl: (52) Empty reply from server"},
		// The preface names no host: redirected to the address dialled,
		// said as the summary says it.
		{NonSSLRedirect, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "non_ssl action, redirect (to the address the client connected to, "},
		{NonSSLHTTP400, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", "kex_exchange_identification"},
		{NonSSLHTTP400, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "readable HTTP 400"},
	}
	for _, tt := range tests {
		t.Run(string(tt.action)+"/"+strings.Fields(tt.first)[0], func(t *testing.T) {
			h := startListener(t, Options{Mode: Terminate, Backend: "127.0.0.1:1", NonSSL: tt.action}, nil)
			c, err := net.Dial("tcp", h.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, tt.first); err != nil {
				t.Fatal(err)
			}
			status, _ := bufio.NewReader(c).ReadString('\n')
			if !strings.HasPrefix(status, "HTTP/1.1 ") {
				t.Fatalf("answer %q, want an HTTP/1.1 status line", status)
			}
			_ = c.(*net.TCPConn).CloseWrite() // ends tlsgate's drain at once
			r := h.next()
			if r.d.Code != explain.CodePlaintextOnTLS || !strings.Contains(r.d.ClientSaw, tt.saw) {
				t.Errorf("code %q client saw %q, want plaintext_on_tls saying %q", r.d.Code, r.d.ClientSaw, tt.saw)
			}
		})
	}
}
