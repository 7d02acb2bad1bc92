package listener

import (
	"strings"
	"testing"
)

// TestDropAdvice: a syn_drop rule's advice, in either language of the
// log, says what a client meets and how to tell the DROP from a REJECT,
// with the commands on the dropping port, and that its accept queue is
// not full (the filter drops SYNs before they reach it).
func TestDropAdvice(t *testing.T) {
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"connect timeout, not a refusal", "(28)", "i/o timeout", "curl (7)", "ss -lnt 'sport = :8443'", "LISTEN with Recv-Q below Send-Q", "not full", "tcpdump -ni any 'tcp port 8443'", "no SYN-ACK"}},
		{"", []string{"connect timeout, not a refusal"}},
		{"ja", []string{"接続タイムアウト", "(28)", "i/o timeout", "curl (7)", "ss -lnt 'sport = :8443'", "LISTEN のままで Recv-Q は Send-Q", "満杯ではない", "tcpdump -ni any 'tcp port 8443'", "SYN-ACK が返らない"}},
	} {
		got := dropAdvice(tt.lang, 8443)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("dropAdvice(%q) = %q\nwant it to contain %q", tt.lang, got, w)
			}
		}
	}
}
