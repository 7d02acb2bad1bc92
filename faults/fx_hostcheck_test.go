package faults

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHostVerdict(t *testing.T) {
	tests := []struct {
		name, head, sni string
		want            int
		host            string
	}{
		{"same name", "GET / HTTP/1.1\r\nHost: lab.test\r\n\r\n", "lab.test", hostMatch, "lab.test"},
		{"with a port", "GET / HTTP/1.1\r\nHost: lab.test:8443\r\n\r\n", "lab.test", hostMatch, "lab.test"},
		{"case and trailing dots", "GET / HTTP/1.1\r\nHost: LAB.test.\r\n\r\n", "lab.TEST.", hostMatch, "LAB.test"},
		{"another name", "GET / HTTP/1.1\r\nHost: other.test\r\nAccept: */*\r\n\r\n", "lab.test", hostMismatch, "other.test"},
		{"another name, port", "GET / HTTP/1.1\r\nHost: other.test:443\r\n\r\n", "lab.test", hostMismatch, "other.test"},
		{"absolute-form overrides Host", "GET https://other.test/x HTTP/1.1\r\nHost: lab.test\r\n\r\n", "lab.test", hostMismatch, "other.test"},
		{"IPv6 literal", "GET / HTTP/1.1\r\nHost: [::1]:443\r\n\r\n", "lab.test", hostMismatch, "::1"},
		{"no SNI: nothing to compare", "GET / HTTP/1.1\r\nHost: other.test\r\n\r\n", "", hostMatch, "other.test"},
		{"no Host: nothing to compare", "GET / HTTP/1.0\r\n\r\n", "lab.test", hostMatch, ""},
		{"head not complete", "GET / HTTP/1.1\r\nHost: other.test\r\n", "lab.test", hostUndecided, ""},
		{"request line not complete", "GET /ind", "lab.test", hostUndecided, ""},
		{"not HTTP/1", "\x00\x01binary protocol", "lab.test", hostMatch, ""},
		{"h2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "lab.test", hostMatch, ""},
		{"head past the cap", "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", hostHeadCap) + "\r\nHost: other.test\r\n\r\n", "lab.test", hostMatch, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, host := hostVerdict([]byte(tt.head), tt.sni)
			if v != tt.want || host != tt.host {
				t.Errorf("verdict %d, host %q; want %d, %q", v, host, tt.want, tt.host)
			}
		})
	}
}

// TestHostCheck: an sni_policy with host_mismatch answers a request whose
// Host is not the SNI with 421 and never passes it on; a matching request
// passes whole, however it was split; and only a rule that answered
// counts as fired.
func TestHostCheck(t *testing.T) {
	const mismatch = "GET /x HTTP/1.1\r\nHost: other.test\r\n\r\n"
	const match = "GET /x HTTP/1.1\r\nHost: lab.test:443\r\n\r\n"
	for _, tt := range []struct {
		name   string
		writes []string
		fired  bool
	}{
		{"mismatch", []string{mismatch}, true},
		{"mismatch in pieces", []string{mismatch[:9], mismatch[9:20], mismatch[20:]}, true},
		{"match", []string{match}, false},
		{"match in pieces", []string{match[:3], match[3:]}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine(nil)
			if err := e.Add(Rule{Name: "sni-host", Action: ActSNIPolicy, HostMismatch: StatusMisdirected}); err != nil {
				t.Fatal(err)
			}
			p := e.Plan(ConnInfo{Listener: "l", Index: 1, Hello: testHello(), Decrypted: true})
			if p.Stop(StageClientHello) != nil || len(p.Wrappers(StageRequest)) != 1 {
				t.Fatalf("want a request wrapper and no stop: %v", p.Wrappers(StageRequest))
			}
			m := newMemConn()
			deps := newFakeClock().deps()
			deps.ServerName = "lab.test"
			w := Wrap(m, p.Wrappers(StageRequest), FacingClient, deps)
			defer w.Close()
			for _, s := range tt.writes {
				m.Push([]byte(s))
			}
			m.PushEOF()
			_ = w.SetReadDeadline(time.Now().Add(10 * time.Second))
			got, err := io.ReadAll(w)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			sent := m.Bytes()
			if tt.fired {
				if len(got) != 0 || !bytes.HasPrefix(sent, []byte("HTTP/1.1 421 Misdirected Request\r\n")) ||
					!bytes.Contains(sent, []byte("(other.test) does not match the Server Name Indication (SNI) in use for this connection (lab.test)")) {
					t.Errorf("server got %q; client got %q", got, sent)
				}
				if fin, _ := m.State(); !fin {
					t.Error("no FIN after the 421")
				}
			} else if string(got) != match || len(sent) != 0 {
				t.Errorf("server got %q, want the request whole; client got %q", got, sent)
			}
			want := []string(nil)
			if tt.fired {
				want = []string{"sni-host"}
			}
			if names := p.Settle(w).Names(); !slices.Equal(names, want) {
				t.Errorf("settled %v, want %v", names, want)
			}
			// A first request that matched is recorded as checked, for
			// the log to say what was compared (and that later requests
			// were not); a refused one is the rule's firing instead.
			pass, passed := HostPassed(w)
			if passed == tt.fired || passed && (pass.Rule != "sni-host" || pass.Host != "lab.test") {
				t.Errorf("HostPassed = %+v, %v; want the rule and lab.test only for a match", pass, passed)
			}
		})
	}
}
