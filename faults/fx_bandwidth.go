package faults

import "time"

// bandwidth throttles one direction to rate KB/s (1 KB = 1000 bytes, as
// Toxiproxy counts). A chunk goes out in pieces of 100 ms worth, each after
// the time its bytes would take on the wire, so the flow is smooth rather
// than bursty.
type bandwidth struct {
	next sink
	k    *ctl
	rate int // KB/s, > 0
}

func (b *bandwidth) Write(p []byte) (int, error) {
	step := b.rate * 100 // bytes per 100 ms
	sent := 0
	for len(p) > 0 {
		n := min(len(p), step)
		if err := b.k.wait(time.Duration(n) * time.Millisecond / time.Duration(b.rate)); err != nil {
			return sent, err
		}
		m, err := b.next.Write(p[:n])
		sent += m
		if err != nil {
			return sent, err
		}
		p = p[n:]
	}
	return sent, nil
}

func (b *bandwidth) End(fin bool) error { return b.next.End(fin) }
