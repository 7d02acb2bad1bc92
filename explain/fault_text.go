package explain

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tlsgate/tlsgate/sniff"
)

// faultPlaceholder fills the template names of injected faults; ok=false
// leaves a name unknown.
func (f *facts) faultPlaceholder(name string) (string, bool) {
	o := f.o
	switch name {
	case "fault_rule":
		return f.stopRule(), true
	// The rule's own action: a TLS policy stop names version or cipher.
	case "fault_action":
		if f.stop >= 0 && o.FaultFirings[f.stop].Action != "" {
			return o.FaultFirings[f.stop].Action, true
		}
		return f.orNone(o.FaultApplied), true
	case "fault_stage_name":
		// The rule's own stage, as the fault line names it; where it
		// acted (stopStage) is in the prose.
		if f.stop >= 0 && o.FaultFirings[f.stop].Stage != "" {
			return o.FaultFirings[f.stop].Stage, true
		}
		return f.stopStage(), true
	case "fault_stage":
		return f.stagePhrase(f.stopStage()), true
	case "fault_draw":
		if f.stop < 0 {
			return "", true
		}
		return f.drawPart(o.FaultFirings[f.stop]), true
	case "fault_what":
		return f.expand(f.stopWhat()), true
	case "fault_alert_sent":
		if o.ClientTLS.AlertSent < 0 {
			return f.say("alert_unrecorded"), true
		}
		return f.say("alert_n", "{alert}", alertLabel(o.ClientTLS.AlertSent)), true
	case "fault_alert_saw":
		return f.alertSaw(o.ClientTLS.AlertSent), true
	case "fault_bigip":
		if lookup(verdict{code: CodeFaultInjected, variant: f.faultVariant()}).group != groupNone {
			return "", true
		}
		return f.sentences()[sentNoBigIP], true
	case "fault_reply":
		if o.ClientTLS.AlertRecv < 0 {
			return "", true
		}
		return f.expand(f.sentences()[sentReply]), true
	case "client_reply":
		return alertLabel(o.ClientTLS.AlertRecv), true
	case "fault_others":
		var others []string
		for i, fr := range o.FaultFirings {
			if i != f.stop {
				others = append(others, f.firingText(sentFiring, fr, ""))
			}
		}
		if len(others) == 0 {
			return "", true
		}
		return strings.ReplaceAll(f.sentences()[sentOthers], "{fr_list}", f.list(others)), true
	case "alpn_list":
		if o.Hello != nil && len(o.Hello.ALPN) > 0 {
			return f.list(o.Hello.ALPN), true
		}
		return f.say("none_bare"), true
	case "hello_size":
		return f.helloSize(), true
	case "down_reached":
		// Above TLS on a terminated client, the TLS stream itself on a
		// relay: the listener's count says what reached the client.
		n := f.bytesN(o.BytesDown)
		if o.ClientTLS.Done {
			return f.say("down_plain", "{n}", n), true
		}
		return f.say("down_wire", "{n}", n), true
	case "fault_skew":
		// The shift of a proxy_skew rule's clock, without its sign: the
		// variant says ahead or behind.
		if f.stop < 0 {
			return f.say("not_recorded_par"), true
		}
		return absDuration(o.FaultFirings[f.stop].Skew).String(), true
	case "fault_then":
		then := ""
		if f.stop >= 0 {
			then = o.FaultFirings[f.stop].Then
		}
		switch then {
		case "fin":
			return f.say("then_fin"), true
		case "rst":
			return f.say("then_rst"), true
		}
		return f.say("then_hold"), true
	}
	if s, ok := f.connectPlaceholder(name); ok {
		return s, true
	}
	if s, ok := f.intolerancePlaceholder(name); ok {
		return s, true
	}
	return f.versionPlaceholder(name)
}

// sentences, whatWords, stageWords and realWords pick the fault words in
// the facts' language.
func (f *facts) sentences() map[string]string {
	if f.lang == LangJA {
		return faultSentencesJA()
	}
	return faultSentences()
}

func (f *facts) whatWords() map[string]string {
	if f.lang == LangJA {
		return faultWhatJA()
	}
	return faultWhat()
}

func (f *facts) stageWords() map[string]string {
	if f.lang == LangJA {
		return faultStagePhraseJA()
	}
	return faultStagePhrase()
}

// stagePhrase words a stage; the client_hello stage fires on the client's
// first bytes, which on a TLS port may be plaintext, and then "after
// ClientHello" would send the reader looking for a hello that never came.
// On plaintext the request and response stages have no handshake before
// them either: they are said as the request and its relay.
func (f *facts) stagePhrase(stage string) string {
	words := f.stageWords()
	if f.o.Hello == nil && !f.o.Kind.IsTLS() {
		if w, ok := words[stage+"/plain"]; ok {
			return w
		}
	}
	return words[stage]
}

func (f *facts) realWords() map[string]string {
	if f.lang == LangJA {
		return faultRealJA()
	}
	return faultReal()
}

// stopWhat is the template saying what the stop did.
func (f *facts) stopWhat() string {
	words := f.whatWords()
	a := f.o.FaultApplied
	if f.stop >= 0 {
		if w, ok := words[a+"/"+f.o.FaultFirings[f.stop].Direction]; ok {
			return w
		}
	}
	if w, ok := words[a]; ok {
		return w
	}
	return f.orNone(a)
}

// faultEvidence is one evidence line per firing, in firing order.
func (f *facts) faultEvidence() []Evidence {
	out := make([]Evidence, 0, len(f.o.FaultFirings))
	for _, fr := range f.o.FaultFirings {
		out = append(out, Evidence{Key: "fault", Value: f.firingText(sentEvidence, fr, "")})
	}
	return out
}

// annotateFaults attaches the firings of a connection that no fault ended
// to its normal diagnosis: the summary and cause say which rules fired and
// what they imitate, and a generic client hint gives way to the symptom
// the fault predicts.
func (f *facts) annotateFaults(d *Diagnosis, v verdict) {
	firings := f.o.FaultFirings
	if len(firings) == 0 {
		return
	}
	words := f.realWords()
	parts := make([]string, len(firings))
	for i, fr := range firings {
		parts[i] = f.firingText(sentSummary, fr, "")
		// A stage-specific wording first: an alert at idle imitates
		// another device than an alert answering the ClientHello.
		r, ok := words[realKey(fr)]
		if !ok {
			r, ok = words[fr.Action+"/"+fr.Stage]
		}
		if !ok {
			r, ok = words[fr.Action]
		}
		if !ok {
			r = f.firingText(sentRealOther, fr, "")
		}
		d.Cause += f.firingText(sentCause, fr, r)
	}
	sep := f.say("list_sep")
	d.Summary += sep + strings.Join(parts, sep)
	i := telling(firings)
	switch {
	case i < 0 || !sawIsGeneric(v):
	case d.OK:
		// The connection worked, so the fault may not have bitten (a
		// flight that fit the MTU): say what it does where it does.
		d.ClientSaw += f.firingText(sentMaySee, firings[i], "")
	default:
		d.ClientSaw = firings[i].Symptom
	}
}

// realKey is the most specific faultReal key of a firing: a chain rule's
// shifted clock or chain kind, which imitate different devices (a
// client's clock is not a server's certificate).
func realKey(fr FaultFiring) string {
	switch {
	case fr.Action == "large_hello" && fr.Then == "fail_open":
		// It passed the hello: the opposite of the intolerance that
		// ends a connection.
		return "large_hello/fail_open"
	case fr.Action != "chain":
		return ""
	case fr.Chain == "" && fr.Skew < 0:
		return "chain/clock_ahead"
	case fr.Chain == "" && fr.Skew > 0:
		return "chain/clock_behind"
	}
	return "chain/" + fr.Chain
}

// sawIsGeneric reports whether the client hint a verdict gets says nothing
// specific about what the client printed.
func sawIsGeneric(v verdict) bool {
	generic := genericSaw()
	if v.variant != "" {
		key := v.code + "/" + v.variant
		if over, ok := knowledgeTable()[key]; ok && over.clientSaw != "" {
			return generic[key]
		}
	}
	return generic[v.code]
}

// telling picks the firing whose symptom best says what the client saw:
// the first whose client shows an error, else the first with a symptom at
// all; -1 when none has one.
func telling(firings []FaultFiring) int {
	quiet := func(s string) bool {
		return slices.ContainsFunc(quietSymptoms(), func(p string) bool { return strings.HasPrefix(s, p) })
	}
	first := -1
	for i, fr := range firings {
		switch {
		case fr.Symptom == "":
		case !quiet(fr.Symptom):
			return i
		case first < 0:
			first = i
		}
	}
	return first
}

// firingText fills a sentence template with one firing's fields. The
// values go in last, so text from the listener (a symptom) is never read
// as a template.
func (f *facts) firingText(key string, fr FaultFiring, realWorld string) string {
	s := f.sentences()
	tmpl := strings.ReplaceAll(s[key], "{fr_firing}", s[sentFiring])
	return strings.NewReplacer(
		"{fr_rule}", f.orNone(fr.Rule),
		"{fr_action}", f.orNone(fr.Action),
		"{fr_stage}", f.orNone(fr.Stage),
		"{fr_draw}", f.drawPart(fr),
		"{fr_draw_kv}", drawKV(fr),
		"{fr_symptom}", f.orNone(fr.Symptom),
		"{fr_real}", realWorld,
	).Replace(tmpl)
}

// drawPart words a firing's draw inside its parentheses (", draw 0.14"),
// and nothing for a rule without a probability: there the draw decided
// nothing, and showing it would suggest the rule fires by chance.
func (f *facts) drawPart(fr FaultFiring) string {
	if fr.Probability <= 0 {
		return ""
	}
	return f.say("draw_part", "{draw}", DrawText(fr.Draw))
}

// drawKV is drawPart for the evidence line, in its key=value form.
func drawKV(fr FaultFiring) string {
	if fr.Probability <= 0 {
		return ""
	}
	return " draw=" + DrawText(fr.Draw)
}

// DrawText shows a fault rule's random draw the way diagnoses and log
// lines do: two decimals, truncated rather than rounded, because a rule
// fires when draw < probability and rounding up could show a draw equal to
// the probability.
func DrawText(d float64) string {
	if math.IsNaN(d) || math.IsInf(d, 0) {
		return strconv.FormatFloat(d, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Floor(d*100)/100, 'f', 2, 64)
}

// helloSize is the ClientHello's size on the wire and its key shares,
// which decide whether it spans more than one TCP segment.
func (f *facts) helloSize() string {
	h := f.o.Hello
	if h == nil || h.WireLen == 0 {
		return f.say("size_unknown")
	}
	key := "size"
	if h.Records <= 1 {
		key = "size_one"
	}
	s := f.say(key, "{n}", strconv.Itoa(h.WireLen), "{records}", strconv.Itoa(h.Records))
	if len(h.KeyShareGroups) > 0 {
		s += f.say("size_shares", "{groups}", f.groupList(h.KeyShareGroups, f.list))
	}
	return s
}

// alertSaw says how clients word alert n when it answers their ClientHello
// (client-symptoms.md §3 rows 5–9, §5, §6). curl's words are OpenSSL's
// reason for the alert, from the table faults' symptoms use too.
func (f *facts) alertSaw(n int) string {
	if n < 0 {
		return f.say("saw_alert_none")
	}
	curl := "`curl: (35) … SSL routines::reason(" + strconv.Itoa(1000+n) + ")`"
	if n <= 255 && sniff.OpenSSLAlertReason(uint8(n)) != "" {
		curl = "`curl: (35) … " + sniff.OpenSSLAlertReason(uint8(n)) + "`"
	}
	goText := "`remote error: tls: " + AlertName(n) + "`"
	for _, a := range alertTable() {
		if a.num == n && a.goText != "" {
			goText = "`remote error: tls: " + a.goText + "`"
		}
	}
	switch n {
	case 0:
		curl = "`curl: (35) OpenSSL SSL_connect: SSL_ERROR_ZERO_RETURN`"
		goText = "`EOF`"
	case 90:
		// Warning-level alerts: Go, and OpenSSL for user_canceled, skip
		// them and report what follows.
		curl = f.say("saw_after_warning")
		goText = f.say("saw_after_warning")
	case 100:
		curl = "`curl: (35) … no renegotiation`"
		goText = f.say("saw_after_warning")
	case 45:
		curl = "`curl: (60) SSL certificate verification failed`"
	case 116:
		curl = "`curl: (98) … tlsv13 alert certificate required`"
	}
	chrome := "ERR_SSL_PROTOCOL_ERROR"
	switch {
	case n == 40 || n == 70 || n == 71:
		chrome = "ERR_SSL_VERSION_OR_CIPHER_MISMATCH"
	case n == 112:
		chrome = "ERR_SSL_UNRECOGNIZED_NAME_ALERT"
	case n == 20:
		chrome = "ERR_SSL_BAD_RECORD_MAC_ALERT"
	case n == 51:
		chrome = "ERR_SSL_DECRYPT_ERROR_ALERT"
	case n >= 42 && n <= 49 && n != 47 || n == 116:
		chrome = "ERR_BAD_SSL_CLIENT_AUTH_CERT" + f.say("chrome_blames")
	}
	return f.say("saw_alert", "{alert}", alertLabel(n), "{curl}", curl, "{go}", goText, "{chrome}", chrome)
}
