package explain

import "slices"

// Diagnose explains one connection. It is pure: the same Outcome always
// gives the same Diagnosis. The checks run in a fixed order (see rules) and
// the first match names the root cause; its knowledge entry supplies the
// words, and the BIG-IP group holds only verified message templates.
func Diagnose(o *Outcome) Diagnosis {
	if o == nil {
		o = &Outcome{}
	}
	f := deriveFacts(o)
	v := detect(f)
	e := lookup(v)
	d := Diagnosis{
		Code:      v.code,
		OK:        e.ok,
		Summary:   f.expand(e.summary),
		Cause:     f.expand(e.cause),
		ClientSaw: f.expand(e.clientSaw),
	}
	for _, c := range e.checks {
		d.Checks = append(d.Checks, f.expand(c))
	}
	if !e.ok {
		d.BigIP = bigipLines(e.group, f)
	}
	// The table is shared and read-only: never append to its slices.
	for _, k := range slices.Concat(e.evidence, []string{"faults"}) {
		if val := f.evidenceValue(k); val != "" {
			d.Evidence = append(d.Evidence, Evidence{Key: k, Value: val})
		}
	}
	return d
}
