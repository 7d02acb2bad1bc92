package pki

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCheckPermittedDNS(t *testing.T) {
	tests := []struct {
		in   []string
		want string // the normalised list joined by commas, or the error's text
		ok   bool
	}{
		{in: []string{"example.net"}, want: "example.net", ok: true},
		{in: []string{"Example.NET.", ".lab.test", "example.net"}, want: ".lab.test,example.net", ok: true},
		{in: []string{"svc_a.internal"}, want: "svc_a.internal", ok: true},
		{in: nil, want: "no permitted DNS domain"},
		{in: []string{""}, want: `permitted DNS domain "" is empty`},
		{in: []string{"."}, want: `permitted DNS domain "." is empty`},
		{in: []string{"*.example.net"}, want: "has a wildcard"},
		{in: []string{"192.0.2.1"}, want: "is an IP address"},
		{in: []string{"[2001:db8::1]"}, want: "is an IP address"},
		{in: []string{"a..b"}, want: `invalid permitted DNS domain "a..b": empty label`},
		{in: []string{"exa mple.net"}, want: `invalid permitted DNS domain "exa mple.net"`},
		{in: []string{strings.Repeat("a", 64) + ".net"}, want: "longer than 63 bytes"},
		{in: make([]string, 33), want: "33 permitted DNS domains, more than 32"},
	}
	for _, tt := range tests {
		got, err := CheckPermittedDNS(tt.in)
		switch {
		case tt.ok && err != nil:
			t.Errorf("CheckPermittedDNS(%q): %v", tt.in, err)
		case tt.ok && strings.Join(got, ",") != tt.want:
			t.Errorf("CheckPermittedDNS(%q) = %q, want %s", tt.in, got, tt.want)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "pki: ")):
			t.Errorf("CheckPermittedDNS(%q): %v, want an error with %q", tt.in, err, tt.want)
		}
	}
}

// TestNameConstraintsVerify checks the chain offline, as Go's verifier
// sees it: a name outside the permitted subtrees is refused for the
// constraint (not for trust), one inside verifies, and a leaf minted for
// an address (a client without SNI) breaks the excluded IP subtrees.
func TestNameConstraintsVerify(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, fixedNow, rand.Reader)
	tests := []struct {
		name      string
		permitted []string
		want      string // "" verifies
	}{
		{name: "www.lab.test", permitted: []string{"example.net"}, want: `DNS name "www.lab.test" is not permitted by any constraint`},
		{name: "www.lab.test", permitted: []string{"lab.test"}},
		{name: "www.lab.test", permitted: []string{".lab.test"}},
		{name: "lab.test", permitted: []string{".lab.test"}, want: `DNS name "lab.test" is not permitted by any constraint`},
		{name: "www.lab.test", permitted: []string{"example.net", "www.lab.test"}},
		{name: "127.0.0.1", permitted: []string{"example.net"}, want: `IP address "127.0.0.1" is excluded by constraint "0.0.0.0/0"`},
	}
	for _, tt := range tests {
		c, err := m.BadChainWith(ChainNameConstraints, tt.name, ChainOpts{PermittedDNS: tt.permitted})
		if err != nil {
			t.Fatal(err)
		}
		certs := parseChain(t, c)
		inter := x509.NewCertPool()
		inter.AddCert(certs[1])
		_, err = certs[0].Verify(x509.VerifyOptions{Roots: ca.Pool(), Intermediates: inter, CurrentTime: fixedNow()})
		var cie x509.CertificateInvalidError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s under %q: %v, want it to verify", tt.name, tt.permitted, err)
		case tt.want == "":
		case !errors.As(err, &cie) || cie.Reason != x509.CANotAuthorizedForThisName || !strings.Contains(err.Error(), tt.want):
			t.Errorf("%s under %q: %v, want CANotAuthorizedForThisName with %q", tt.name, tt.permitted, err, tt.want)
		}
	}
}

// TestNameConstraintsCache: the permitted list is part of the chain's
// cache key, in any order or case, and each list gets its own
// intermediate, built once.
func TestNameConstraintsCache(t *testing.T) {
	m := NewMinter(newTestCA(t), fixedNow, rand.Reader)
	get := func(permitted ...string) *x509.Certificate {
		t.Helper()
		c, err := m.BadChainWith(ChainNameConstraints, "c.lab.test", ChainOpts{PermittedDNS: permitted})
		if err != nil {
			t.Fatal(err)
		}
		return parseChain(t, c)[1]
	}
	a := get("example.net", "example.org")
	c1, _ := m.BadChainWith(ChainNameConstraints, "c.lab.test", ChainOpts{PermittedDNS: []string{"Example.ORG", "example.net."}})
	c2, _ := m.BadChainWith(ChainNameConstraints, "c.lab.test", ChainOpts{PermittedDNS: []string{"example.net", "example.org"}})
	if c1 != c2 {
		t.Error("the same list in another order or case minted again")
	}
	if b := get("example.net"); b.Equal(a) {
		t.Error("another list shares the intermediate")
	}
	if d, _ := m.BadChainWith(ChainNameConstraints, "d.lab.test", ChainOpts{PermittedDNS: []string{"example.org", "example.net"}}); !parseChain(t, d)[1].Equal(a) {
		t.Error("the same list built a second intermediate")
	}
	if c3, _ := m.BadChainWith(ChainNameConstraints, "c.lab.test", ChainOpts{PermittedDNS: []string{"example.net", "example.org"}, Skew: time.Hour}); c3 == c2 {
		t.Error("another skew served the cached chain")
	}
}

func TestNameConstraintsErrors(t *testing.T) {
	m := NewMinter(newTestCA(t), fixedNow, rand.Reader)
	tests := []struct {
		kind ChainKind
		o    ChainOpts
		want string
	}{
		{ChainNameConstraints, ChainOpts{}, "pki: no permitted DNS domain"},
		{ChainNameConstraints, ChainOpts{PermittedDNS: []string{"*.lab.test"}}, "wildcard"},
		{ChainPathLen, ChainOpts{PermittedDNS: []string{"lab.test"}}, "pki: permitted DNS domains apply only to the name_constraints chain, not path_len"},
	}
	for _, tt := range tests {
		if _, err := m.BadChainWith(tt.kind, "e.lab.test", tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %+v: %v, want %q", tt.kind, tt.o, err, tt.want)
		}
	}
}

// TestNameConstraintsBounded: distinct permitted lists beyond
// maxConstrainedParents do not grow the intermediates held (an admin API
// adding rule after rule could otherwise grow them without bound); a list
// in use keeps its intermediate while cached, the least recently used one
// goes first, and a chain minted under an evicted intermediate stays
// whole and verifiable: it carries its own intermediate.
func TestNameConstraintsBounded(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, fixedNow, rand.Reader)
	parent := func(list string) *x509.Certificate {
		t.Helper()
		p, err := m.constrainedParent([]string{list})
		if err != nil {
			t.Fatal(err)
		}
		return p.cert
	}
	chain, err := m.BadChainWith(ChainNameConstraints, "www.kept.test", ChainOpts{PermittedDNS: []string{"kept.test"}})
	if err != nil {
		t.Fatal(err)
	}
	first := parseChain(t, chain)[1]
	if !parent("kept.test").Equal(first) {
		t.Fatal("the chain's list built a second intermediate")
	}
	hot := parent("hot.test")
	for i := range maxConstrainedParents + 10 {
		parent(fmt.Sprintf("l%d.test", i))
		if !parent("hot.test").Equal(hot) { // in use: never the oldest
			t.Fatalf("after %d more lists the reused list got another intermediate", i+1)
		}
	}
	if n := constrainedHeld(m); n != maxConstrainedParents {
		t.Errorf("%d name-constrained intermediates held after %d distinct lists, want the cap %d", n, maxConstrainedParents+12, maxConstrainedParents)
	}
	if parent("kept.test").Equal(first) {
		t.Error("the least recently used list was not evicted")
	}
	// The leaf cache still serves the chain minted under the evicted
	// intermediate, and it verifies as it did.
	again, err := m.BadChainWith(ChainNameConstraints, "www.kept.test", ChainOpts{PermittedDNS: []string{"kept.test"}})
	if err != nil {
		t.Fatal(err)
	}
	certs := parseChain(t, again)
	inter := x509.NewCertPool()
	inter.AddCert(certs[1])
	if again != chain || !certs[1].Equal(first) {
		t.Error("the cached chain changed when its intermediate was evicted")
	}
	if _, err := certs[0].Verify(x509.VerifyOptions{Roots: ca.Pool(), Intermediates: inter, DNSName: "www.kept.test", CurrentTime: fixedNow()}); err != nil {
		t.Errorf("the chain under an evicted intermediate: %v", err)
	}
}

// constrainedHeld counts the name-constrained intermediates m holds.
func constrainedHeld(m *Minter) int { return m.constrained.len() }
