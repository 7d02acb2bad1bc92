package labe2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	tg "github.com/tlsgate/tlsgate/e2e/internal/gate"
	"github.com/tlsgate/tlsgate/lab"
)

// TestHTTPDateSkewCompareShowsBothClocks runs the http-date-skew scenario's
// Compare as a trainee pastes it: nothing fails there, so the lesson is the
// two clocks it prints one above the other, this host's (`date -u -R`) and
// the Date the server sends, which must be the scenario's two hours apart.
// The scenario used to have no Compare and a "Client shows" cut off at
// "Date: ".
func TestHTTPDateSkewCompareShowsBothClocks(t *testing.T) {
	t.Parallel()
	needTool(t, "curl")
	needTool(t, "date")
	s, err := lab.Find(lab.Catalog(), "http-date-skew")
	if err != nil {
		t.Fatal(err)
	}
	if s.Compare == "" {
		t.Fatal("http-date-skew has no Compare command to set this host's clock beside the server's Date")
	}
	p := tg.StartLab(t, tg.NewPortBlocks(), tlsgateBin, "--only", s.Name)
	cmd := lab.Expand(s.Compare, lab.Vars{Port: p.Base + index(t, s.Name), Origin: lab.OriginPort(p.Base), CA: p.CAFile})
	out, code := runShell(t, cmd)
	if code != 0 {
		t.Fatalf("%s: exit status %d:\n%s", cmd, code, out)
	}
	lines := strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n")
	here, err := time.Parse(time.RFC1123Z, strings.TrimSpace(lines[0]))
	if err != nil {
		t.Fatalf("%s: the first line is not this host's clock in RFC 5322 form: %v\n%s", cmd, err, out)
	}
	var served time.Time
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, "Date: "); ok {
			if served, err = http.ParseTime(strings.TrimSpace(v)); err != nil {
				t.Fatalf("%s: Date %q: %v", cmd, v, err)
			}
		}
	}
	if served.IsZero() {
		t.Fatalf("%s: no Date header in the output:\n%s", cmd, out)
	}
	// The fault moves Date back by exactly two hours; the two stamps are
	// taken moments apart, so a wide margin only absorbs a loaded machine.
	if behind := here.Sub(served); behind < 2*time.Hour-5*time.Minute || behind > 2*time.Hour+5*time.Minute {
		t.Errorf("%s: the server's Date is %v behind this host's clock, want about 2h:\n%s", cmd, behind, out)
	}
	p.Stop(t)
}
