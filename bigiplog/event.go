package bigiplog

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// EventKey is the field key the listener logs an Event under.
const EventKey = "conn"

// Event is one finished connection: its facts and their explanation. It
// marshals with stable keys, so JSON consumers can rely on every key being
// present whatever happened to the connection.
type Event struct {
	Outcome   *explain.Outcome
	Diagnosis *explain.Diagnosis // nil: computed from Outcome when rendered
}

// Level is the one level of a finished connection, whatever the format:
// warn for a failure (d.OK false: a handshake that failed, a protocol
// mismatch, a refused backend, a fault that ended it), as BIG-IP's
// 01260013:4 lines are at warning; info for a connection that did what it
// should. A connection that worked but carries warnings (explain's
// Warnings: verification off, a weak cipher) is at warning too: its lines
// say "warning:", and a collector filtering at warning must see them in
// json as in bigip. The listener logs the Event at this level, so json and console
// show it, and the bigip format and syslog write each of our lines for the
// connection at the matching severity (4 or 6) while BIG-IP's own lines
// keep the severity of their ID. A collector that keeps warning and above
// thus gets every failure, with or without a BIG-IP line, in every format.
func Level(d explain.Diagnosis) zapcore.Level {
	if d.OK && len(d.Warnings) == 0 {
		return zapcore.InfoLevel
	}
	return zapcore.WarnLevel
}

// Field wraps ev as the zap field the encoders look for.
func Field(ev Event) zapcore.Field {
	return zapcore.Field{Key: EventKey, Type: zapcore.ObjectMarshalerType, Interface: ev}
}

// parts returns a non-nil Outcome and its whole Diagnosis.
func (e Event) parts() (*explain.Outcome, explain.Diagnosis) {
	o := e.Outcome
	if o == nil {
		o = &explain.Outcome{}
	}
	if e.Diagnosis != nil {
		return o, explain.Complete(o, *e.Diagnosis)
	}
	return o, explain.Diagnose(o)
}

// LineText is a BIG-IP line without its syslog prefix: "01260013:4: SSL …",
// or only the text for a line without a message ID ("SSL Handshake
// details for TCP …"), so no ID is ever invented.
func LineText(l explain.Line) string {
	if l.ID == "" {
		return l.Text
	}
	return fmt.Sprintf("%s:%d: %s", l.ID, clampSev(l.Sev), l.Text)
}

// MarshalLogObject implements zapcore.ObjectMarshaler.
func (e Event) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	o, d := e.parts()
	enc.AddUint64("id", o.ID)
	enc.AddString("listener", o.Listener)
	enc.AddString("mode", o.Mode)
	enc.AddString("route", o.Route)
	enc.AddString("client", addrString(o.Client))
	// The socket's peer: the client itself, or the load balancer that
	// sent a PROXY header naming the client above.
	enc.AddString("peer", addrString(o.Peer))
	enc.AddString("virtual", addrString(o.Virtual))
	enc.AddString("diagnosis", d.Code)
	enc.AddBool("ok", d.OK)
	enc.AddString("summary", d.Summary)
	enc.AddString("kind", o.Kind.String())
	enc.AddString("first_bytes", hex.EncodeToString(o.FirstBytes))
	sni, alpn, suites, nSuites := explain.ClientSNI(o), []string{}, []string{}, 0
	if o.Hello != nil {
		alpn = append(alpn, o.Hello.ALPN...)
		for _, s := range o.Hello.CipherSuites {
			if explain.IsGREASE(s) {
				continue
			}
			// The array names the first explain.ListCap, as the text
			// evidence does: a hostile hello's thousands of suites
			// would make one line of 165 KB. The count keeps the total.
			if nSuites++; len(suites) < explain.ListCap {
				suites = append(suites, explain.CipherName(s))
			}
		}
	}
	enc.AddString("sni", sni)
	versions := []string{}
	for _, v := range explain.OfferedVersions(o) {
		versions = append(versions, explain.VersionName(v))
	}
	var err error
	err = firstErr(err, enc.AddArray("versions_offered", stringArray(versions)))
	err = firstErr(err, enc.AddArray("ciphers_offered", stringArray(suites)))
	enc.AddInt("ciphers_offered_count", nSuites)
	err = firstErr(err, enc.AddArray("alpn", stringArray(alpn)))
	enc.AddString("ja3", o.JA3)
	enc.AddString("ja4", o.JA4)
	err = firstErr(err, enc.AddObject("client_tls", legObject(o.ClientTLS)))
	err = firstErr(err, enc.AddObject("backend", backendObject(o.Backend)))
	enc.AddInt64("bytes_up", o.BytesUp)
	enc.AddInt64("bytes_down", o.BytesDown)
	// The client's bytes read that never reached the backend (the connect
	// race); bytes_up leaves them out. 0 on nearly every connection, but
	// written on each: a key only failures carry is a field a SIEM maps
	// late, or never.
	enc.AddInt64("bytes_up_undelivered", o.BytesUpUndelivered)
	enc.AddInt64("duration_ms", o.Duration.Milliseconds())
	enc.AddString("relay_end", string(o.End))
	// Which side half-closed first, while the other still sent ("client",
	// "backend", "" when neither did before the end), and how long after
	// the connection began: the order the text explanation words as "the
	// client closed its side (FIN) after …", kept as data for consumers.
	enc.AddString("first_fin", o.FirstFIN)
	enc.AddInt64("first_fin_ms", o.FirstFINAfter.Milliseconds())
	lines := make([]string, len(d.BigIP))
	for i, l := range d.BigIP {
		lines[i] = LineText(l)
	}
	err = firstErr(err, enc.AddArray("bigip", stringArray(lines)))
	enc.AddString("cause", d.Cause)
	err = firstErr(err, enc.AddArray("checks", stringArray(append([]string{}, d.Checks...))))
	enc.AddString("client_saw", d.ClientSaw)
	err = firstErr(err, enc.AddObject("evidence", evidenceObject(d.Evidence)))
	err = firstErr(err, addFaults(enc, o))
	return firstErr(err, addInterception(enc, o, d))
}

func firstErr(prev, next error) error {
	if prev != nil {
		return prev
	}
	return next
}

func addrString(ap netip.AddrPort) string {
	if !ap.IsValid() {
		return ""
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()
}

// stringArray marshals as a JSON array of strings.
type stringArray []string

func (s stringArray) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	for _, v := range s {
		enc.AppendString(v)
	}
	return nil
}

// evidenceObject keeps the Diagnosis order of evidence keys. A key the
// Diagnosis repeats (one "fault" item per rule that fired) is written once,
// where it first appears, with the items' values joined by evidenceJoin: an
// object with a key twice is valid JSON to nobody's parser, which keeps the
// last member and drops the rest.
type evidenceObject []explain.Evidence

// evidenceJoin separates the values of one repeated evidence key.
const evidenceJoin = "; "

func (ev evidenceObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for i, e := range ev {
		if slices.ContainsFunc(ev[:i], func(p explain.Evidence) bool { return p.Key == e.Key }) {
			continue // written with the first
		}
		v := e.Value
		for _, later := range ev[i+1:] {
			if later.Key == e.Key {
				v += evidenceJoin + later.Value
			}
		}
		enc.AddString(e.Key, v)
	}
	return nil
}

// legObject is one TLS leg with names instead of numbers.
type legObject explain.Leg

func (l legObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddBool("attempted", l.Attempted)
	enc.AddBool("done", l.Done)
	enc.AddString("version", versionOrEmpty(l.Version))
	enc.AddString("cipher", cipherOrEmpty(l.CipherSuite))
	enc.AddString("alpn", l.ALPN)
	enc.AddString("err", l.Err)
	enc.AddInt("alert_sent", l.AlertSent)
	enc.AddInt("alert_recv", l.AlertRecv)
	enc.AddString("verify", l.Verify)
	enc.AddBool("verify_skipped", l.VerifySkipped)
	enc.AddString("group", l.Group)
	enc.AddBool("mutual", l.Mutual)
	enc.AddBool("server_flight_sent", l.ServerFlightSent)
	return enc.AddArray("peer_cert", stringArray(append([]string{}, l.PeerCert...)))
}

// backendObject is the backend leg.
type backendObject explain.Backend

func (b backendObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("addr", b.Addr)
	enc.AddString("local", addrString(b.Local))
	enc.AddString("remote", addrString(b.Remote))
	enc.AddString("err", b.DialErr)
	return enc.AddObject("tls", legObject(b.TLS))
}

func versionOrEmpty(v uint16) string {
	if v == 0 {
		return ""
	}
	return explain.VersionName(v)
}

func cipherOrEmpty(c uint16) string {
	if c == 0 {
		return ""
	}
	return explain.CipherName(c)
}

// explanationLines are our own lines for a diagnosis, without prefix. A
// success is one line; a failure is its summary, cause, numbered checks,
// the client hint and one line per evidence item. Warnings are rendered
// separately (warningLines): a success writes them after its one line.
func explanationLines(id uint64, d explain.Diagnosis, lang string) []string {
	tag := connTag(id, d)
	if d.OK {
		return []string{tag + d.Summary}
	}
	l := labelsFor(lang)
	out := []string{tag + l.summary + d.Summary, tag + l.cause + d.Cause}
	for i, c := range d.Checks {
		out = append(out, tag+fmt.Sprintf(l.check, i+1)+c)
	}
	if d.ClientSaw != "" {
		out = append(out, tag+l.clientSaw+d.ClientSaw)
	}
	for _, e := range d.Evidence {
		out = append(out, tag+fmt.Sprintf(l.evidence, evidenceName(e.Key, lang))+strings.TrimSpace(e.Value))
	}
	return out
}

// connTag starts each of our lines: "[conn 7 ok] ".
func connTag(id uint64, d explain.Diagnosis) string {
	return fmt.Sprintf("[conn %d %s] ", id, d.Code)
}

// warningLines are our lines for the warnings of a connection that worked
// but is weaker than it looks: "[conn 7 ok] warning: …". They carry the
// connection's Level, as its json event does (a success with warnings is
// WarnLevel); the "warning:" label names what they say, not the level.
func warningLines(id uint64, d explain.Diagnosis, lang string) []string {
	out := make([]string, len(d.Warnings))
	for i, w := range d.Warnings {
		out[i] = connTag(id, d) + labelsFor(lang).warning + w
	}
	return out
}
