package pki

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"net"
	"time"
)

// CA returns the authority this Minter signs with (its pool verifies both
// server leaves and lab-issued client certificates).
func (m *Minter) CA() *CA { return m.ca }

// Mimic mints a leaf that copies the real server's subject common name and
// SANs, as an SSL-inspecting proxy does (mitmproxy's upstream-cert), so the
// client's name check passes for every name the real certificate covered.
// The watermark and the short lab validity are kept, so trainees can still
// spot the interception. name is the SNI (or IP) the client asked for; it is
// added as a SAN when the real certificate does not list it, because the
// client checks that name. Leaves are cached per upstream certificate.
func (m *Minter) Mimic(name string, upstream *x509.Certificate) (*tls.Certificate, error) {
	if upstream == nil {
		return m.Leaf(name)
	}
	norm, ip, err := normalize(name)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(upstream.Raw)
	key := "mimic\x00" + norm + "\x00" + hex.EncodeToString(sum[:12])
	return m.cached(key, func() (*tls.Certificate, time.Time, error) {
		return m.mint(norm, ip, func(tmpl *x509.Certificate) {
			if cn := upstream.Subject.CommonName; cn != "" {
				tmpl.Subject.CommonName = commonName(cn)
			}
			tmpl.Subject.OrganizationalUnit = []string{"tlsgate inspect: copy of " + commonName(upstream.Subject.String())}
			tmpl.DNSNames = mergeNames(upstream.DNSNames, tmpl.DNSNames)
			tmpl.IPAddresses = mergeIPs(upstream.IPAddresses, tmpl.IPAddresses)
		})
	})
}

func mergeNames(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, n := range b {
		seen := false
		for _, x := range out {
			if x == n {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, n)
		}
	}
	return out
}

func mergeIPs(a, b []net.IP) []net.IP {
	out := append([]net.IP(nil), a...)
	for _, ip := range b {
		seen := false
		for _, x := range out {
			if x.Equal(ip) {
				seen = true
				break
			}
		}
		if !seen {
			out = append(out, ip)
		}
	}
	return out
}
