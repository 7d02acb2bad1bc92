package explain

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestLateFINOrder: a bare FIN after the certificate flight is said as the
// refusal first, which the code names, and then the other order of events
// that ends the same way (a half-close after the hello whose FIN came
// late), in both languages, on terminate and on passthrough. Neither a FIN
// that was in before the flight nor a reset gets the second story.
func TestLateFINOrder(t *testing.T) {
	finAfter := failed(withHello(base("terminate"), modernHello()), "EOF")
	finAfter.ClientTLS.ServerFlightSent = true
	quiet := passedFlight(modernHello(), sniff.ClientEnd{Kind: sniff.ClientEndSilent}, 517)
	finFirst := failed(withHello(base("terminate"), modernHello()), "EOF")
	finFirst.ClientTLS.ServerFlightSent, finFirst.ClientTLS.FINBeforeFlight = true, true
	reset := failed(withHello(base("terminate"), modernHello()), "read tcp 10.0.0.1:443->10.0.0.2:5000: read: connection reset by peer")
	reset.ClientTLS.ServerFlightSent = true

	refusal := map[string][2]string{
		LangEN: {"Hanging up silently is what certificate pinning does", "likely the client refused the backend's certificate"},
		LangJA: {"黙って切るのは証明書ピンニング", "おそらくクライアントがバックエンドの証明書を拒否して"},
	}
	other := map[string]string{LangEN: "Another order of events ends the same way", LangJA: "別の順序の出来事でも同じ終わり方になり"}
	for _, lang := range []string{LangEN, LangJA} {
		for i, o := range []*Outcome{finAfter, quiet} {
			d := DiagnoseLang(o, lang)
			first, second := strings.Index(d.Cause, refusal[lang][i]), strings.Index(d.Cause, other[lang])
			if first < 0 || second < 0 || second < first {
				t.Errorf("%s %s: refusal at %d, the late FIN at %d in %q; want both, the refusal first", lang, d.Code, first, second, d.Cause)
			}
		}
		for _, o := range []*Outcome{finFirst, reset} {
			if d := DiagnoseLang(o, lang); strings.Contains(d.Cause, other[lang]) {
				t.Errorf("%s %s: %q tells the late FIN's story", lang, d.Code, d.Cause)
			}
		}
	}
}
