package faults

import (
	"math/rand/v2"
	"sync"
	"time"
)

// newFilter builds the filter for one rule on one direction of a conn.
// rng is seeded from the rule's seed and the connection index.
func newFilter(r *Rule, dir Direction, next sink, k *ctl, rng *rand.Rand) sink {
	switch r.Action {
	case ActLatency:
		if !r.delaysRequest() {
			return newLatency(next, k, r.Latency.D(), r.Jitter.D(), rng)
		}
		var req *requestRecords
		if k.deps.RawTLS {
			req = &requestRecords{st: k.sharedState(r, func() any { return &requestState{} }).(*requestState)}
			if !r.Direction.has(dir) {
				// Only watching: the server's hello, or the client's
				// requests.
				return req.watch(next, dir)
			}
		}
		l := newLatency(next, k, r.Latency.D(), r.Jitter.D(), rng)
		l.acted = func() { k.markActed(r) }
		if req != nil {
			// The handshake passes at once: only a request, or what
			// follows one, is delayed.
			l.spared = func(p []byte) int { return req.spared(p, dir) }
		}
		if req != nil && dir == S2C {
			// It delays the server's bytes and reads its hello too.
			return helloWatch{next: l, st: &req.st.tls}
		}
		return l
	case ActBandwidth:
		return &bandwidth{next: next, k: k, rate: r.Rate}
	case ActSlicer:
		return &slicer{next: next, k: k, avg: r.AverageSize, variation: r.SizeVariation, delay: r.Delay.D(), rng: rng}
	case ActSlowClose:
		return &slowClose{next: next, k: k, delay: r.Delay.D()}
	case ActLimitData:
		return &limitData{next: next, k: k, r: r, limit: r.Bytes}
	case ActBlackhole:
		return newBlackhole(k, r, dir, r.Then, r.Delay.D())
	case ActTimeout:
		then := ThenHold
		if r.Timeout > 0 {
			then = ThenFIN
		}
		return newBlackhole(k, r, dir, then, r.Timeout.D())
	case ActMTU:
		return newMTU(next, k, r, dir)
	case ActTruncate:
		return &truncate{next: next, k: k, r: r, dir: dir, limit: r.Bytes, then: r.Then}
	case ActFragment:
		return &fragment{next: next, k: k, segment: r.AverageSize, record: r.RecordSize, delay: r.Delay.D()}
	case ActFirstByteDelay:
		return &firstByteDelay{next: next, k: k, delay: r.Delay.D()}
	case ActIdleTimeout:
		st := k.sharedState(r, func() any { return newIdleState(k) }).(*idleState)
		return &idle{next: next, k: k, r: r, dir: dir, st: st, timeout: r.Timeout.D(), then: r.Then}
	case ActRewrite:
		if r.BodyFind != "" {
			st := k.sharedState(r, func() any { return &requestMethod{} }).(*requestMethod)
			if dir == C2S {
				return &watchMethod{next: next, st: st}
			}
			return &rewriteBody{next: next, k: k, r: r, method: st}
		}
		strip, add := r.HeadersStrip, r.HeadersAdd
		return &headEdit{next: next, k: k, r: r, edit: func(b []byte) ([]byte, bool, bool) { return rewriteHead(b, strip, add) }}
	case ActHTTPDate:
		skew := r.Skew.D()
		return &headEdit{next: next, k: k, r: r, edit: func(b []byte) ([]byte, bool, bool) {
			out, complete, changed, e := skewDate(b, skew, k.deps.Now())
			if complete && changed {
				// Before headEdit marks the rule acted: the listener
				// reads the note once it sees that.
				k.noteDate(r, e)
			}
			return out, complete, changed
		}}
	case ActRecordCorrupt:
		return newRecordCorrupt(next, k, r, dir, rng)
	case ActSNIPolicy:
		// Only an sni_policy with host_mismatch is a wrapper: the
		// others refuse the hello (a stop).
		return &hostCheck{next: next, k: k, r: r, sni: k.deps.ServerName}
	case ActAlert:
		if r.Stage == StageIdle {
			st := k.sharedState(r, func() any { return &idleAlert{k: k, r: r, timeout: r.Timeout.D()} }).(*idleAlert)
			st.start()
			return &idleAlertFilter{next: next, st: st}
		}
		return &trigger{next: next, k: k, r: r, dir: dir, rng: rng}
	case ActReset, ActClose, ActPlaintextReply, ActBlockPage:
		return &trigger{next: next, k: k, r: r, dir: dir, rng: rng}
	}
	return next
}

// firstByteDelay sleeps once, before the first byte: a slow open.
type firstByteDelay struct {
	next  sink
	k     *ctl
	delay time.Duration
	once  sync.Once
}

func (f *firstByteDelay) Write(p []byte) (int, error) {
	var err error
	f.once.Do(func() { err = f.k.wait(f.delay) })
	if err != nil {
		return 0, err
	}
	return f.next.Write(p)
}

func (f *firstByteDelay) End(fin bool) error { return f.next.End(fin) }
