package faults

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// A rate_limit rule is the catalog's http.rate_limit, after Envoy's HTTP
// local rate limit filter: a token bucket of burst tokens that gains rate
// tokens every window (Envoy's max_tokens, tokens_per_fill and
// fill_interval), starting full. Faults are decided once per connection,
// so the bucket counts connections, not requests. The bucket reads the
// engine's injected clock, never time.Now.
//
// The plan selects the rule only for a connection whose HTTP tlsgate can
// read (Need: NeedHTTP), and not where an earlier abort answers every
// request; such a connection's rule is pending, and has taken nothing.
// Its token is taken later, by Plan.Abort, which the listener calls where
// it either answers the connection's requests or lets them through to
// the backend (after the client handshake, on TLS it terminates). Within
// the rate the connection takes a token and passes; one that finds the
// bucket empty fires the rule, and tlsgate answers every request on it in
// the backend's place, as an abort does, with the rule's status, a
// Retry-After until the next refill and Envoy's x-envoy-ratelimited. So
// TLS passed through undecrypted, plain HTTP the listener itself ends (a
// reset, its own 400 or redirect), a connection whose handshake fails or
// that an inspect bypass relays untouched, and one an abort answers spend
// no token: the bucket counts the connections the rule answered or let
// through, and only the limited ones count as fired (max_fires, the log).

// Rate limit defaults: Envoy's local rate limit status and body.
const (
	DefaultRateLimitStatus = http.StatusTooManyRequests
	DefaultRateWindow      = time.Second
	RateLimitBody          = "local_rate_limited"
	// maxRateTokens bounds rate and burst: far above a lab's needs, far
	// below where rate times the windows passed could overflow.
	maxRateTokens = 1_000_000
)

// bucket is a rule's token bucket, shared by every snapshot that keeps
// the rule (it lives in ruleStats).
type bucket struct {
	mu     sync.Mutex
	tokens int
	// next is the next refill, in Unix nanoseconds (no time.Time: a
	// stored one would carry the plan's clock reading to the heap); 0:
	// never used, full.
	next int64
}

// take takes a token at now (Unix nanoseconds) for r (normalized: window
// and burst set). It reports whether one was left and, when none was, how
// long until the next refill.
func (b *bucket) take(now int64, r *Rule) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	window := int64(r.Window)
	switch {
	case b.next == 0:
		b.tokens, b.next = r.Burst, now+window
	case now >= b.next:
		n := (now-b.next)/window + 1
		b.tokens = int(min(int64(r.Burst), int64(b.tokens)+n*int64(r.Rate)))
		b.next += n * window
	}
	if b.tokens > 0 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration(b.next - now)
}

// limitRun is one connection's rate_limit decision (Plan.Abort), made
// once, then only read.
type limitRun struct {
	mu      sync.Mutex
	decided bool
	over    bool          // the bucket was empty: the rule answers
	retry   time.Duration // until the next refill, when over
}

// decide takes the connection's token from r's bucket (in s) at now, the
// first time only, and reports whether it found the bucket empty: then
// the rule fires, taking its max_fires budget and stamping its last fire
// time, unless that budget is spent, which lets the connection through.
func (l *limitRun) decide(now time.Time, r *Rule, s *ruleStats) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.decided {
		return l.over
	}
	l.decided = true
	ok, wait := s.limit.take(now.UnixNano(), r)
	if ok || !s.reserve(r.MaxFires) {
		return false
	}
	l.over, l.retry = true, wait
	s.last.Store(now.UnixNano())
	return true
}

// limited reports whether decide found the bucket empty: false while
// undecided, and for nil (not a rate_limit).
func (l *limitRun) limited() bool {
	if l == nil {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.over
}

// wait is the Retry-After decide found, 0 unless limited.
func (l *limitRun) wait() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.retry
}

// reset refills the bucket (fault reset).
func (b *bucket) reset() {
	b.mu.Lock()
	b.next = 0
	b.mu.Unlock()
}

// answers reports whether the rule answers the connection's requests in
// place of the backend (see Plan.Abort).
func (r *Rule) answers() bool { return r.Action == ActAbort || r.Action == ActRateLimit }

// validateRateLimit checks a rate_limit rule's bucket and status.
func (r *Rule) validateRateLimit(fail failFunc) error {
	switch {
	case r.Rate == 0:
		return fail("rate", "missing: rate_limit needs the connections admitted per window, such as 5 (with window \"1s\", the default)")
	case r.Rate < 0 || r.Rate > maxRateTokens:
		return fail("rate", "want from 1 to %d connections per window, got %d", maxRateTokens, r.Rate)
	case r.Window != 0 && r.Window.D() < time.Millisecond:
		return fail("window", "%s is below 1ms: want the refill period, such as \"1s\" or \"1m\"", r.Window.D())
	case r.Burst < 0 || r.Burst > maxRateTokens:
		return fail("burst", "want from 1 to %d tokens, got %d", maxRateTokens, r.Burst)
	case r.Burst != 0 && r.Burst < r.Rate:
		// The bucket holds at most burst tokens, so no window could admit
		// rate connections: the rule would limit harder than it reads.
		return fail("burst", "%d is below rate %d: at most burst connections pass a window; want burst >= rate, or leave it out (it defaults to rate)", r.Burst, r.Rate)
	case r.Status != 0 && (r.Status < 400 || r.Status > 599):
		return fail("status", "%d is outside 400..599 (a rate limit answers with an error, 429 by default)", r.Status)
	}
	return nil
}

// rateLimitSymptom is what a client of a connection over the rate sees.
func rateLimitSymptom(r *Rule) string {
	n := Rule{Action: ActRateLimit}
	if r != nil {
		n = r.normalized()
	}
	return fmt.Sprintf("%s %d from the proxy itself (%q, with Retry-After and x-envoy-ratelimited: true) for connections over %d per %s (burst %d); "+
		"not a TLS error and never relayed to the backend: curl exits 0 and prints %[3]s, or (22) The requested URL returned error: %[2]d with -f; "+
		"Go resp.StatusCode == %[2]d with err == nil; connections within the rate reach the backend",
		ClassHTTP, n.Status, RateLimitBody, n.Rate, n.Window.D(), n.Burst)
}

// RateLimitHandler answers every request as a rate_limit rule over its
// rate does, as Envoy's local rate limit filter does: the rule's status
// with RateLimitBody, x-envoy-ratelimited: true, and Retry-After, the
// whole seconds until the bucket's next refill (at least 1). answered,
// when set, sees each request with the status sent, for the log.
func RateLimitHandler(r *Rule, retryAfter time.Duration, answered func(req *http.Request, status int)) http.Handler {
	status := r.Status
	if status == 0 {
		status = DefaultRateLimitStatus
	}
	secs := strconv.FormatInt(max(int64((retryAfter+time.Second-1)/time.Second), 1), 10)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/plain")
		h.Set("Content-Length", strconv.Itoa(len(RateLimitBody)))
		h.Set("Retry-After", secs)
		h.Set("X-Envoy-Ratelimited", "true")
		w.WriteHeader(status)
		_, _ = fmt.Fprint(w, RateLimitBody)
		if answered != nil {
			answered(req, status)
		}
	})
}

// RetryAfter is the wait until the bucket's next refill that a
// rate_limit rule recorded when Plan.Abort found its bucket empty for
// this connection, 0 when none did.
func (p *Plan) RetryAfter() time.Duration {
	if p == nil {
		return 0
	}
	for i := range p.rules {
		if l := p.stats[i].limit; l.limited() {
			return l.wait()
		}
	}
	return 0
}
