package pki

import (
	"container/list"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
)

// maxPermittedDNS bounds a permitted list: a constraint with more
// subtrees than this teaches nothing more.
const maxPermittedDNS = 32

// maxConstrainedParents bounds the name-constrained intermediates a
// Minter keeps, one per distinct permitted list (constrainedParents):
// far more lists than a lab's rules name at once, while rules added and
// removed through the admin API, each with a list of its own, cannot grow
// them without bound. The least recently used one goes first.
const maxConstrainedParents = 64

// CheckPermittedDNS validates the DNS subtrees a name_constraints
// intermediate permits and returns them normalised (lower case, no
// trailing dot, sorted, without repeats). Each is a DNS name as RFC 5280
// §4.2.1.10 writes a dNSName constraint: "example.net" permits it and every
// name below it, ".example.net" only the names below. Wildcards and IP
// addresses are no DNS subtrees.
func CheckPermittedDNS(domains []string) ([]string, error) {
	if len(domains) == 0 {
		return nil, fmt.Errorf("pki: no permitted DNS domain: name constraints need at least one, such as \"example.net\"")
	}
	if len(domains) > maxPermittedDNS {
		return nil, fmt.Errorf("pki: %d permitted DNS domains, more than %d", len(domains), maxPermittedDNS)
	}
	out := make([]string, 0, len(domains))
	for _, d := range domains {
		s := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(d), "."))
		name := strings.TrimPrefix(s, ".")
		switch {
		case name == "":
			return nil, fmt.Errorf("pki: permitted DNS domain %q is empty", d)
		case strings.Contains(name, "*"):
			return nil, fmt.Errorf("pki: permitted DNS domain %q has a wildcard: a dNSName constraint is a subtree (\"example.net\" covers *.example.net already)", d)
		case isIPLiteral(name):
			return nil, fmt.Errorf("pki: permitted DNS domain %q is an IP address, not a DNS name", d)
		}
		if len(name) > 253 {
			return nil, fmt.Errorf("pki: permitted DNS domain of %d bytes is longer than 253", len(name))
		}
		for _, label := range strings.Split(name, ".") {
			if err := checkLabel(label, false); err != nil {
				return nil, fmt.Errorf("pki: invalid permitted DNS domain %q: %w", d, err)
			}
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func isIPLiteral(s string) bool {
	_, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	return err == nil
}

// permitted returns o's permitted list normalised: required for
// ChainNameConstraints, refused for every other kind, so that a list never
// silently does nothing.
func (o ChainOpts) permitted(kind ChainKind) ([]string, error) {
	if kind != ChainNameConstraints {
		if len(o.PermittedDNS) > 0 {
			return nil, fmt.Errorf("pki: permitted DNS domains apply only to the %s chain, not %s", ChainNameConstraints, kind)
		}
		return nil, nil
	}
	return CheckPermittedDNS(o.PermittedDNS)
}

// allIPs are the excluded iPAddress subtrees of a name-constrained
// intermediate: every IPv4 and IPv6 address. The CA/Browser Forum's
// Baseline Requirements ask a technically constrained sub-CA for this
// when it permits no IP range, and it makes a leaf minted for an address
// (a client without SNI) fail the constraints too, instead of slipping
// past DNS-only ones.
func allIPs() []*net.IPNet {
	return []*net.IPNet{
		{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)},
		{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)},
	}
}

// constrainedParents holds the name-constrained intermediates, one per
// permitted list, least recently used first out once there are
// maxConstrainedParents. An evicted intermediate lives on in every chain
// minted under it (a leaf cached, a connection serving it): the chain
// carries its own intermediate, so it stays whole and verifiable; the
// next chain for that list gets a new intermediate. The zero value is
// ready to use.
type constrainedParents struct {
	mu    sync.Mutex
	byKey map[string]*list.Element // value: *constrainedEntry
	order list.List                // most recently used first
}

type constrainedEntry struct {
	key string
	p   *issuer
}

// len is how many intermediates it holds.
func (c *constrainedParents) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// get returns key's intermediate, building it the first time (under the
// lock: builds are rare, and two callers must not build two).
func (c *constrainedParents) get(key string, build func() (*issuer, error)) (*issuer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byKey[key]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*constrainedEntry).p, nil
	}
	p, err := build()
	if err != nil {
		return nil, err
	}
	if c.byKey == nil {
		c.byKey = make(map[string]*list.Element)
	}
	c.byKey[key] = c.order.PushFront(&constrainedEntry{key: key, p: p})
	for c.order.Len() > maxConstrainedParents {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.byKey, old.Value.(*constrainedEntry).key)
	}
	return p, nil
}

// constrainedParent is the lab intermediate whose name constraints permit
// exactly permitted (normalised by CheckPermittedDNS), built once per list
// while it stays among the maxConstrainedParents most recently used. The
// constraints are critical, as RFC 5280 asks of a CA.
func (m *Minter) constrainedParent(permitted []string) (*issuer, error) {
	return m.constrained.get(strings.Join(permitted, ","), func() (*issuer, error) {
		// The list itself is in the extension, where clients read it.
		subject := pkix.Name{CommonName: "tlsgate lab constrained intermediate", Organization: []string{Watermark},
			OrganizationalUnit: []string{faultPrefix + string(ChainNameConstraints)}}
		return m.newIssuerWith(subject, m.root(), issuerOpts{maxPathLen: 0, isCA: true, constrain: func(c *x509.Certificate) {
			c.PermittedDNSDomainsCritical = true
			c.PermittedDNSDomains = slices.Clone(permitted)
			c.ExcludedIPRanges = allIPs()
		}})
	})
}
