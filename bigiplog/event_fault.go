package bigiplog

import (
	"fmt"
	"slices"

	"go.uber.org/zap/zapcore"

	"github.com/tlsgate/tlsgate/explain"
)

// addFaults adds the fault rules that fired, one object each, and the stop
// that ended the connection. Both keys are written for every connection.
func addFaults(enc zapcore.ObjectEncoder, o *explain.Outcome) error {
	enc.AddString("fault_applied", o.FaultApplied)
	return enc.AddArray("faults", faultArray(firings(o)))
}

// firings are the connection's firings; a rule named in Faults without
// details (an older listener) still appears, with its name alone.
func firings(o *explain.Outcome) []explain.FaultFiring {
	out := slices.Clone(o.FaultFirings)
	for _, name := range o.Faults {
		if !slices.ContainsFunc(out, func(f explain.FaultFiring) bool { return f.Rule == name }) {
			out = append(out, explain.FaultFiring{Rule: name})
		}
	}
	return out
}

// faultArray marshals firings as JSON objects.
type faultArray []explain.FaultFiring

func (fa faultArray) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	var err error
	for _, f := range fa {
		err = firstErr(err, enc.AppendObject(faultObject(f)))
	}
	return err
}

// faultObject is one firing; draw is the raw seeded value, for replaying,
// and probability the rule's, 0 when it sets none (then the draw decided
// nothing). Every key is written for every firing, empty or 0 when it does
// not apply, as the rest of the Event: date_edit and origin_date only
// carry values for an http_date rule, acted only for a firing that ended,
// cut or stalled the connection.
type faultObject explain.FaultFiring

func (f faultObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("rule", f.Rule)
	enc.AddString("action", f.Action)
	enc.AddString("stage", f.Stage)
	enc.AddString("direction", f.Direction)
	enc.AddFloat64("draw", f.Draw)
	enc.AddFloat64("probability", f.Probability)
	enc.AddString("symptom", f.Symptom)
	// What an http_date rule did, and to which of the origin's values:
	// "shifted", "replaced" or "added" (origin_date "": it sent none).
	enc.AddString("date_edit", f.DateEdit)
	enc.AddString("origin_date", f.OriginDate)
	// Where the rule acted when it ended, cut or stalled the connection:
	// the live view orders its timeline by it.
	enc.AddString("acted", f.Acted)
	return nil
}

// faultLines are our lines for the rules that fired, one per firing,
// written before the connection's diagnosis (a fault is the cause of
// whatever follows) and at the connection's Level, as every line of ours
// is (writeEvent). The draw is shown only for a rule with a probability:
// without one it decided nothing.
//
//	[conn 7 fault] rule waf-sni-block fired: reset at client_hello (draw 0.81); the client should see: connection reset …
func faultLines(o *explain.Outcome, lang string) []string {
	fs := firings(o)
	l := labelsFor(lang)
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		line := fmt.Sprintf("[conn %d fault] "+l.ruleFired, o.ID, f.Rule)
		switch {
		case f.Action != "" && f.Probability > 0:
			line += fmt.Sprintf(l.firingAtDraw, f.Action, f.Stage, explain.DrawText(f.Draw))
		case f.Action != "":
			line += fmt.Sprintf(l.firingAt, f.Action, f.Stage)
		}
		if f.Acted != "" && f.Acted != f.Stage {
			line += fmt.Sprintf(l.actedAt, f.Acted)
		}
		if f.Symptom != "" {
			line += l.shouldSee + f.Symptom
		}
		out = append(out, line)
	}
	return out
}
