package listener

import (
	"strings"
	"testing"
	"time"

	"github.com/tlsgate/tlsgate/explain"
)

// TestTrickledHelloEndsAtHandshakeTimeout: a slow-loris client on a
// terminate listener sends its hello a byte at a time, past the peek
// deadline and on until handshake_timeout ends the connection. The log
// must say that bytes kept arriving and that the handshake timeout ended
// it, not that the client "stalled" with "nothing more" after the peek.
func TestTrickledHelloEndsAtHandshakeTimeout(t *testing.T) {
	hello := captureHello(t)
	h := startListener(t, Options{Mode: Terminate, Backend: echoBackend(t),
		PeekTimeout: 300 * time.Millisecond, HandshakeTimeout: 1500 * time.Millisecond}, nil)
	c := dialGuarded(t, h.addr)
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for i := range hello {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if _, err := c.Write(hello[i : i+1]); err != nil {
				return
			}
		}
	}()
	r := h.next()
	close(stop)
	<-sent
	o := r.o
	if r.d.Code != explain.CodeHandshakeTimeout || o.ClientTLS.LateBytes == 0 || o.HandshakeTimeout != 1500*time.Millisecond {
		t.Fatalf("code %s, late bytes %d, handshake timeout %v, client error %q: want a handshake timeout after bytes kept coming",
			r.d.Code, o.ClientTLS.LateBytes, o.HandshakeTimeout, o.ClientTLS.Err)
	}
	for _, lang := range explain.Langs() {
		d := explain.DiagnoseLang(o, lang)
		text := d.Summary + "\n" + d.Cause
		for _, wrong := range []string{"then stalled", "nothing more within", "止まった", "それ以上何も送ってこなかった"} {
			if strings.Contains(text, wrong) {
				t.Errorf("%s: says %q of a client that kept sending:\n%s", lang, wrong, text)
			}
		}
		if !strings.Contains(text, "handshake_timeout") || !strings.Contains(d.Summary, "1.5s") {
			t.Errorf("%s: does not say the handshake timeout (1.5s) ended it:\n%s", lang, text)
		}
	}
}
