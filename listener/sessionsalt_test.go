package listener

import (
	"io"
	"net"
	"testing"
)

// TestOutcomesCarryTheSessionSalt: every connection of a process carries
// the one salt it was given at start (Deps.SessionSalt), which the session
// lines' SIDs mix in; the connection IDs beside it change.
func TestOutcomesCarryTheSessionSalt(t *testing.T) {
	const salt = 0x5eed5a17c0ffee01
	h := startListenerDeps(t, Options{Mode: Plaintext, Backend: echoBackend(t)}, func(d *Deps) { d.SessionSalt = salt })
	ids := map[uint64]bool{}
	for range 2 {
		c, err := net.Dial("tcp", h.addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.(*net.TCPConn).CloseWrite()
		_, _ = io.Copy(io.Discard, c)
		_ = c.Close()
		r := h.next()
		if r.o.SessionSalt != salt {
			t.Errorf("connection %d: salt %#x, want %#x", r.o.ID, r.o.SessionSalt, uint64(salt))
		}
		ids[r.o.ID] = true
	}
	if len(ids) != 2 {
		t.Errorf("connection IDs %v, want two", ids)
	}
}
