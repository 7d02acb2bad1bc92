package bigiplog

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// NewEncoder returns the zap encoder for o.Format:
//   - "json": one JSON object per entry, keys ts (RFC 3339, ns), level, msg,
//     and the Event under "conn".
//   - "console": zap's console layout with the same keys.
//   - "bigip" (or ""): BIG-IP ltm lines for each Event, then tlsgate's own
//     explanation lines; entries without an Event become one of our lines.
func NewEncoder(o Options) (zapcore.Encoder, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	switch o.Format {
	case "json":
		return withLang(zapcore.NewJSONEncoder(zapConfig()), o.Lang), nil
	case "console":
		return withLang(zapcore.NewConsoleEncoder(zapConfig()), o.Lang), nil
	case "bigip":
		return newLTMEncoder(o, false), nil
	}
	return nil, fmt.Errorf("bigiplog: unknown format %q (want bigip, json or console)", o.Format)
}

// withDefaults fills the zero values and rejects what cannot be rendered.
func (o Options) withDefaults() (Options, error) {
	if o.Format == "" {
		o.Format = "bigip"
	}
	if o.TMMs <= 0 {
		o.TMMs = 2
	}
	if o.PID <= 0 {
		o.PID = os.Getpid()
	}
	if o.Host == "" {
		h, err := os.Hostname()
		if err != nil {
			return o, fmt.Errorf("bigiplog: no host given and hostname unknown: %w", err)
		}
		// tmm lines carry the short name (bigip-log.md §1.1).
		o.Host, _, _ = strings.Cut(h, ".")
	}
	if !explain.ValidLang(o.Lang) {
		return o, fmt.Errorf("bigiplog: language %q not available (want %q)", o.Lang, explain.Langs())
	}
	if o.Lang == "" {
		o.Lang = explain.LangEN
	}
	return o, nil
}

// withLang wraps a zap encoder so Events are worded in lang.
func withLang(enc zapcore.Encoder, lang string) zapcore.Encoder {
	if lang == explain.LangEN {
		return enc
	}
	return langEncoder{Encoder: enc, lang: lang}
}

func zapConfig() zapcore.EncoderConfig {
	return zapcore.EncoderConfig{
		TimeKey:        "ts",
		LevelKey:       "level",
		NameKey:        "logger",
		MessageKey:     "msg",
		StacktraceKey:  "stacktrace",
		LineEnding:     zapcore.DefaultLineEnding,
		EncodeLevel:    zapcore.LowercaseLevelEncoder,
		EncodeTime:     zapcore.RFC3339NanoTimeEncoder,
		EncodeDuration: zapcore.StringDurationEncoder,
	}
}

// ltmEncoder writes /var/log/ltm style lines. Context fields added through
// With live in the embedded map encoder; EncodeEntry never mutates the
// encoder, so it is safe for concurrent use as zap requires.
type ltmEncoder struct {
	*zapcore.MapObjectEncoder
	o      Options
	syslog bool // prefix every line with <PRI> for remote syslog
	pool   buffer.Pool
	// own holds ownMiddle per severity: one line is written for every
	// connection, so it is built once, not per line.
	own [8]string
	// stamp is the last second a line was stamped with, as text, shared
	// by clones: connections end many to a second, and formatting the
	// same second again for each was most of a line's cost.
	stamp *atomic.Pointer[stamp]
}

// stamp is one second's timestamp text, in the location it was read in.
type stamp struct {
	sec  int64
	loc  *time.Location
	text string
}

// timestamp is Timestamp(ts), from e.stamp when ts is in its second.
func (e *ltmEncoder) timestamp(ts time.Time) string {
	sec, loc := ts.Unix(), ts.Location()
	if st := e.stamp.Load(); st != nil && st.sec == sec && st.loc == loc {
		return st.text
	}
	st := &stamp{sec: sec, loc: loc, text: Timestamp(ts)}
	e.stamp.Store(st)
	return st.text
}

func newLTMEncoder(o Options, syslog bool) *ltmEncoder {
	e := &ltmEncoder{MapObjectEncoder: zapcore.NewMapObjectEncoder(), o: o, syslog: syslog, pool: buffer.NewPool(),
		stamp: new(atomic.Pointer[stamp])}
	for sev := range e.own {
		e.own[sev] = ownMiddle(o.Host, o.PID, sev)
	}
	return e
}

// Clone implements zapcore.Encoder.
func (e *ltmEncoder) Clone() zapcore.Encoder {
	c := newLTMEncoder(e.o, e.syslog)
	c.pool, c.stamp = e.pool, e.stamp
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	return c
}

// EncodeEntry implements zapcore.Encoder.
func (e *ltmEncoder) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	buf := e.pool.Get()
	if ev, ok := findEvent(fields); ok {
		e.writeEvent(buf, ent.Time, ev)
		return buf, nil
	}
	text := ent.Message
	if kv := e.keyValues(fields); kv != "" {
		text += " " + kv
	}
	e.writeOwn(buf, ent.Time, levelSeverity(ent.Level), text)
	return buf, nil
}

// findEvent returns the first field carrying an Event.
func findEvent(fields []zapcore.Field) (Event, bool) {
	for _, f := range fields {
		if ev, ok := eventOf(f); ok {
			return ev, true
		}
	}
	return Event{}, false
}

// writeEvent writes the fault rules that fired, the BIG-IP group, then our
// explanation, all stamped with the entry's second; the group uses one tmm
// instance and one PID and stays contiguous. BIG-IP lines carry the
// severity of their ID; every line of ours carries the outcome's (Level),
// the level the json and console formats show for the same connection, so
// a collector filtering at warning gets every failure whatever the format,
// also one with no BIG-IP line of its own.
func (e *ltmEncoder) writeEvent(buf *buffer.Buffer, ts time.Time, ev Event) {
	o, d := ev.linesIn(e.o.Lang)
	sev := levelSeverity(Level(d))
	for _, text := range faultLines(o, e.o.Lang) {
		e.writeOwn(buf, ts, sev, text)
	}
	proc := TMMName(o.ID, e.o.TMMs)
	for _, l := range d.BigIP {
		if e.syslog {
			buf.AppendString(pri(l.Sev))
		}
		buf.AppendString(FormatLine(ts, e.o.Host, proc, e.o.PID, l))
		buf.AppendByte('\n')
	}
	if d.OK {
		// The line every connection that worked gets, written in place.
		e.writeConnLine(buf, ts, sev, o.ID, d.Code, d.Summary)
	} else {
		for _, text := range explanationLines(o.ID, d, e.o.Lang) {
			e.writeOwn(buf, ts, sev, text)
		}
	}
	for _, text := range warningLines(o.ID, d, e.o.Lang) {
		e.writeOwn(buf, ts, sev, text)
	}
}

// writeOwn appends one of our lines, as FormatOwn renders it.
func (e *ltmEncoder) writeOwn(buf *buffer.Buffer, ts time.Time, sev int, text string) {
	e.ownPrefix(buf, ts, sev)
	buf.AppendString(oneLine(text))
	buf.AppendByte('\n')
}

// writeConnLine is writeOwn for the line "[conn ID code] summary", the
// same bytes as explanationLines gives a connection that worked.
func (e *ltmEncoder) writeConnLine(buf *buffer.Buffer, ts time.Time, sev int, id uint64, code, summary string) {
	e.ownPrefix(buf, ts, sev)
	buf.AppendString("[conn ")
	buf.AppendUint(id)
	buf.AppendByte(' ')
	buf.AppendString(oneLine(code))
	buf.AppendString("] ")
	buf.AppendString(oneLine(summary))
	buf.AppendByte('\n')
}

func (e *ltmEncoder) ownPrefix(buf *buffer.Buffer, ts time.Time, sev int) {
	sev = clampSev(sev)
	if e.syslog {
		buf.AppendString(pri(sev))
	}
	buf.AppendString(e.timestamp(ts))
	buf.AppendString(e.own[sev])
}

// keyValues renders context and entry fields as sorted key=value pairs.
func (e *ltmEncoder) keyValues(fields []zapcore.Field) string {
	m := zapcore.NewMapObjectEncoder()
	for k, v := range e.Fields {
		m.Fields[k] = v
	}
	for _, f := range fields {
		f.AddTo(m)
	}
	keys := make([]string, 0, len(m.Fields))
	for k := range m.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + valueText(m.Fields[k])
	}
	return strings.Join(parts, " ")
}

// valueText quotes values with spaces so key=value pairs stay parseable.
func valueText(v any) string {
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case time.Duration:
		s = t.String()
	case fmt.Stringer:
		s = t.String()
	default:
		s = fmt.Sprint(t)
	}
	if s == "" || strings.ContainsAny(s, " \"=") {
		return strconv.Quote(s)
	}
	return s
}

// levelSeverity maps zap levels onto syslog severities.
func levelSeverity(l zapcore.Level) int {
	switch {
	case l <= zapcore.DebugLevel:
		return 7
	case l == zapcore.InfoLevel:
		return 6
	case l == zapcore.WarnLevel:
		return 4
	case l == zapcore.ErrorLevel:
		return 3
	case l == zapcore.FatalLevel:
		return 1
	}
	return 2 // DPanic, Panic
}
