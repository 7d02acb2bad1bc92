package explain

import (
	"strings"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// TestSSHOnTLSChecksThePort: an SSH client on a TLS listener is no
// http:// URL, whether tlsgate reset it or answered in HTTP/1.1, so the
// cause and the first check are the port it was pointed at, in every
// language.
func TestSSHOnTLSChecksThePort(t *testing.T) {
	first := map[string]string{LangEN: "ssh -p", LangJA: "ssh -p"}
	wrong := map[string]string{LangEN: "not http://", LangJA: "http:// ではなく"}
	for _, nonSSL := range []string{"reset", "http400", "redirect"} {
		for _, lang := range Langs() {
			o := base("terminate")
			o.Kind, o.FirstBytes = sniff.SSH, []byte("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
			o.NonSSL = nonSSL
			d := DiagnoseLang(o, lang)
			if d.Code != CodePlaintextOnTLS || len(d.Checks) == 0 {
				t.Fatalf("non_ssl %s, %s: code %q checks %q", nonSSL, lang, d.Code, d.Checks)
			}
			if !strings.Contains(d.Checks[0], first[lang]) {
				t.Errorf("non_ssl %s, %s: check 1 is %q, want the SSH port", nonSSL, lang, d.Checks[0])
			}
			if all := strings.Join(d.Checks, "\n"); strings.Contains(all, wrong[lang]) {
				t.Errorf("non_ssl %s, %s: checks still speak of an http:// URL:\n%s", nonSSL, lang, all)
			}
			if strings.Contains(d.Cause, "http://") || !strings.Contains(d.Cause, "ssh -p") {
				t.Errorf("non_ssl %s, %s: the cause speaks of a URL, not the SSH port:\n%s", nonSSL, lang, d.Cause)
			}
			if !strings.Contains(d.ClientSaw, "kex_exchange_identification") || strings.Contains(d.ClientSaw, "curl") {
				t.Errorf("non_ssl %s, %s: client saw %q, want OpenSSH's words only", nonSSL, lang, d.ClientSaw)
			}
		}
	}
}
