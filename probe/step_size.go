package probe

import (
	"context"
	"crypto/tls"
	"fmt"
)

// codeFlightStall is step 9's code for a flight that stops mid-way; later
// steps are skipped on it.
const codeFlightStall = "pmtu_blackhole"

// segmentHint is a little under the payload of one full-size TCP segment on
// a 1,500-byte Ethernet path (1,500 − 20 IP − 20 TCP − 12 bytes of timestamp
// option = 1,448): a hello or flight above it needs more than one segment.
const segmentHint = 1400

// stepLargeHello is step 8: does a ~1.7 KB post-quantum ClientHello get
// through where a small one does?
func (p *prober) stepLargeHello(ctx context.Context) Step {
	big := p.baseConfig()
	big.CurvePreferences = largeCurves()
	small := p.baseConfig()
	small.CurvePreferences = []tls.CurveID{tls.X25519}
	ab := p.handshake(ctx, big)
	as := p.handshake(ctx, small)
	bigAt := p.toAttempt("large hello (X25519MLKEM768 + X25519 key shares)", ab)
	smallAt := p.toAttempt("small hello (X25519 key share only)", as)
	s := Step{Attempts: []Attempt{bigAt, smallAt}, Evidence: []string{
		fmt.Sprintf("large: %s-byte ClientHello → %s", fmtInt(ab.tap.helloLen), bigAt.Detail),
		fmt.Sprintf("small: %s-byte ClientHello → %s", fmtInt(as.tap.helloLen), smallAt.Detail),
	}}
	switch {
	case bigAt.OK && smallAt.OK:
		s.Verdict, s.Code = Pass, "large_hello_ok"
		s.Finding = fmt.Sprintf("a %s-byte post-quantum ClientHello gets through", fmtInt(ab.tap.helloLen))
		if ab.cs.CurveID == tls.X25519MLKEM768 {
			s.Finding += " (the server chose X25519MLKEM768)"
		} else if ab.cs.CurveID != 0 {
			s.Finding += " (the server chose " + ab.cs.CurveID.String() + ", not the post-quantum group)"
		}
	case smallAt.OK && (ab.result == resReset || ab.result == resTimeout || ab.result == resClosed):
		s.Verdict, s.Code = Fail, "large_hello_intolerance"
		s.Finding = fmt.Sprintf("large-ClientHello intolerance (a middlebox parsing only the first segment): the %s-byte hello is %s, the %s-byte one works",
			fmtInt(ab.tap.helloLen), map[string]string{resReset: "reset", resTimeout: "dropped", resClosed: "closed"}[ab.result], fmtInt(as.tap.helloLen))
		s.Cause = "a firewall, IPS, SNI filter or load balancer reads only the first TCP segment of the ClientHello; the X25519MLKEM768 key share (1,216 bytes) that Go ≥1.24 and Chrome ≥124 send by default pushes the hello past one segment"
		s.Check = "update or reconfigure the middlebox's TLS/SNI inspection; as a stopgap clients can drop the hybrid share (Go: GODEBUG=tlsmlkem=0)"
	case smallAt.OK:
		s.Verdict, s.Code = Fail, "large_hello_refused"
		s.Finding = "the large post-quantum hello is refused (" + bigAt.Detail + ") while the small one works"
		s.Cause = "the server or a middlebox mishandles the hybrid key share instead of ignoring it"
		s.Check = "the server's TLS library version and its key-exchange group settings"
	case bigAt.OK:
		s.Verdict, s.Code = Info, "small_hello_refused"
		s.Finding = "only the large hello works; the X25519-only hello gets " + smallAt.Detail
	default:
		s.Verdict, s.Code = Info, "neither"
		s.Finding = "neither hello completes a handshake, so size is not the difference (see step 3)"
	}
	return s
}

// stepFlight is step 9: does the server's handshake flight arrive whole, or
// stall once it needs full-size packets (a PMTUD black hole)?
func (p *prober) stepFlight(ctx context.Context) Step {
	cfg := p.baseConfig()
	cfg.CurvePreferences = []tls.CurveID{tls.X25519} // small hello, small ServerHello
	a := p.handshake(ctx, cfg)
	t := a.tap
	at := p.toAttempt("flight", a)
	s := Step{Attempts: []Attempt{at}}
	if t.inTotal > 0 {
		reads := fmt.Sprintf("%d reads", t.reads)
		if t.reads == 1 {
			reads = "1 read"
		}
		s.Evidence = append(s.Evidence, fmt.Sprintf("first byte after %s, last byte after %s: %s bytes in %s",
			fmtDur(t.firstByte), fmtDur(t.lastByte), fmtInt(t.inTotal), reads))
	}
	w := walkRecords(t.in)
	switch {
	case a.result == resOK:
		s.Verdict, s.Code = Pass, "flight_ok"
		s.Finding = fmt.Sprintf("the server's flight arrived whole: %s bytes, handshake done after %s", fmtInt(t.inTotal), fmtDur(a.elapsed))
		if t.inTotal > segmentHint {
			s.Finding += " (more than one full-size segment, so large packets pass)"
		}
	case a.result == resTimeout && t.inTotal > 0:
		s.Verdict, s.Code = Fail, codeFlightStall
		where := "after the ServerHello arrived"
		if !w.serverHello {
			where = "before the ServerHello was complete"
		}
		s.Finding = fmt.Sprintf("looks like a PMTUD black hole: the handshake stalls %s, mid-flight (%s bytes, then nothing); check the tunnel MTU / MSS clamping", where, fmtInt(t.inTotal))
		s.Evidence = append(s.Evidence, fmt.Sprintf("time to first byte %s; the stream stopped at %s and nothing came for the next %s (timeout %s)",
			fmtDur(t.firstByte), fmtDur(t.lastByte), fmtDur(a.elapsed-t.lastByte), fmtDur(p.o.Timeout)))
		s.Evidence = append(s.Evidence, flightShape(w))
		s.Cause = "full-size packets of the server's certificate flight are lost on the way back while small ones pass: a tunnel or VPN with a lower MTU, and the ICMP 'fragmentation needed' messages filtered"
		s.Check = "the tunnel MTU and MSS clamping: ping -M do -s 1472 toward the server fails while smaller sizes pass; clamp the MSS on the tunnel or let ICMP type 3 code 4 through"
	case (a.result == resClosed || a.result == resReset) && t.inTotal > 0:
		s.Verdict, s.Code = Fail, "flight_cut"
		s.Finding = fmt.Sprintf("the server's flight is cut: %s bytes, then the connection was %s", fmtInt(t.inTotal), map[string]string{resClosed: "closed", resReset: "reset"}[a.result])
		s.Evidence = append(s.Evidence, flightShape(w))
		s.Cause = "a middlebox or the server ends the connection in the middle of the certificate flight (Go reports 'unexpected EOF', curl 'SSL_ERROR_SYSCALL')"
		s.Check = "a packet capture on the server side: does the server send the whole flight?"
	default:
		s.Verdict, s.Code = Info, "not_measured"
		s.Finding = "the flight could not be measured: " + at.Detail
	}
	return s
}

// flightShape says how the received bytes end, in TLS records.
func flightShape(w recordWalk) string {
	switch {
	case w.garbage >= 0:
		return fmt.Sprintf("%d whole records, then bytes that are not TLS at offset %d", w.complete, w.garbage)
	case w.partial && w.declared < 0:
		return fmt.Sprintf("%d whole records, then a record header cut short", w.complete)
	case w.partial:
		return fmt.Sprintf("%d whole records, then record #%d (%s) declares %s bytes and only %s arrived",
			w.complete, w.partialIndex, recordTypeName(w.partialType), fmtInt(w.declared), fmtInt(w.got))
	}
	return fmt.Sprintf("%d whole records, and the flight never finished", w.complete)
}
