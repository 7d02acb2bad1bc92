package explain

import "time"

// A client whose first message stalls part-way is a handshake timeout on
// a listener that terminates TLS: crypto/tls waits for the rest and gives
// up. A passthrough listener relays what came at the peek deadline
// instead (listener.readHello's caller explains why), so the connection
// lives on until the backend, the client or the idle timer ends it, and
// the diagnosis says that, with the connection's real length.

// stallOvercome says the client did go on after the peek deadline: the
// rest of its hello reached crypto/tls, which completed the handshake, or
// more bytes than the peek read went through a passthrough relay. The
// peek's "nothing more within the timeout" was true at the deadline, and
// no longer the story: the later rules tell what followed.
func stallOvercome(o *Outcome) bool {
	return o.ClientTLS.Done || relayedStall(o) && o.BytesUp > int64(firstLen(o))
}

// relayedStall says a route that passes TLS through (passthrough, or an
// inspect listener's bypass) relayed a first message that had stalled at
// the peek deadline to a backend it reached. A bypassed stall is relayed
// like a passthrough one, and tlsgate took no part in its handshake
// either: it was explained as tlsgate's own handshake timeout, with a
// 01260013 line.
func relayedStall(o *Outcome) bool {
	return o.PeekEnd == PeerPartial && PassesTLS(o) && o.Backend.Attempted && o.Backend.DialErr == ""
}

// relayedCut says a route that passes TLS through relayed a first message
// the client had cut short with its FIN: the listener sends bytes that
// began TLS on to the backend however the peek ended, so the partial hello
// went up after the FIN, and whatever came back (OpenSSL's decode_error,
// a close) answered the cut, not an offer. tlsgate decided nothing there.
func relayedCut(o *Outcome) bool {
	return o.PeekEnd == PeerClosed && PassesTLS(o) && o.Backend.Attempted && o.Backend.DialErr == ""
}

// cutPlaceholder fills the names of a relayed cut's texts: cut_end, what
// the backend did with the partial hello, and cut_saw, what came back to
// the half-closed client. ok=false leaves a name unknown.
func (f *facts) cutPlaceholder(name string) (string, bool) {
	o := f.o
	a := o.Backend.HelloAlert
	switch name {
	case "cut_end":
		var then string
		switch {
		case o.End == EndIdleTimeout:
			return f.say("stall_end_idle", "{idle}", o.IdleTimeout.String()), true
		case o.End == EndBackendReset:
			then = f.say("stall_then_reset")
		case a.Level != 0:
			then = f.say("stall_then_alert", "{alert}", alertLabel(int(a.Desc)))
		case o.BytesDown > 0:
			then = f.sayFlow("stall_then_answer")
		default:
			then = f.say("stall_then_closed")
		}
		return f.say("cut_end_backend", "{then}", then), true
	case "cut_saw":
		switch {
		case o.End == EndBackendReset && o.BytesDown == 0:
			return f.say("cut_saw_reset"), true
		case a.Level != 0:
			rec := []byte{21, byte(a.Version >> 8), byte(a.Version), 0, 2, a.Level, a.Desc}
			return f.say("cut_saw_alert", "{alert}", alertLabel(int(a.Desc)), "{record}", hexPrefix(rec, len(rec))), true
		case o.BytesDown > 0:
			return f.sayFlow("cut_saw_bytes"), true
		}
		return f.say("cut_saw_closed"), true
	}
	return "", false
}

// minSegment is the smallest TCP segment every IPv4 path carries (the
// default MSS of RFC 879, 536 bytes). A first message that stalled before
// this many bytes was not cut by a dropped second segment or an MTU black
// hole: it all fitted in the first.
const minSegment = 536

// stallPlaceholder fills the names of a relayed stall's texts; ok=false
// leaves a name unknown.
func (f *facts) stallPlaceholder(name string) (string, bool) {
	o := f.o
	switch name {
	case "stall_why":
		if n := firstLen(o); n < minSegment {
			return f.say("stall_why_short", "{n}", f.bytesN(int64(n))), true
		}
		return f.say("stall_why_split"), true
	case "stall_check":
		if firstLen(o) < minSegment {
			return f.expand(f.say("stall_check_short")), true
		}
		return f.expand(f.say("stall_check_mtu")), true
	case "cut_end", "cut_saw":
		return f.cutPlaceholder(name)
	case "stall_end":
	case "relayed_by":
		if o.Route == "bypass" {
			return f.say("relayed_by_bypass"), true
		}
		return f.say("relayed_by_pass"), true
	case "passes_tls":
		if o.Route == "bypass" {
			return f.say("passes_tls_bypass", "{listener}", f.orNone(o.Listener), "{bypass}", f.orNone(o.Bypass)), true
		}
		return f.say("passes_tls", "{listener}", f.orNone(o.Listener)), true
	default:
		return f.modePlaceholder(name)
	}
	after := o.FirstFINAfter.Round(time.Millisecond).String()
	switch {
	case o.End == EndIdleTimeout:
		return f.say("stall_end_idle", "{idle}", o.IdleTimeout.String()), true
	case o.FirstFIN == SideClient && o.End != EndClientReset:
		// The client's half-close came first: whatever the backend did
		// next (s_server's decode_error on a record cut short, its close)
		// answered that FIN, and did not end the connection on its own.
		var then string
		switch {
		case o.End == EndBackendReset:
			then = f.say("stall_then_reset")
		case o.Backend.HelloAlert.Level != 0:
			then = f.say("stall_then_alert", "{alert}", alertLabel(int(o.Backend.HelloAlert.Desc)))
		case o.BytesDown > 0:
			then = f.sayFlow("stall_then_answer")
		default:
			then = f.say("stall_then_closed")
		}
		return f.say("stall_end_client_fin", "{after}", after, "{then}", then), true
	case o.End == EndBackendReset:
		return f.say("stall_end_reset", "{side}", f.say("side_backend")), true
	case o.End == EndClientReset:
		return f.say("stall_end_reset", "{side}", f.say("side_client")), true
	case o.Backend.HelloAlert.Level != 0:
		return f.say("stall_end_alert", "{alert}", alertLabel(int(o.Backend.HelloAlert.Desc))), true
	case o.BytesDown > 0:
		return f.sayFlow("stall_end_answer"), true
	case o.FirstFIN == SideBackend:
		return f.say("stall_end_backend_fin", "{after}", after), true
	}
	return f.say("stall_end_closed"), true
}
