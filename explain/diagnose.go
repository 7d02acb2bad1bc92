package explain

import "slices"

// Diagnose explains one connection in English. It is pure: the same
// Outcome always gives the same Diagnosis. The checks run in a fixed order
// (see rules) and the first match names the root cause; its knowledge
// entry supplies the words, and the BIG-IP group holds only verified
// message templates (on success, the ID-less 17.1 session-log lines).
func Diagnose(o *Outcome) Diagnosis { return DiagnoseLang(o, LangEN) }

// DiagnoseLang is Diagnose with the words in lang (LangEN or LangJA; any
// other value is English). Only the prose changes: the code, the BIG-IP
// lines, the evidence keys and the technical values are the same in every
// language.
func DiagnoseLang(o *Outcome, lang string) Diagnosis { return diagnose(o, lang, false) }

// DiagnoseBrief is Diagnose for the end of every connection, where the log
// line of one that worked needs only its summary. For such a connection
// (no fault fired) it fills Code, OK, Summary, BigIP and Warnings and sets
// Brief; Complete words the rest later, for whoever shows it. Any other
// connection gets its whole Diagnosis at once. A success wording its
// cause, checks and evidence that nobody reads cost half of Diagnose's
// time and most of its allocations (BENCHMARKS.md, "Session 8").
func DiagnoseBrief(o *Outcome) Diagnosis { return diagnose(o, LangEN, true) }

// Complete returns d in full: d itself unless it is Brief, else o's
// Diagnosis in English (Diagnose is pure, so it agrees with d).
func Complete(o *Outcome, d Diagnosis) Diagnosis {
	if !d.Brief {
		return d
	}
	return Diagnose(o)
}

func diagnose(o *Outcome, lang string, brief bool) Diagnosis {
	if o == nil {
		o = &Outcome{}
	}
	f := deriveFacts(o)
	f.lang = normLang(lang)
	v := detect(f)
	e := lookupLang(v, f.lang)
	d := Diagnosis{
		Code:    v.code,
		OK:      e.ok,
		Summary: f.expand(e.summary),
	}
	if brief && e.ok && len(o.FaultFirings) == 0 {
		d.Brief = true
		d.BigIP = sessionLines(f)
		d.Warnings = f.warnings(v)
		return d
	}
	d.Cause = f.expand(e.cause)
	d.ClientSaw = f.expand(e.clientSaw)
	if e.tail != "" {
		d.Cause += f.expand(e.tail)
	}
	for _, c := range e.checks {
		d.Checks = append(d.Checks, f.expand(c))
	}
	// A stop's firing knows what the client was meant to see; a fault that
	// did not end the connection is attached to the normal diagnosis.
	if v.code == CodeFaultInjected {
		if f.stop >= 0 && o.FaultFirings[f.stop].Symptom != "" && !e.ownSaw {
			d.ClientSaw = o.FaultFirings[f.stop].Symptom
		}
	} else {
		f.annotateFaults(&d, v)
	}
	if e.ok {
		d.BigIP = sessionLines(f)
	} else {
		g := e.group
		if clientGroup(g) && f.noProfile && v.code != CodeFaultInjected {
			// The code's group is a client-ssl profile's, which did not
			// run for this connection: say once why none is shown. A
			// fault's refusal keeps its lines: it imitates a server that
			// has the profile.
			g = groupNone
			why := "bigip_none_pass"
			if !f.passedTLS {
				why = "bigip_none_auto"
			}
			d.Cause += f.expand(f.say(why))
		}
		d.BigIP = bigipLines(g, f)
	}
	if e.ok {
		d.Warnings = f.warnings(v)
	}
	// The table is shared and read-only: never append to its slices. The
	// interception facts and faults follow every code's own evidence, and
	// every fault firing closes the list with its own line.
	seen := map[string]bool{}
	always := []string{"connect", "skipped_records", "transparent", "orig_dst", "faults"}
	if o.Proxy.Version != 0 {
		// Whatever went wrong, the header's client and the load balancer
		// that sent it are both part of the story.
		always = append([]string{"proxy"}, always...)
	}
	for _, k := range slices.Concat(e.evidence, always) {
		if seen[k] {
			continue
		}
		seen[k] = true
		if val := f.evidenceValue(k); val != "" {
			d.Evidence = append(d.Evidence, Evidence{Key: k, Value: val})
		}
	}
	d.Evidence = append(d.Evidence, f.faultEvidence()...)
	return d
}

// warnings words the warnings a connection that worked earns.
func (f *facts) warnings(v verdict) []string {
	keys := f.warningKeys(inspectVariant(v))
	if len(keys) == 0 {
		return nil
	}
	texts := warningTexts()
	if f.lang == LangJA {
		texts = warningTextsJA()
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = f.expand(texts[k])
	}
	return out
}
