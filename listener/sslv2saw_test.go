package listener

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestSSLv2HelloClientSawIsWhatWasSent: the "client saw" of an
// SSLv2-format hello on a terminate listener quotes the bytes crypto/tls
// really answered with, and none of the curl, Go or Java messages of
// clients that never send such a hello.
func TestSSLv2HelloClientSawIsWhatWasSent(t *testing.T) {
	h := startListener(t, Options{Mode: Terminate, Backend: echoBackend(t)}, nil)
	c := dialGuarded(t, h.addr)
	if _, err := c.Write(sslv2Hello()); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second)) // hang guard only
	got, _ := io.ReadAll(c)
	r := h.next()
	if r.d.Code != explain.CodeVersionTooOld || len(got) == 0 {
		t.Fatalf("code %q, client read % x; want ssl_version_too_old and an answer", r.d.Code, got)
	}
	for _, lang := range explain.Langs() {
		saw := explain.DiagnoseLang(r.o, lang).ClientSaw
		if want := fmt.Sprintf("% x", got); !strings.Contains(saw, want) {
			t.Errorf("%s: client saw %q, want the bytes sent (%s)", lang, saw, want)
		}
		for _, modern := range []string{"curl: (35)", "remote error: tls", "Received fatal alert", "ERR_SSL_VERSION_OR_CIPHER_MISMATCH"} {
			if strings.Contains(saw, modern) {
				t.Errorf("%s: client saw quotes %q, a message no SSLv2-hello client prints: %q", lang, modern, saw)
			}
		}
	}
}
