package capture

import (
	"fmt"
	"net/netip"
)

// flow is one TCP connection rebuilt from a capture by following the
// rules a receiver would: every segment starts where the previous one of
// its direction ended, and every ACK covers exactly what the other side
// has sent so far.
type flow struct {
	client, server netip.AddrPort
	isn            [2]uint32 // [0] client's, [1] server's
	next           [2]uint32
	data           [2][]byte
	events         []string // "c SYN", "s SYN,ACK", "c PSH,ACK 5" ...
}

// followFlows checks the TCP semantics of pkts and returns the connections
// in the order their SYNs appear.
func followFlows(pkts []packet) ([]*flow, error) {
	var flows []*flow
	find := func(p packet) (*flow, int) {
		for _, f := range flows {
			switch {
			case p.src == f.client && p.dst == f.server:
				return f, 0
			case p.src == f.server && p.dst == f.client:
				return f, 1
			}
		}
		return nil, 0
	}
	for i, p := range pkts {
		f, d := find(p)
		if f == nil {
			if p.flags != flagSYN {
				return nil, fmt.Errorf("packet %d (%v -> %v, %s) belongs to no connection opened by a SYN", i, p.src, p.dst, flagNames(p.flags))
			}
			f = &flow{client: p.src, server: p.dst}
			f.isn[0], f.next[0] = p.seq, p.seq
			flows = append(flows, f)
		} else if p.flags&flagSYN != 0 {
			if d != 1 || p.flags != flagSYN|flagACK || len(f.events) != 1 {
				return nil, fmt.Errorf("packet %d: unexpected %s from side %d", i, flagNames(p.flags), d)
			}
			f.isn[1], f.next[1] = p.seq, p.seq
		}
		if p.seq != f.next[d] {
			return nil, fmt.Errorf("packet %d (%s): seq %d, want %d", i, flagNames(p.flags), p.seq-f.isn[d], f.next[d]-f.isn[d])
		}
		if p.flags&flagACK != 0 && p.ack != f.next[1-d] {
			return nil, fmt.Errorf("packet %d (%s): ack %d, want %d", i, flagNames(p.flags), p.ack-f.isn[1-d], f.next[1-d]-f.isn[1-d])
		}
		if p.flags&flagACK == 0 && p.ack != 0 {
			return nil, fmt.Errorf("packet %d: ack field %d without the ACK flag", i, p.ack)
		}
		f.next[d] += uint32(len(p.payload))
		if p.flags&(flagSYN|flagFIN) != 0 {
			f.next[d]++
		}
		f.data[d] = append(f.data[d], p.payload...)
		ev := string("cs"[d]) + " " + flagNames(p.flags)
		if len(p.payload) > 0 {
			ev += fmt.Sprintf(" %d", len(p.payload))
		}
		f.events = append(f.events, ev)
	}
	return flows, nil
}
