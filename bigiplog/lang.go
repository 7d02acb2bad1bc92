package bigiplog

import (
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// labels are the words of our own lines around the diagnosis texts, in
// one language. The BIG-IP lines and the "[conn N code]" tag never change.
type labels struct {
	summary, cause, check, clientSaw, evidence, warning string
	ruleFired, firingAt, firingAtDraw, shouldSee        string
	// actedAt says where a rule armed at one stage acted (an MTU rule of
	// server_flight that stalled the response).
	actedAt string
}

// labelsFor returns the labels of lang ("ja", else English).
func labelsFor(lang string) labels {
	if lang == explain.LangJA {
		return labels{
			summary: "概要: ", cause: "原因: ", check: "確認 %d: ", clientSaw: "クライアント側の症状: ",
			evidence: "根拠 %s: ", warning: "警告: ",
			ruleFired: "ルール %s が発動", firingAt: ": %s（%s 段階）", firingAtDraw: ": %s（%s 段階、draw %s）", shouldSee: "。クライアント側で想定される症状: ",
			actedAt: "（実際に効いたのは %s 段階）",
		}
	}
	return labels{
		summary: "summary: ", cause: "cause: ", check: "check %d: ", clientSaw: "client saw: ",
		evidence: "evidence %s: ", warning: "warning: ",
		ruleFired: "rule %s fired", firingAt: ": %s at %s", firingAtDraw: ": %s at %s (draw %s)", shouldSee: "; the client should see: ",
		actedAt: ", acted at %s",
	}
}

// evidenceName is how an evidence key reads in lang: the stable key in
// English (log parsers key on it), the Japanese label in Japanese.
func evidenceName(key, lang string) string {
	if lang == explain.LangJA {
		return explain.EvidenceLabel(key, lang)
	}
	return key
}

// diagnosisIn returns the event's Outcome and its Diagnosis in lang. In
// English a precomputed Diagnosis is used as given; in another language
// it is worded again from the Outcome (Diagnose is pure, so the code and
// the BIG-IP lines are the same).
func (e Event) diagnosisIn(lang string) (*explain.Outcome, explain.Diagnosis) {
	if lang == explain.LangJA && e.Outcome != nil {
		return e.Outcome, explain.DiagnoseLang(e.Outcome, lang)
	}
	return e.parts()
}

// linesIn is diagnosisIn for the ltm lines, which for a connection that
// worked need only what a brief Diagnosis holds (explain.DiagnoseBrief):
// an English one is used as it is, not completed.
func (e Event) linesIn(lang string) (*explain.Outcome, explain.Diagnosis) {
	if lang != explain.LangJA && e.Outcome != nil && e.Diagnosis != nil && e.Diagnosis.Brief {
		return e.Outcome, *e.Diagnosis
	}
	return e.diagnosisIn(lang)
}

// langEncoder wraps zap's JSON and console encoders for a language other
// than English: each Event is worded in that language before it is
// marshalled, and the entry's message (the listener logs the summary)
// becomes the summary in that language.
type langEncoder struct {
	zapcore.Encoder
	lang string
}

// Clone implements zapcore.Encoder.
func (l langEncoder) Clone() zapcore.Encoder {
	return langEncoder{Encoder: l.Encoder.Clone(), lang: l.lang}
}

// EncodeEntry implements zapcore.Encoder.
func (l langEncoder) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	out := make([]zapcore.Field, len(fields))
	copy(out, fields)
	for i, f := range out {
		ev, ok := eventOf(f)
		if !ok || ev.Outcome == nil {
			continue
		}
		o, d := ev.diagnosisIn(l.lang)
		out[i].Interface = Event{Outcome: o, Diagnosis: &d}
		if ent.Message == explain.Diagnose(o).Summary {
			ent.Message = d.Summary
		}
	}
	return l.Encoder.EncodeEntry(ent, out)
}

// eventOf returns the Event a field carries.
func eventOf(f zapcore.Field) (Event, bool) {
	switch v := f.Interface.(type) {
	case Event:
		return v, true
	case *Event:
		if v != nil {
			return *v, true
		}
	}
	return Event{}, false
}
