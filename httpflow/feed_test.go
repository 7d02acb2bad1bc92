package httpflow

import (
	"fmt"
	"math/rand/v2"
	"reflect"
)

// result is everything a tracker reports, comparable across feeding modes.
type result struct {
	Exchanges []Exchange
	Dropped   int
	Err       string
}

func (r result) String() string {
	s := fmt.Sprintf("dropped=%d err=%q", r.Dropped, r.Err)
	for i, e := range r.Exchanges {
		s += fmt.Sprintf("\n  [%d] %+v", i, e)
	}
	return s
}

func snapshot(t *Tracker) result {
	r := result{Exchanges: t.Exchanges(), Dropped: t.Dropped()}
	if err := t.Err(); err != nil {
		r.Err = err.Error()
	}
	return r
}

func sameResult(a, b result) bool {
	if len(a.Exchanges) == 0 && len(b.Exchanges) == 0 {
		a.Exchanges, b.Exchanges = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

// splitter cuts a stream into the chunks a listener might hand over.
type splitter func(b []byte) [][]byte

func whole(b []byte) [][]byte {
	if len(b) == 0 {
		return nil
	}
	return [][]byte{b}
}

func byteByByte(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

// randomSplit cuts at seeded random points, mixing tiny and large chunks.
func randomSplit(seed uint64) splitter {
	return func(b []byte) [][]byte {
		r := rand.New(rand.NewPCG(seed, 0x68747470))
		var out [][]byte
		for len(b) > 0 {
			n := 1 + r.IntN(min(len(b), 1+r.IntN(64)))
			if r.IntN(8) == 0 {
				n = 1 + r.IntN(len(b))
			}
			out = append(out, b[:n])
			b = b[n:]
		}
		return out
	}
}

// feedMode is one way of handing two streams to a tracker.
type feedMode struct {
	name string
	// ordered modes give identical results even for streams that fail;
	// others only for well-formed streams.
	ordered bool
	feed    func(t *Tracker, cli, srv []byte)
}

func clientThenServer(s splitter) func(t *Tracker, cli, srv []byte) {
	return func(t *Tracker, cli, srv []byte) {
		for _, c := range s(cli) {
			t.Client(c)
		}
		for _, c := range s(srv) {
			t.Server(c)
		}
	}
}

func serverThenClient(s splitter) func(t *Tracker, cli, srv []byte) {
	return func(t *Tracker, cli, srv []byte) {
		for _, c := range s(srv) {
			t.Server(c)
		}
		for _, c := range s(cli) {
			t.Client(c)
		}
	}
}

// interleaved alternates randomly between the directions, as two pump
// goroutines racing would.
func interleaved(seed uint64) func(t *Tracker, cli, srv []byte) {
	return func(t *Tracker, cli, srv []byte) {
		cs, ss := randomSplit(seed)(cli), randomSplit(seed+1)(srv)
		r := rand.New(rand.NewPCG(seed, 2))
		for len(cs) > 0 || len(ss) > 0 {
			if len(ss) == 0 || (len(cs) > 0 && r.IntN(2) == 0) {
				t.Client(cs[0])
				cs = cs[1:]
			} else {
				t.Server(ss[0])
				ss = ss[1:]
			}
		}
	}
}

func feedModes() []feedMode {
	modes := []feedMode{
		{"whole", true, clientThenServer(whole)},
		{"byte-by-byte", true, clientThenServer(byteByByte)},
	}
	for seed := uint64(1); seed <= 4; seed++ {
		modes = append(modes, feedMode{fmt.Sprintf("random-%d", seed), true, clientThenServer(randomSplit(seed))})
	}
	modes = append(modes,
		feedMode{"server-first-whole", false, serverThenClient(whole)},
		feedMode{"server-first-bytes", false, serverThenClient(byteByByte)},
	)
	for seed := uint64(1); seed <= 4; seed++ {
		modes = append(modes, feedMode{fmt.Sprintf("interleaved-%d", seed), false, interleaved(seed)})
	}
	return modes
}
