package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/tlsgate/tlsgate/sniff"
)

// codeFlightStall is step 9's code for a flight that stops mid-way; later
// steps are skipped on it.
const codeFlightStall = "pmtu_blackhole"

// segmentHint is the payload of one full-size TCP segment on a 1,500-byte
// Ethernet path (1,500 − 20 IP − 20 TCP − 12 bytes of timestamp option =
// 1,448). It is the exact figure, not a round one under it: step 9 claims a
// flight needed more than one full-size segment only above it, and a
// 1,401- to 1,448-byte flight fits in one.
const segmentHint = 1448

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
	t := p.t
	switch {
	case bigAt.OK && smallAt.OK:
		s.Verdict, s.Code = Pass, "large_hello_ok"
		s.Finding = t.f("size.ok", "bytes", fmtInt(ab.tap.helloLen))
		if ab.cs.CurveID == tls.X25519MLKEM768 {
			s.Finding += t.f("size.ok.pq")
		} else if ab.cs.CurveID != 0 {
			s.Finding += t.f("size.ok.other", "group", ab.cs.CurveID.String())
		}
	case smallAt.OK && (ab.result == resReset || ab.result == resTimeout || ab.result == resClosed):
		s.Verdict, s.Code = Fail, "large_hello_intolerance"
		s.Finding = t.f("size.intolerance", "big", fmtInt(ab.tap.helloLen), "how", t.f("word.hello_"+ab.result), "small", fmtInt(as.tap.helloLen))
		s.Cause = t.f("size.intolerance.cause")
		s.Check = t.f("size.intolerance.check")
	case smallAt.OK:
		s.Verdict, s.Code = Fail, "large_hello_refused"
		s.Finding = t.f("size.refused", "detail", bigAt.Detail)
		s.Cause = t.f("size.refused.cause")
		s.Check = t.f("size.refused.check")
	case bigAt.OK:
		s.Verdict, s.Code = Info, "small_hello_refused"
		s.Finding = t.f("size.small_refused", "detail", smallAt.Detail)
	default:
		s.Verdict, s.Code = Info, "neither"
		s.Finding = t.f("size.neither")
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
	tx := p.t
	switch {
	case a.result == resOK:
		s.Verdict, s.Code = Pass, "flight_ok"
		s.Finding = flightOK(tx, t.inTotal, a.elapsed)
	case a.result == resTimeout && t.inTotal > 0:
		s.Verdict, s.Code = Fail, codeFlightStall
		where := tx.f("flight.after_sh")
		if !w.serverHello {
			where = tx.f("flight.before_sh")
		}
		s.Finding = tx.f("flight.stall", "where", where, "bytes_n", tx.bytes(t.inTotal))
		s.Evidence = append(s.Evidence, fmt.Sprintf("time to first byte %s; the stream stopped at %s and nothing came for the next %s (timeout %s)",
			fmtDur(t.firstByte), fmtDur(t.lastByte), fmtDur(a.elapsed-t.lastByte), fmtDur(p.o.Timeout)))
		s.Evidence = append(s.Evidence, flightShape(w))
		s.Cause = tx.f("pmtu.cause")
		s.Check = tx.f("flight.stall.check")
	case (a.result == resClosed || a.result == resReset) && t.inTotal > 0:
		s.Verdict, s.Code = Fail, "flight_cut"
		s.Finding = tx.f("flight.cut", "bytes_n", tx.bytes(t.inTotal), "how", tx.f("word.cut_"+a.result))
		s.Evidence = append(s.Evidence, flightShape(w))
		s.Cause = tx.f("flight.cut.cause")
		s.Check = tx.f("flight.cut.check")
	default:
		s.Verdict, s.Code = Info, "not_measured"
		s.Finding = tx.f("flight.not_measured", "detail", at.Detail)
	}
	return s
}

// flightOK is step 9's finding for a flight of n bytes that arrived whole.
// It says large packets pass only when the flight could not fit in one
// full-size segment; a smaller flight proves nothing about them.
func flightOK(tx tr, n int, took time.Duration) string {
	s := tx.f("flight.ok", "bytes_n", tx.bytes(n), "took", fmtDur(took))
	if n > segmentHint {
		s += tx.f("flight.ok.large", "segment", fmtInt(segmentHint))
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
			w.complete, w.partialIndex, sniff.RecordTypeName(w.partialType), fmtInt(w.declared), fmtInt(w.got))
	}
	return fmt.Sprintf("%d whole records, and the flight never finished", w.complete)
}
