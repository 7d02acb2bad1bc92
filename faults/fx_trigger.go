package faults

import (
	"math/rand/v2"
	"sync"
)

// trigger carries out a connection-ending action at the first byte of its
// stage: the server's first bytes (server_flight, response) or the client's
// first application bytes (request). Those bytes never pass; instead the
// connection is reset or closed, or the client gets an alert (in the clear
// beneath the TLS session at request and response), a plain HTTP reply or
// a block page.
type trigger struct {
	next sink
	k    *ctl
	r    *Rule
	dir  Direction
	rng  *rand.Rand

	mu    sync.Mutex
	fired bool
	err   error // what writes get after firing; nil: they are dropped
}

func (t *trigger) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.fired {
		if t.err != nil {
			return 0, t.err
		}
		t.k.withheld(t.dir).Add(int64(len(p))) // dropped after a hold
		return len(p), nil
	}
	t.fired = true
	r := t.r
	switch r.Action {
	case ActReset:
		t.k.endedBy(r, 0)
		_ = t.k.reset()
		t.err = ErrReset
	case ActClose:
		if r.Direction == S2C && t.dir == S2C {
			// Half-close: FIN toward the client in place of these bytes,
			// keep reading. The client's stream ended here all the same.
			t.k.endedBy(r, 0)
			t.k.withheld(t.dir).Add(int64(len(p)))
			_ = t.next.End(true)
			return len(p), nil
		}
		t.k.endedBy(r, 0)
		t.k.closeAll()
		t.err = ErrClosedByFault
	case ActAlert:
		if r.Stage == StageRequest || r.Stage == StageResponse {
			// Mid-stream the alert goes toward the client whichever way
			// the triggering bytes flowed, beneath any TLS session.
			t.err = t.k.injectAlert(r)
			if t.err != nil {
				return 0, t.err
			}
			t.k.withheld(t.dir).Add(int64(len(p))) // held: the alert went in their place
			return len(p), nil
		}
		code := r.AlertCode()
		t.k.endedBy(r, code)
		if _, err := t.next.Write(AlertRecord(AlertLevel(code), code, uint16(r.RecordVersion))); err != nil {
			t.err = err
			return 0, err
		}
		if r.Then == ThenHold {
			t.k.withheld(t.dir).Add(int64(len(p))) // the alert went in their place
		}
		return t.follow(len(p))
	case ActPlaintextReply:
		t.k.endedBy(r, 0)
		reply, _ := RewriteHeaders(PlaintextReply(r.Status), nil, r.HeadersAdd)
		_, _ = t.next.Write(reply)
		t.k.closeAll()
		t.err = ErrClosedByFault
	case ActBlockPage:
		page, _ := RewriteHeaders(BlockPage(r.Status, r.Template, rngReader{t.rng}), nil, r.HeadersAdd)
		if t.k.w != nil {
			_, _ = t.k.w.Write(page)
			_ = t.k.w.CloseWrite()
		}
		_ = t.next.End(true) // the request never reaches the server
		return len(p), nil
	}
	return 0, t.err
}

// follow does the alert's follow-up: FIN (default), RST, or stay silent.
func (t *trigger) follow(n int) (int, error) {
	switch t.r.Then {
	case ThenHold:
		return n, nil
	case ThenRST:
		_ = t.k.reset()
		t.err = ErrReset
	default:
		t.k.closeAll()
		t.err = ErrClosedByFault
	}
	return 0, t.err
}

// End before firing passes on; after firing the action already ended or
// holds the direction.
func (t *trigger) End(fin bool) error {
	t.mu.Lock()
	fired := t.fired
	t.mu.Unlock()
	if fired {
		return nil
	}
	return t.next.End(fin)
}

// rngReader reads bytes from a math/rand generator, for support IDs.
type rngReader struct{ r *rand.Rand }

func (g rngReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(g.r.Uint32())
	}
	return len(p), nil
}
