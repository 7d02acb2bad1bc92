package faults

// NeedKind is what a rule needs to ever act. The engine asks it of each
// connection (a rule that cannot act there must not fire: its firing would
// be counted and logged with a symptom the client never shows), and
// listener.RuleMisfit asks it of each listener (the config file and the
// admin API refuse a rule aimed only where it never fires). Both decide from
// Rule.Need, so an action's needs are written once.
type NeedKind int

// The needs, with what meets each on a connection (ConnInfo) and on a
// listener (listener.Site).
const (
	// NeedNothing: any connection, any listener.
	NeedNothing NeedKind = iota
	// NeedTLSClient: a client whose first bytes are TLS, to read a TLS
	// record tlsgate answers with (an alert, a hand-written
	// ServerHello). Every listener meets TLS clients, even a plaintext
	// one answers them before it resets them.
	NeedTLSClient
	// NeedHello: a ClientHello tlsgate can judge and then answers
	// itself: one it decrypts (crypto/tls enforces the rule in the
	// handshake it runs) or one sniff parsed (a hand-written refusal of
	// it), on any listener but a plaintext one, which resets a TLS client
	// after its hello whatever the hello offers (ConnInfo.ListenerEnds).
	NeedHello
	// NeedTermination: a handshake tlsgate runs with the client: a
	// connection it decrypts, on a listener that terminates TLS.
	NeedTermination
	// NeedUpstream: tlsgate verifying the server's certificate on its
	// own TLS to the server (ConnInfo.VerifiesUpstream,
	// Options.VerifiesUpstream).
	NeedUpstream
	// NeedHTTP: HTTP tlsgate can read: a connection it decrypts or one
	// that was never encrypted, on a listener that terminates TLS or
	// relays plain HTTP (not a TLS listener that resets plaintext or
	// answers it with its own 400 or redirect: ConnInfo.ListenerEnds).
	NeedHTTP
	// NeedTLSRelay: TLS carried past the ClientHello: a TLS connection,
	// on any listener but a plaintext one, which resets a TLS client
	// after its hello (ConnInfo.ListenerEnds).
	NeedTLSRelay
	// NeedTLSRecords: TLS records carried past a hello sniff parsed: as
	// NeedTLSRelay, and the connection's hello was read.
	NeedTLSRecords
	// NeedConnect: an HTTP CONNECT the listener reads as an explicit
	// proxy (connect = "tunnel", ConnInfo.Connect).
	NeedConnect
)

// Need is what a rule needs to act, and how an error blames the rule for
// it when nothing it is aimed at meets the need.
type Need struct {
	Kind NeedKind
	// Field is the rule's field to blame: its action, or the stage or
	// parameter that makes it need Kind. Empty with NeedNothing.
	Field string
	// What is what the rule does that needs Kind, in words that follow
	// the rule's name in an error ("serves a bad certificate chain").
	What string
}

// Need returns what the rule needs to act. It reads the rule as the config
// file and the admin API give it (an empty stage is the action's default)
// and as the engine keeps it (normalized) alike.
//
// A hello selector (sni, ja3, ja4, alpn, max_offered_version,
// hello_min_size, hello_multi_segment) narrows what the action needs to
// connections whose ClientHello sniff parsed: TLS, never plain HTTP. Such
// a rule that acts on HTTP needs that TLS decrypted, and one of a stage
// after the hello needs it carried past the hello (a plaintext listener
// resets it there). The selector is then the field to blame.
func (r *Rule) Need() Need {
	n := r.actionNeed()
	if !r.UsesHello() {
		return n
	}
	k := n.Kind
	switch {
	case k == NeedHTTP:
		k = NeedTermination
	case (k == NeedNothing || k == NeedTLSClient) && lateStage(r.stageOrDefault()):
		k = NeedTLSRelay
	}
	if k == n.Kind {
		return n
	}
	what := n.What
	if what == "" {
		what = "acts at stage " + string(r.stageOrDefault())
	}
	sel := r.helloSelector()
	return Need{Kind: k, Field: sel,
		What: "selects by the ClientHello's " + sel + ", which only TLS has (plain HTTP sends none), and " + what}
}

// actionNeed is what the rule's action, at its stage, needs to act on a
// connection its selectors pick.
func (r *Rule) actionNeed() Need {
	act := func(k NeedKind, what string) Need { return Need{Kind: k, Field: "action", What: what} }
	st := r.stageOrDefault()
	switch {
	case r.Action == ActConnectPolicy:
		return act(NeedConnect, "refuses an explicit proxy's CONNECT")
	case r.Action == ActChain:
		return act(NeedTermination, "serves a bad certificate chain")
	case r.Action == ActOCSPTimes:
		return act(NeedTermination, "staples an OCSP response to the certificate of a handshake tlsgate runs")
	case r.Action == ActHTTPDate:
		return act(NeedHTTP, "rewrites the Date of HTTP responses")
	case r.Action == ActClientAuth:
		return act(NeedTermination, "asks for a client certificate in a handshake")
	case r.Action == ActALPNDowngrade:
		// ALPN is chosen in the handshake: only one tlsgate runs can
		// change it (rewriting a hello it passes through would break the
		// handshake's transcript instead).
		return act(NeedTermination, "changes the ALPN of a handshake tlsgate runs")
	case r.Action == ActProxySkew:
		// A clock that verifies nothing changes nothing the client sees.
		return act(NeedUpstream, "shifts tlsgate's clock on the upstream leg")
	case r.checksHost():
		// The Host header is inside TLS: only a connection tlsgate
		// decrypts shows it.
		return Need{Kind: NeedTermination, Field: "host_mismatch", What: "compares the HTTP Host inside TLS with the SNI"}
	case st == StageHandshakeDone && r.Action != ActRecordCorrupt:
		// record_corrupt finds the handshake's end in the records
		// themselves (below), so TLS passed through breaks too.
		return Need{Kind: NeedTermination, Field: "stage", What: "acts after a handshake"}
	case r.Action == ActBlockPage:
		// HTTP is readable where tlsgate decrypts it or where it was
		// never encrypted.
		return act(NeedHTTP, "answers an HTTP request with a block page")
	case r.Action == ActRewrite:
		return act(NeedHTTP, "rewrites HTTP responses")
	case r.Action == ActAbort, r.Action == ActRateLimit:
		return act(NeedHTTP, "answers HTTP requests in place of the backend")
	case r.Action == ActRecordCorrupt:
		// It needs TLS records to flip a bit in, and reads the
		// handshake's end from them, so it needs no keys: TLS passed
		// through breaks as surely as TLS tlsgate terminates.
		return act(NeedTLSRecords, "flips a bit in a TLS record after the handshake")
	case r.Action == ActAlert && lateStage(st):
		// An alert at accept or client_hello answers a TLS client even
		// on a plaintext listener, before it is reset; a later one
		// waits for TLS traffic that listener never relays.
		return Need{Kind: NeedTLSRelay, Field: "stage", What: "sends a TLS alert inside a TLS connection"}
	case r.closesOnVersion():
		// It judges the versions of a hello sniff parsed, before any
		// handshake, on passthrough, terminate and inspect alike; a
		// plaintext listener resets every TLS client after its hello
		// whatever it offers.
		return act(NeedHello, "closes a ClientHello by the versions it offers")
	case r.Action == ActVersion || r.Action == ActCipher:
		// A terminating listener's crypto/tls enforces them in its
		// handshake; a passthrough one refuses a hello it parsed, and
		// cannot judge one beyond sniff's parse cap, which it relays
		// unread; a plaintext one resets every TLS client alike.
		return act(NeedHello, "limits the TLS versions or ciphers a handshake accepts")
	case r.answersTLS():
		// A TLS alert or ServerHello is a TLS record: a client that sent
		// plaintext has no TLS layer to read it with, and takes its bytes
		// for a garbled reply (curl `(1) Received HTTP/0.9 when not
		// allowed`, Go `malformed HTTP response "\x15\x03\x03…"`). No
		// device refuses plain HTTP that way (BIG-IP resets it, nginx and
		// Go answer 400, an OpenSSL server closes), so that failure would
		// teach nothing real: an operator who writes an alert rule means
		// TLS clients, and a broad one must leave plain HTTP alone, as a
		// version floor does. reset, close, blackhole and block_page are
		// what refuses plain HTTP.
		return act(NeedTLSClient, "answers a TLS client with a TLS record")
	}
	return Need{}
}

// metBy reports whether the connection ci describes meets the need.
func (k NeedKind) metBy(ci *ConnInfo) bool {
	switch k {
	case NeedTLSClient:
		return !ci.Plain
	case NeedTLSRelay:
		return !ci.Plain && !ci.ListenerEnds
	case NeedHello:
		return (ci.Decrypted || ci.Hello != nil) && !ci.ListenerEnds
	case NeedTermination:
		return ci.Decrypted
	case NeedUpstream:
		return ci.VerifiesUpstream
	case NeedHTTP:
		return ci.Decrypted || ci.Plain && !ci.ListenerEnds
	case NeedTLSRecords:
		return !ci.Plain && ci.Hello != nil && !ci.ListenerEnds
	case NeedConnect:
		return ci.Connect
	}
	return true
}

// actsOn reports whether r can act on the connection ci describes (see
// NeedKind). A rule that cannot (a bad chain where tlsgate runs no
// handshake, a block page inside TLS it passes through, a version floor
// for plain HTTP, a reset at response where the listener resets the
// connection after its first bytes) must not fire.
func (r *Rule) actsOn(ci *ConnInfo) bool {
	if ci.ClientLeft && r.stageOrDefault() != StageAccept {
		// Not even client_hello comes: the client left before its first
		// byte, and a rule counted there would claim the client's own
		// close (a reset, a truncation, a block page nobody read).
		return false
	}
	if ci.ListenerEnds && lateStage(r.stageOrDefault()) {
		// Whatever it needs, its stage never comes: the listener's own
		// reset or answer ends the connection first, and a fault at a
		// stage of the relay must not act on tlsgate's own refusal (a
		// 400 cut short, a redirect with its Date shifted).
		return false
	}
	return r.Need().Kind.metBy(ci)
}

// answersTLS reports whether the rule answers with a TLS record of its own
// (an alert, a hand-written ServerHello), which only a TLS client reads.
func (r *Rule) answersTLS() bool {
	switch r.Action {
	case ActAlert, ActSNIPolicy, ActALPNRefuse, ActSSL3ServerHello, ActUnofferedCipher:
		return true
	}
	return false
}

// lateStage says st comes after the ClientHello: tlsgate meets it only on a
// connection it carries on.
func lateStage(st Stage) bool {
	switch st {
	case StageServerFlight, StageHandshakeDone, StageRequest, StageResponse, StageIdle:
		return true
	}
	return false
}
