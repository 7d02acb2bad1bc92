package listener

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"
)

// TestHelloStartThenPlaintext: a plaintext protocol whose first bytes are
// those a stalled hello begins with (a lone 0x16, an SSLv2 header with
// msg_type 1) and then goes on, before the peek deadline, with bytes no
// hello has. Only a stall at the deadline is taken for TLS
// (sniff.StalledHello); these are plaintext the moment the next byte
// comes, and plaintext and auto listeners relay them whole on both
// engines, as before.
func TestHelloStartThenPlaintext(t *testing.T) {
	needEpoll(t)
	echo := echoBackend(t)
	for _, tc := range []struct {
		name        string
		first, rest []byte
	}{
		{"0x16 then text", []byte{0x16}, []byte("SYN-framed request\n")},
		{"0x16 0x03 then no version", []byte{0x16, 0x03}, []byte{0x07, 'x'}},
		{"high bit then text", []byte{0xc3}, []byte("\xa9t\xc3\xa9\n")},
		{"SSLv2 header then no version", []byte{0x80, 0x2e, 0x01}, []byte{0x07, 0, 0}},
	} {
		for _, mode := range []Mode{Plaintext, Auto} {
			for _, eng := range testEngines {
				t.Run(fmt.Sprintf("%s/%s/%s", tc.name, mode, eng), func(t *testing.T) {
					needEngine(t, eng)
					// A peek deadline no run reaches: the rest always
					// comes first.
					h := startListener(t, Options{Mode: mode, Engine: eng, Backend: echo, PlainBackend: echo,
						PeekTimeout: time.Minute, IdleTimeout: time.Minute}, nil)
					c := dialGuarded(t, h.addr)
					if _, err := c.Write(tc.first); err != nil {
						t.Fatal(err)
					}
					// Let the peek read the first bytes alone (not an
					// assertion: coalesced writes must pass too).
					time.Sleep(20 * time.Millisecond)
					if _, err := c.Write(tc.rest); err != nil {
						t.Fatal(err)
					}
					want := append(append([]byte(nil), tc.first...), tc.rest...)
					got := make([]byte, len(want))
					if _, err := io.ReadFull(c, got); err != nil || !bytes.Equal(got, want) {
						t.Fatalf("echo % x, %v; want % x relayed whole", got, err, want)
					}
					_ = c.CloseWrite()
					_, _ = io.Copy(io.Discard, c)
					if r := h.next(); r.o.Route != "plain" || r.o.BytesUp != int64(len(want)) {
						t.Errorf("route %q, %d bytes up (%s); want plain, %d", r.o.Route, r.o.BytesUp, r.d.Summary, len(want))
					}
				})
			}
		}
	}
}
