// Package faults decides which injected faults a connection gets and holds the
// mechanisms that carry them out.
//
// A Rule is a selector (listener, SNI, client address, fingerprint, offered
// versions, connection index, probability), a stage, a direction and an
// action. An Engine holds the rules copy-on-write; Plan evaluates them once per
// connection and returns an immutable Plan whose Firings name each rule that
// fired, the random draw that let it fire, and the symptom the client should
// show. Runtime changes affect only connections planned afterwards: a plan is
// never rewired while its connection runs.
//
// The package returns facts and never logs: the listener logs each firing.
//
// # Stages and where the listener applies them
//
// The listener meets a connection at three points, and asks the plan at each:
//
//	accept          PlanAccept (no ClientHello yet): Stop(StageAccept), Wrappers(StageAccept)
//	client_hello    Plan, after the peek: Stop(StageClientHello), TLSPolicy(),
//	                Wrappers(StageClientHello, StageServerFlight) on the raw client conn;
//	                a passthrough listener also installs request, response and idle here
//	handshake_done  terminating listeners, after the handshake: Stop(StageHandshakeDone),
//	                Wrappers(StageHandshakeDone, StageRequest, StageResponse, StageIdle)
//	                on the *tls.Conn
//
// Stop returns the first rule that ends the normal path right there (reset,
// close, blackhole in both directions, an alert or a hand-written answer to the
// ClientHello); Apply carries it out. Everything else is a conn wrapper. A
// wrapper for server_flight or response acts from the first byte the server
// side writes after it is installed; one for request acts from the first byte
// the client sends; so "reset at response" resets as the response starts.
//
// An alert at request, response or idle is such a wrapper too. It goes
// toward the client in the clear, beneath the TLS session (a middlebox has
// no keys), with record version 0x0303 unless the rule says otherwise; at
// idle it goes once the conn has been quiet both ways for the rule's
// timeout. Ended tells the listener afterwards whether it went, and whether
// a reset, close or plaintext reply at server_flight, request or response
// ended the connection, or a byte wrapper cut or stalled the stream (a
// truncate or limit_data past its bytes, a timeout or one-way blackhole,
// an expired idle_timeout, an MTU stall that never recovered: Injection.Cut).
// Withheld counts the bytes such a wrapper kept from the peer, which a
// relay above it counted as sent.
//
// large_hello without hello_min_size or hello_multi_segment selects a hello
// that spans more than one segment on a real path: larger than FullSegment
// (1,448 bytes), or seen in more than one read. Reads alone would miss it on
// loopback, whose 64 KiB MTU delivers a 1.5 KB post-quantum hello whole.
// With then = fail_open it ends nothing: the middlebox passes the hello
// unread, so Plan evaluates it before the others and, when it fires, skips
// every rule keyed on the hello's content (sni, ja3, ja4, alpn,
// max_offered_version) for that connection, taking nothing from their
// budgets; its firing's symptom names the rules it kept from the hello.
// A version_intolerance counts among those content rules: it reads the
// versions the hello offers (supported_versions without GREASE, else
// legacy_version) and, when the highest is above intolerant_above, stops
// the connection at client_hello with a FIN or an RST and no answer, on
// passthrough, terminating and inspect listeners alike.
//
// A rewrite is planned like any wrapper but fires only when it changes a
// response (its head, or with body_find its body): a connection that
// carried no response, or none with the headers the rule strips or the
// text it replaces, was never rewritten. A body rewrite also watches the
// client's side for the request's method: the answer to a HEAD announces
// a body it does not carry. Plan.Settle, once the
// connection ended, drops such a firing and gives back its count and
// max_fires budget, so the log, the diagnosis and the metrics name only
// the rewrites that happened. An mtu rule fires the same way, when a burst
// larger than its path first stalls: one whose every burst fit logs no
// black hole and no timeout.
//
// An abort (stage request) is neither a stop nor a wrapper: Plan.Abort
// tells the listener to answer the connection's requests itself with
// AbortHandler, as a proxy in front of the backend would, instead of
// relaying them.
//
// # Directions
//
// c2s is client to server, s2c server to client. Wrap is told which peer the
// conn faces. For the client-facing conn (FacingClient), the usual case, Read
// returns what the client sent (c2s) and Write sends toward the client (s2c).
// For a backend-facing conn (FacingBackend) it is the other way round.
//
// # Holds
//
// A fault that holds the way to the peer for good (an mtu stall, a
// blackhole, truncate or idle_timeout whose then is hold, a timeout without
// one, a stop that holds) sends it nothing more: through a real black hole
// the FIN or RST of a close would be lost too, and the client shows its own
// timeout. So when the listener's own timeout, or a relay's end, closes or
// resets such a conn, the socket is held instead (Held): everything blocked
// on the conn wakes as from a close, and the socket stays open, silent,
// until the client gives up or WrapDeps.HoldMax passes (then an RST).
// WrapDeps.Hold lets the listener count the held socket and reset it at
// shutdown.
//
// # Randomness and time
//
// A rule's probability draw comes from its seed and the connection index
// alone, so the same seed and the same traffic give the same firings. The
// randomness inside a wrapper (jitter, slice sizes, support IDs) is seeded the
// same way. Wrappers take their clock, sleeper and timers from WrapDeps, so
// tests run without wall-clock waits.
package faults
