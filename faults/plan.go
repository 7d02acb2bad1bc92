package faults

import (
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// ConnInfo is what the listener knows about a connection when it asks for a
// plan. Index counting is the listener's job.
type ConnInfo struct {
	Listener      string
	Client        netip.AddrPort
	Index         uint64             // per-listener connection index, 1-based
	Hello         *sniff.ClientHello // nil at accept, or when the client sent no ClientHello
	JA3, JA4      string             // JA3 hash and JA4 string of Hello
	HelloSegments int                // reads the ClientHello took to arrive
	// Plain says the first bytes were not TLS (plain HTTP on a TLS port).
	// Hello alone cannot tell: it is also nil for a TLS hello too large,
	// too old (SSLv2) or too broken to parse.
	Plain bool
	// Decrypted says the listener terminates this connection's TLS: it
	// runs the handshake (so it can serve a bad chain and reach
	// handshake_done) and sees the HTTP inside. False for TLS it passes
	// through and for plaintext.
	Decrypted bool
	// VerifiesUpstream says tlsgate runs TLS of its own to the server for
	// this connection and verifies the server's certificate (inspect, or
	// a terminating listener with a verifying server_ssl): what its own
	// clock decides.
	VerifiesUpstream bool
	// ListenerEnds says the listener ends the connection itself once its
	// first bytes are in, relaying none of it: TLS at a plaintext
	// listener (reset after the hello), plaintext at a TLS listener whose
	// non_ssl is not allow (reset, or tlsgate's own 400 or redirect). No
	// stage after the first bytes, and no relayed HTTP or TLS, ever comes.
	ListenerEnds bool
	// ClientLeft says the client closed or reset the connection before
	// it sent a byte: there are no first bytes, and the listener only
	// closes the connection, so no stage after accept ever comes. The
	// client left; no rule acted.
	ClientLeft bool
	// Connect says the first bytes were an HTTP CONNECT that a listener
	// with connect = "tunnel" read as an explicit proxy (PlanConnect).
	Connect bool
}

// Firing records one rule that fired for a connection, for the log line.
type Firing struct {
	Rule      string  `json:"rule"`
	Action    string  `json:"action"`
	Stage     string  `json:"stage"`
	Direction string  `json:"direction"`
	Draw      float64 `json:"draw"` // the rule's random draw; it fired because draw < probability
	// Probability is the rule's probability, 0 when it sets none (a rule
	// whose probability is 0 never fires). Without one the draw decided
	// nothing, so a log shows it only when this is set.
	Probability float64 `json:"probability,omitempty"`
	Symptom     string  `json:"symptom"` // what the client should show (client-symptoms.md)
	// The rule's parameters a diagnosis words differently: which chain a
	// chain rule served and its validity shift (a clock skew is the
	// client's problem, a bad chain the server's), and what followed a
	// truncation or a hold (tlsgate's own FIN is not the client's).
	Chain string   `json:"chain,omitempty"`
	Skew  Duration `json:"skew,omitempty"`
	Then  string   `json:"then,omitempty"`
	// A client_auth rule's CAs and refusal alert (0: crypto/tls's own):
	// the certificate it refused is judged against them.
	AcceptCAs  []string `json:"accept_cas,omitempty"`
	RejectWith int      `json:"reject_with,omitempty"`
	// IntolerantAbove is a version_intolerance rule's intolerant_above
	// ("1.2"): the diagnosis names the version a client must stay at.
	IntolerantAbove string `json:"intolerant_above,omitempty"`
	// PermittedDNS is a name_constraints chain's permitted_dns: the
	// diagnosis names the subtrees the client's name is outside of.
	PermittedDNS []string `json:"permitted_dns,omitempty"`
	// RetryAfter is, for a rate_limit rule, the wait until its bucket's
	// next refill when this connection found it empty (its Retry-After).
	RetryAfter Duration `json:"retry_after,omitempty"`
}

// Plan is the fixed set of faults for one connection. It never changes after
// the engine returns it, but for one decision its rules defer: a
// rate_limit's, which Abort makes once, where the connection's requests
// are answered or let through. A nil *Plan is a valid plan in which nothing fired,
// and every method works on it. The *Rule values its methods return are
// shared with the engine and other plans: read them, never modify them.
type Plan struct {
	firings []Firing
	rules   []*Rule // parallel to firings; immutable snapshots of the rules
	stats   []taken // parallel to firings: what each firing took from its rule's counters
	now     func() time.Time
	settled atomic.Bool // Settle ran: a rule that did not act gave back its firing
}

// PlanAccept evaluates only the accept-stage rules. It runs before anything
// is read, so ci.Hello is ignored.
func (e *Engine) PlanAccept(ci ConnInfo) *Plan {
	ci.Hello, ci.JA3, ci.JA4, ci.HelloSegments = nil, "", "", 0
	return e.plan(&ci, true)
}

// Plan evaluates every enabled rule of a later stage once: selectors, then
// the schedule, then the seeded probability draw, then the max_fires budget.
func (e *Engine) Plan(ci ConnInfo) *Plan { return e.plan(&ci, false) }

func (e *Engine) plan(ci *ConnInfo, accept bool) *Plan {
	s := e.snap.Load()
	pl := planning{e: e, ci: ci, accept: accept}
	if accept {
		if len(s.accept.rules) == 0 {
			return nil
		}
		pl.v = newConnView(ci)
		// Each stage's index gives the rules that can match, in rule
		// order; no rule it leaves out would have matched.
		var c candidates
		s.accept.candidates(&pl.v, &c)
		for i := c.next(); i >= 0; i = c.next() {
			pl.try(s.accept.rules[i])
		}
		return pl.p
	}
	if len(s.later.rules) == 0 && len(s.failOpen.rules) == 0 {
		return nil
	}
	pl.v = newConnView(ci)
	// A large_hello that fails open decides first what the others see: a
	// middlebox that could not parse the hello passes it unread, so no
	// rule keyed on its content (SNI, JA3, JA4, ALPN, versions, as a
	// version_intolerance is) matches, wherever it sits in the rule order.
	var unread bool
	var c candidates
	s.failOpen.candidates(&pl.v, &c)
	for i := c.next(); i >= 0; i = c.next() {
		if pl.try(s.failOpen.rules[i]) {
			unread = true
		}
	}
	var blinded []string
	s.later.candidates(&pl.v, &c)
	for i := c.next(); i >= 0; i = c.next() {
		rs := s.later.rules[i]
		switch {
		case unread && rs.m.readsHello:
			if rs.m.match(&pl.v) {
				blinded = append(blinded, rs.rule.Name)
			}
		default:
			pl.try(rs)
		}
	}
	if len(blinded) > 0 {
		// The fail-open rule's firing says whom it kept from the hello.
		for i := range pl.p.firings {
			if pl.p.rules[i].failsOpen() {
				pl.p.firings[i].Symptom += failOpenBlinded(blinded)
			}
		}
	}
	return pl.p
}

// planning is one evaluation of the rules for a connection.
type planning struct {
	e      *Engine
	ci     *ConnInfo
	v      connView
	accept bool
	p      *Plan
	now    time.Time
}

// try evaluates one rule: selectors, then the schedule, then the seeded
// probability draw, then the max_fires budget. It records a firing and
// reports whether the rule fired.
func (pl *planning) try(rs *ruleState) bool {
	ci := pl.ci
	if !rs.enabled || rs.rule.Action == ActRefuse || (rs.rule.Stage == StageAccept) != pl.accept || !rs.m.match(&pl.v) || !pl.accept && !rs.rule.actsOn(ci) {
		return false
	}
	if !pl.accept && !certFits(&rs.rule, ci, pl.p) {
		return false
	}
	if pl.now.IsZero() {
		pl.now = pl.e.now()
	}
	now := pl.now
	if rs.schedule(now) != "" {
		return false
	}
	draw := Draw(rs.seed, ci.Index)
	if draw >= rs.prob {
		return false
	}
	r := &rs.rule
	tk := taken{s: rs.stats}
	switch {
	case r.Action == ActRateLimit:
		if pl.p.FixedAbort() != nil {
			// An earlier abort answers every request: the rate limit
			// never meets one, and its bucket keeps its token.
			return false
		}
		// Pending: Plan.Abort takes the token, where the listener
		// answers the requests or lets them through, and reserves the
		// max_fires budget only if the bucket was empty.
		tk.limit = new(limitRun)
	case !rs.stats.reserve(r.MaxFires):
		return false
	}
	if r.actsInHandshake() {
		tk.acted = new(atomic.Bool) // shared by every plan made from this one
	}
	if (!r.firesOnAct() || r.actsInHandshake()) && tk.limit == nil {
		// A rule that fires only when it acts is stamped by Settle, once
		// it did: a rewrite acts on a response, maybe long after. A
		// certificate rule acts in the handshake that follows now, so it
		// is stamped now, and Settle takes the stamp back if its
		// certificate never went out.
		tk.at = now.UnixNano()
		tk.prev = rs.stats.last.Swap(tk.at)
	}
	if pl.p == nil {
		pl.p = &Plan{firings: make([]Firing, 0, 2), rules: make([]*Rule, 0, 2), stats: make([]taken, 0, 2), now: pl.e.now}
	}
	p := pl.p
	symptom := rs.symptom
	if !pl.accept && ci.Plain && rs.plainSymptom != "" {
		// The first bytes are in and they are no ClientHello (plain
		// HTTP on a TLS port): the client reads the answer as that.
		symptom = rs.plainSymptom
	}
	p.rules = append(p.rules, r)
	p.stats = append(p.stats, tk)
	var prob float64
	if r.Probability != nil {
		prob = *r.Probability
	}
	stage := string(r.Stage)
	if r.Action == ActConnectPolicy {
		stage = ConnectStage // planned at the CONNECT, before any hello
	}
	f := Firing{Rule: r.Name, Action: string(r.Action), Stage: stage,
		Direction: string(r.Direction), Draw: draw, Probability: prob, Symptom: symptom,
		Chain: string(r.Chain), Skew: r.Skew, Then: string(r.Then), IntolerantAbove: r.IntolerantAbove.String(), PermittedDNS: r.PermittedDNS}
	if r.Action == ActClientAuth {
		a := r.clientAuth()
		f.AcceptCAs, f.RejectWith = a.CAs(), int(a.RejectWith)
	}
	p.firings = append(p.firings, f)
	return true
}

// Firings returns the rules that fired, in rule order. Until Settle, a
// rewrite's, an MTU rule's, a certificate rule's or a rate_limit's
// firing is only planned.
func (p *Plan) Firings() []Firing {
	if p == nil {
		return nil
	}
	out := slices.Clone(p.firings)
	for i := range out {
		out[i].RetryAfter = p.stats[i].retryAfter(out[i].RetryAfter)
	}
	return out
}

// Names returns the names of the rules that fired, for Outcome.Faults.
func (p *Plan) Names() []string {
	if p == nil {
		return nil
	}
	out := make([]string, len(p.firings))
	for i, f := range p.firings {
		out[i] = f.Rule
	}
	return out
}

// Len returns how many rules fired.
func (p *Plan) Len() int {
	if p == nil {
		return 0
	}
	return len(p.firings)
}

// Empty reports whether nothing fired.
func (p *Plan) Empty() bool { return p == nil || len(p.firings) == 0 }

// Merge returns a plan with p's firings followed by q's: the accept plan and
// the later one, as one list for the log.
func (p *Plan) Merge(q *Plan) *Plan {
	switch {
	case q.Empty():
		return p
	case p.Empty():
		return q
	}
	return &Plan{firings: slices.Concat(p.firings, q.firings), rules: slices.Concat(p.rules, q.rules),
		stats: slices.Concat(p.stats, q.stats), now: p.now}
}

// Settle returns the plan as it turned out once its connection ended, for
// the log: a rule that fires only when it acts (a rewrite fires when it
// changes a response head, an MTU rule when a burst too large for its path
// stalls, a record_corrupt when it flips a bit) keeps its firing only if it
// acted on one of cs, the conns Wrap returned for the connection (or ones
// wrapping them); nil ones are skipped, and none means nothing acted. A
// certificate rule (chain, ocsp_times) acts in tlsgate's own handshake,
// not on a conn: it keeps its firing only if ServedCert said its
// certificate went out. Deciding that at plan time would log a rewrite on
// a connection that never carried a response, an MTU black hole, with its
// timeout, on one whose every burst fit, or a bad chain on a hello refused
// before any certificate.
//
// The first Settle of a plan also settles the engine's counters: a rule
// that did not act gives back the firing it took from its count, its
// max_fires budget and its last fire time, and one that did records its
// last fire time (a certificate rule has, when planned). Call it once per
// connection, on the final (merged) plan. p itself is unchanged.
func (p *Plan) Settle(cs ...net.Conn) *Plan {
	if p.Empty() || !slices.ContainsFunc(p.rules, (*Rule).firesOnAct) {
		return p
	}
	first := p.settled.CompareAndSwap(false, true)
	out := &Plan{now: p.now}
	out.settled.Store(true)
	for i, r := range p.rules {
		tk := p.stats[i]
		acted := !r.firesOnAct() || tk.acted != nil && tk.acted.Load() || tk.limit.limited() ||
			slices.ContainsFunc(cs, func(c net.Conn) bool { return actedOn(c, r) })
		if first && r.firesOnAct() {
			switch {
			case !acted:
				tk.giveBack()
			case tk.limit != nil:
				// Stamped when it found the bucket empty (Plan.Abort).
			case tk.at == 0:
				tk.s.last.Store(p.now().UnixNano())
			}
		}
		if acted {
			f := p.firings[i]
			f.RetryAfter = tk.retryAfter(f.RetryAfter)
			out.firings = append(out.firings, f)
			out.rules = append(out.rules, r)
			out.stats = append(out.stats, p.stats[i])
		}
	}
	return out
}

// Narrow returns the plan for a connection whose route changed after it
// was planned, to what ci now describes: an inspect listener's SNI bypass
// matched on a hello only crypto/tls could read, so TLS planned as
// decrypted is relayed untouched. A later-stage rule that cannot act on
// such a connection (a bad chain, client_auth, a Host check, a block page,
// anything at handshake_done) is dropped and gives back the firing it took
// from its count, max_fires budget and last fire time, so it is neither
// logged, counted nor listed as fired. Rule.Need says which, as when the
// plan was made: a version floor, say, needs a handshake of tlsgate's own
// or a hello it parsed (ci.Hello). Accept-stage rules already acted or not
// before the route was known, and stay. p itself is unchanged.
func (p *Plan) Narrow(ci ConnInfo) *Plan {
	if p.Empty() {
		return p
	}
	return p.keep(func(r *Rule) bool { return r.Stage == StageAccept || r.actsOn(&ci) })
}

// Unreached returns the plan of a connection tlsgate decrypts that ended
// before the stages after its client handshake began: the handshake
// failed or was cut, or the backend could not be reached, so the listener
// never installed their wrappers nor met their stops. Each rule of those
// stages (handshake_done, request, response, idle) is dropped and gives
// back the firing it took from its count, max_fires budget and last fire
// time, as Narrow's do: it acted on nothing. A TLS policy (a chain, a
// version floor, client_auth …) acts in the handshake itself, and a record
// rule beneath it from the client_hello stage on: they stay, for Settle to
// judge. p itself is unchanged.
func (p *Plan) Unreached() *Plan {
	if p.Empty() {
		return p
	}
	return p.keep(func(r *Rule) bool {
		switch r.Stage {
		case StageHandshakeDone, StageRequest, StageResponse, StageIdle:
			return r.isPolicy() || r.onRecords()
		}
		return true
	})
}

// Left returns the plan of a connection whose client closed or reset it
// before its first byte (ConnInfo.ClientLeft). Its accept-stage wrappers
// (a latency, a bandwidth cap, a truncate, a slow_close …) were installed
// at accept and taken as fired there, but the listener read nothing
// through them and wrote nothing, only closed: the client was gone before
// they acted. Each is dropped and gives back the firing it took from its
// count, max_fires budget and last fire time, as Unreached's do, unless it
// acted on or ended one of cs (the conns Wrap returned for the
// connection). An accept stop (a reset, a close) acts before anything is
// read, and stays. p itself is unchanged.
func (p *Plan) Left(cs ...net.Conn) *Plan {
	if p.Empty() {
		return p
	}
	return p.keep(func(r *Rule) bool {
		if r.Stage != StageAccept || r.isStop() {
			return true
		}
		return slices.ContainsFunc(cs, func(c net.Conn) bool {
			in, ended := Ended(c)
			return actedOn(c, r) || ended && in.Rule == r
		})
	})
}

// keep returns the plan of the rules keeps holds; each other one gives
// back the firing it took (taken.giveBack). p itself is unchanged, and
// returned as is when every rule stays.
func (p *Plan) keep(keeps func(*Rule) bool) *Plan {
	if !slices.ContainsFunc(p.rules, func(r *Rule) bool { return !keeps(r) }) {
		return p
	}
	out := &Plan{now: p.now}
	out.settled.Store(p.settled.Load())
	for i, r := range p.rules {
		if !keeps(r) {
			p.stats[i].giveBack()
			continue
		}
		out.firings = append(out.firings, p.firings[i])
		out.rules = append(out.rules, r)
		out.stats = append(out.stats, p.stats[i])
	}
	return out
}

// taken is what one firing took from its rule's counters, so that a
// firing given back (Settle, Narrow) returns it all: its count, its
// max_fires budget, and its last fire time.
type taken struct {
	s *ruleStats
	// at is the last fire time the firing stamped, prev the one it
	// replaced; at is 0 for a rule stamped only when it acts (Settle).
	at, prev int64
	// acted is set when a certificate rule's certificate went out
	// (ServedCert), nil for other rules: they act on conns Settle asks.
	acted *atomic.Bool
	// limit is a rate_limit rule's decision, made once by Plan.Abort and
	// shared by every plan made from this one; nil for other rules. It
	// takes the max_fires budget (and stamps the last fire time) only
	// when it limits, so nothing else is given back.
	limit *limitRun
}

// retryAfter is the firing's Retry-After: a rate_limit's once decided,
// else d as planned.
func (t taken) retryAfter(d Duration) Duration {
	if t.limit != nil {
		return Duration(t.limit.wait())
	}
	return d
}

// giveBack returns the firing. Its last fire time goes back to the one
// before it unless a later firing (or ResetCounters) has replaced it
// since: that one stands (unless it was stamped with the very same
// instant, which cannot be told apart).
func (t taken) giveBack() {
	if t.limit != nil {
		// A rate_limit reserved nothing unless it limited, and one that
		// limited answered: it acted, and is never given back.
		return
	}
	t.s.release()
	if t.at != 0 {
		t.s.last.CompareAndSwap(t.at, t.prev)
	}
}

// actedOn reports whether r acted on c or on a fault wrapper beneath it
// (a terminating listener wraps the raw client conn and the tls.Conn over
// it separately).
func actedOn(c net.Conn, r *Rule) bool {
	for c != nil {
		if w, ok := c.(*conn); ok && w.k.hasActed(r) {
			return true
		}
		nc, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return false
		}
		c = nc.NetConn()
	}
	return false
}

// AtStage returns every fired rule of that stage, in rule order.
func (p *Plan) AtStage(st Stage) []*Rule {
	if p == nil {
		return nil
	}
	var out []*Rule
	for _, r := range p.rules {
		if r.Stage == st {
			out = append(out, r)
		}
	}
	return out
}

// Stop returns the first fired rule that ends the connection's normal path
// at st, for Apply to carry out, or nil. Only accept, client_hello and
// handshake_done have stops; faults of other stages are wrappers.
func (p *Plan) Stop(st Stage) *Rule {
	if p == nil {
		return nil
	}
	for _, r := range p.rules {
		if r.Stage == st && r.isStop() {
			return r
		}
	}
	return nil
}

// Wrappers returns the fired rules of those stages that Wrap carries out, in
// rule order: everything that is neither a stop nor a TLS policy.
//
// A record rule (record_corrupt) acts on TLS records, which only the conn
// beneath any TLS session carries, and must see the handshake to find its
// end: it comes with the client_hello stage, where the listener wraps the
// client's raw conn, whatever its own stage, and never with a later one.
func (p *Plan) Wrappers(stages ...Stage) []*Rule {
	if p == nil {
		return nil
	}
	var out []*Rule
	for _, r := range p.rules {
		st := r.Stage
		if r.onRecords() {
			st = StageClientHello
		}
		if slices.Contains(stages, st) && !r.isStop() && !r.isPolicy() && !r.failsOpen() && !r.answers() && r.Action != ActConnectPolicy {
			out = append(out, r)
		}
	}
	return out
}

// onRecords reports whether the rule acts on the TLS records themselves,
// beneath any session.
func (r *Rule) onRecords() bool { return r.Action == ActRecordCorrupt }

// isStopStage reports whether the listener meets the connection at st and
// can act there directly.
func isStopStage(st Stage) bool {
	return st == StageAccept || st == StageClientHello || st == StageHandshakeDone
}

// isStop reports whether a normalized rule ends the normal path where the
// listener meets it.
func (r *Rule) isStop() bool {
	if !isStopStage(r.Stage) {
		return false
	}
	switch r.Action {
	case ActReset, ActClose, ActAlert, ActPlaintextReply, ActSSL3ServerHello, ActUnofferedCipher,
		ActSNIPolicy, ActALPNRefuse, ActVersionIntolerance:
		return true
	case ActLargeHello:
		return !r.failsOpen()
	case ActBlackhole:
		return r.Direction == Both
	}
	return false
}

// firesOnAct reports whether the rule fires only when it acts on the
// connection rather than when it is planned: a rewrite changes nothing on
// a connection without a response head to change, an MTU black hole
// nothing on one whose bursts all fit its path, a record_corrupt nothing
// on one whose handshake never completed, a host_mismatch nothing on a
// request whose Host names the SNI, a chain or ocsp_times rule nothing
// on a hello refused before its certificate went out (ServedCert), a
// version or cipher rule nothing on a client that meets it
// (LimitedHandshake), and a rate_limit nothing on a connection within the
// rate or one whose requests the listener never met (Plan.Abort).
func (r *Rule) firesOnAct() bool {
	return r.Action == ActRateLimit || r.Action == ActRewrite || r.Action == ActHTTPDate || r.Action == ActMTU || r.Action == ActRecordCorrupt || r.checksHost() ||
		r.actsInHandshake() || r.delaysRequest()
}

// isPolicy reports whether the rule changes how tlsgate runs TLS: the
// handshake it terminates, or the one it makes to the server.
func (r *Rule) isPolicy() bool {
	return r.Action == ActChain || r.Action == ActVersion || r.Action == ActCipher || r.Action == ActClientAuth ||
		r.Action == ActProxySkew || r.Action == ActALPNDowngrade || r.Action == ActOCSPTimes
}

// ALPNDowngrade returns the first fired alpn_downgrade rule and the one
// protocol it leaves, or nil: the listener then offers the server and
// accepts from the client that protocol alone, so h2 is gone from both
// legs, as behind an HTTP/1.1-only proxy.
func (p *Plan) ALPNDowngrade() (*Rule, string) {
	if p == nil {
		return nil, ""
	}
	for _, r := range p.rules {
		if r.Action == ActALPNDowngrade {
			return r, r.DowngradeTo
		}
	}
	return nil, ""
}

// UpstreamSkew returns the first fired proxy_skew rule and its shift of
// tlsgate's clock on the upstream leg, or nil: the listener verifies the
// server's certificate at now+skew, as a proxy whose clock is wrong does.
func (p *Plan) UpstreamSkew() (*Rule, time.Duration) {
	if p == nil {
		return nil, 0
	}
	for _, r := range p.rules {
		if r.Action == ActProxySkew {
			return r, r.Skew.D()
		}
	}
	return nil, 0
}
