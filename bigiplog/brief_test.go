package bigiplog

import (
	"testing"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// TestBriefEncodesTheSame: an Event that carries the brief Diagnosis the
// listener logs with (explain.DiagnoseBrief) encodes byte for byte as one
// that carries none, in every format and language: the ltm lines need no
// more, and JSON completes it.
func TestBriefEncodesTheSame(t *testing.T) {
	briefs := 0
	for _, format := range []string{"bigip", "json", "console"} {
		for _, lang := range []string{explain.LangEN, explain.LangJA} {
			o := testOptions
			o.Format, o.Lang = format, lang
			enc, err := NewEncoder(o)
			if err != nil {
				t.Fatal(err)
			}
			for i, ge := range goldenEntries() {
				ev, ok := findEvent(ge.fields)
				if !ok || ev.Outcome == nil {
					continue
				}
				d := explain.DiagnoseBrief(ev.Outcome)
				if d.Brief {
					briefs++
				}
				want := encodeOne(t, enc, ge.ent, []zapcore.Field{Field(Event{Outcome: ev.Outcome})})
				got := encodeOne(t, enc, ge.ent, []zapcore.Field{Field(Event{Outcome: ev.Outcome, Diagnosis: &d})})
				if got != want {
					t.Errorf("%s/%s entry %d: brief diagnosis encodes differently:\n--- got\n%s--- want\n%s", format, lang, i, got, want)
				}
			}
		}
	}
	if briefs == 0 {
		t.Fatal("no golden entry had a brief diagnosis: nothing was compared")
	}
}

func encodeOne(t *testing.T, enc zapcore.Encoder, ent zapcore.Entry, fields []zapcore.Field) string {
	t.Helper()
	buf, err := enc.EncodeEntry(ent, fields)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Free()
	return buf.String()
}

// BenchmarkEncodeOK is the ltm line of a connection that worked, as the
// listener logs it: a brief diagnosis, encoded by the bigip encoder.
func BenchmarkEncodeOK(b *testing.B) {
	enc, err := NewEncoder(testOptions)
	if err != nil {
		b.Fatal(err)
	}
	o := okOutcome()
	d := explain.DiagnoseBrief(o)
	ent := zapcore.Entry{Level: zapcore.InfoLevel, Time: testTime, Message: d.Summary}
	fields := []zapcore.Field{Field(Event{Outcome: o, Diagnosis: &d})}
	b.ReportAllocs()
	for b.Loop() {
		buf, err := enc.EncodeEntry(ent, fields)
		if err != nil {
			b.Fatal(err)
		}
		buf.Free()
	}
}
