package explain

import "slices"

// The fault actions with a stage-specific explanation: what a reset, a
// close or a silent hold means depends on where it happened.
func stagedStops() []string { return []string{"reset", "close", "blackhole"} }

// stopStages are the stages at which the listener ends a connection itself
// (faults.Plan.Stop), in the order it meets them.
func stopStages() []string { return []string{"accept", "client_hello", "handshake_done"} }

// ruleFaultStop: a fault rule ended the connection on purpose. It runs
// before every other rule because nothing after the stop is the client's
// or the backend's doing.
func ruleFaultStop(f *facts) (verdict, bool) {
	if f.o.FaultApplied == "" {
		return verdict{}, false
	}
	return verdict{code: CodeFaultInjected, variant: f.faultVariant()}, true
}

// faultVariant picks the explanation of a stop: reset, close and blackhole
// per stage; an alert after the handshake, which went in the clear beneath
// the session, apart from one answering the ClientHello, and one at idle
// apart again; a TLS policy refusal by the alert it sent (70 is a version
// refusal, 40 a cipher refusal, as a Go server words them, or a group
// refusal when the hello offers none of the allowed groups); every other
// action by its name. An action with no entry falls back to the code.
func (f *facts) faultVariant() string {
	o := f.o
	a := o.FaultApplied
	switch {
	case slices.Contains(stagedStops(), a) && stopStageOf(f.stopStage()) != "accept" && f.plainStream():
		// Plaintext had no handshake: the stop bit the request (its first
		// bytes are the client_hello stage's) or the response itself.
		return a + "_plain"
	case slices.Contains(stagedStops(), a) && f.stopStage() == "accept" && f.o.Mode == "plaintext":
		// Nothing was read yet, but a plaintext listener's client speaks
		// plain HTTP: it waits for a response, not for a ServerHello.
		return a + "_accept_plain"
	case slices.Contains(stagedStops(), a) && f.stopStage() == "accept" && f.o.Mode == "auto":
		// Nothing was read yet, and an auto listener's client speaks
		// TLS or plain HTTP: the texts name both.
		return a + "_accept_any"
	case slices.Contains(stagedStops(), a):
		return a + "_" + stopStageOf(f.stopStage())
	case a == "alert" && f.stopStage() == "idle":
		return "alert_idle"
	case a == "alert" && stopStageOf(f.stopStage()) == "handshake_done":
		return "alert_in_clear"
	case a == "tls_policy" && o.ClientTLS.AlertSent == 70 && o.ClientTLS.CeilingCipherRule != "":
		return "tls_policy_cipher_cap"
	case a == "tls_policy" && o.ClientTLS.AlertSent == 70:
		return "tls_policy_version"
	case a == "tls_policy" && o.ClientTLS.AlertSent == 40 && f.noSharedGroup():
		return "tls_policy_group"
	case a == "mtu" && o.ClientTLS.Done:
		// The handshake fit in small packets: the stall hit the data.
		return "mtu_data"
	case a == "mtu" && f.plainStream():
		return "mtu_plain"
	case a == "tls_policy" && o.ClientTLS.AlertSent == 40:
		return "tls_policy_cipher"
	case a == "proxy_skew" && x509Variant(o.Backend.TLS.Verify+" "+o.Backend.TLS.Err) == "not_yet_valid":
		// tlsgate's clock behind: the certificate looked not yet valid.
		return "proxy_skew_behind"
	case a == "proxy_skew":
		return "proxy_skew_ahead"
	case a == "record_corrupt":
		// Whose data was hit decides what the client printed: its own
		// decryption failing, or the server's alert about its record.
		return "record_corrupt_" + f.corruptDirection()
	}
	return a
}

// stopMatches reports whether a firing can be the stop that ended the
// connection: its action is the applied one (a TLS policy refusal comes
// from a version or cipher rule), and, where strict, a blackhole only
// stops when it holds both directions (a one-way one is a wrapper, which
// ends a connection only by cutting it mid-stream).
func stopMatches(applied string, fr FaultFiring, strict bool) bool {
	if strict && fr.Action == "blackhole" && fr.Direction != "both" && fr.Direction != "" {
		return false
	}
	if applied == "tls_policy" {
		return fr.Action == "version" || fr.Action == "cipher"
	}
	return fr.Action == applied
}

// stopFiring finds the firing that ended the connection, -1 when the
// listener recorded none. The listener checks for a stop at accept, then
// after the ClientHello, then after the handshake, and takes the first
// rule in rule order, so the earliest matching stage wins; a wrapper that
// ended it mid-stream (a trigger, a cut, a one-way blackhole) is found
// after those.
func stopFiring(o *Outcome) int {
	if o.FaultApplied == "" {
		return -1
	}
	for _, st := range stopStages() {
		for i, fr := range o.FaultFirings {
			if fr.Stage == st && stopMatches(o.FaultApplied, fr, true) {
				return i
			}
		}
	}
	for _, strict := range []bool{true, false} {
		for i, fr := range o.FaultFirings {
			if stopMatches(o.FaultApplied, fr, strict) {
				return i
			}
		}
	}
	return -1
}

// stopStage is the stage at which the stop acted: where the listener saw
// it act when it recorded that, else the firing's own stage, else read
// from how far the connection got. A server_flight stop counts as
// client_hello, where its answer goes; request, response and idle stay
// themselves, as a wrapper alert there is recorded as a stop (stopStageOf
// maps them for the per-stage variants).
func (f *facts) stopStage() string {
	st := ""
	if f.stop >= 0 {
		fr := f.o.FaultFirings[f.stop]
		st = fr.Stage
		if fr.Acted != "" {
			st = fr.Acted
		}
	}
	switch st {
	case "accept", "client_hello", "handshake_done", "request", "response", "idle":
		return st
	case "server_flight":
		// A wrapper there that cut the stream only after a completed
		// handshake (an MTU stall the handshake fit under) bit the data.
		if f.o.ClientTLS.Done {
			return "handshake_done"
		}
		return "client_hello"
	}
	switch {
	case f.o.ClientTLS.Done:
		return "handshake_done"
	case len(f.o.FirstBytes) > 0 || f.o.Hello != nil:
		return "client_hello"
	}
	return "accept"
}

// plainStream says the connection carried plaintext that tlsgate relayed
// as it came (plain HTTP on a plaintext or auto listener, or allowed by
// non_ssl): no TLS handshake ever ran, so the stages after it are the
// request and the response themselves.
func (f *facts) plainStream() bool {
	return len(f.o.FirstBytes) > 0 && !f.o.Kind.IsTLS() && f.o.Hello == nil && !f.o.ClientTLS.Attempted
}

// stopStageOf is the stop stage whose variant explains a stop at st: the
// stages after the handshake share handshake_done's.
func stopStageOf(st string) string {
	switch st {
	case "request", "response", "idle":
		return "handshake_done"
	}
	return st
}

// stopRule names the rule of the stop: the firing's, else the only rule
// that fired.
func (f *facts) stopRule() string {
	switch {
	case f.stop >= 0:
		return f.o.FaultFirings[f.stop].Rule
	case len(f.o.Faults) == 1:
		return f.o.Faults[0]
	}
	return f.say("not_recorded_par")
}

// flightDamaged reports whether a fault cut, dropped or stalled what
// tlsgate sent toward the client during the handshake. Then a client that
// hung up never saw the whole certificate flight, so its silence is no
// verdict on the certificate.
func (f *facts) flightDamaged() bool {
	damaging := []string{"truncate", "limit_data", "mtu", "blackhole", "timeout"}
	early := []string{"accept", "client_hello", "server_flight"}
	for _, fr := range f.o.FaultFirings {
		toClient := fr.Direction == "" || fr.Direction == "s2c" || fr.Direction == "both"
		if toClient && slices.Contains(damaging, fr.Action) && slices.Contains(early, fr.Stage) {
			return true
		}
	}
	return false
}

// corruptDirection is the direction a record_corrupt stop flipped in:
// where the listener saw it act (request is the client's data), else the
// rule's own direction, else s2c, the rule's default.
func (f *facts) corruptDirection() string {
	switch f.stopStage() {
	case "request":
		return "c2s"
	case "response":
		return "s2c"
	}
	if f.stop >= 0 && f.o.FaultFirings[f.stop].Direction == "c2s" {
		return "c2s"
	}
	return "s2c"
}
