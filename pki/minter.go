package pki

import (
	"container/list"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Leaf lifetimes. Short validity limits the harm of a leaked lab key; the
// hour of back-dating absorbs client clock skew.
const (
	leafBackdate = time.Hour
	leafValidity = 7 * 24 * time.Hour
	// leafRenew re-mints a cached leaf this long before it expires, so a
	// long-running lab never serves an expired certificate by accident.
	leafRenew = 24 * time.Hour
	// defaultCacheSize bounds memory when clients send many distinct SNIs
	// (scanners, fuzzers); each entry is a couple of kilobytes.
	defaultCacheSize = 10000
)

// Minter issues leaf certificates signed by a CA, one per server name,
// cached and minted at most once at a time per name. It is safe for
// concurrent use.
type Minter struct {
	ca     *CA
	now    func() time.Time
	random lockedReader

	mu       sync.Mutex
	max      int
	cache    map[string]*list.Element // value: *entry
	order    *list.List               // oldest first
	inflight map[string]*call
	minted   int // leaves signed so far; lets tests prove the single flight
}

type entry struct {
	name string
	cert *tls.Certificate
}

// call is one mint in progress; latecomers for the same name wait on done.
type call struct {
	done chan struct{}
	cert *tls.Certificate
	err  error
}

// lockedReader serialises an injected reader, which (unlike crypto/rand)
// may not tolerate concurrent reads.
type lockedReader struct {
	mu *sync.Mutex
	r  io.Reader
}

func (l lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// NewMinter returns a Minter issuing leaves under ca. now dates the leaves and
// random feeds serial numbers and signatures.
func NewMinter(ca *CA, now func() time.Time, random io.Reader) *Minter {
	return &Minter{
		ca:       ca,
		now:      now,
		random:   lockedReader{mu: new(sync.Mutex), r: random},
		max:      defaultCacheSize,
		cache:    make(map[string]*list.Element),
		order:    list.New(),
		inflight: make(map[string]*call),
	}
}

// Leaf returns a certificate for name (a DNS name or an IP literal), chained
// to the CA. Concurrent first requests for one name share a single mint.
func (m *Minter) Leaf(name string) (*tls.Certificate, error) {
	key, ip, err := normalize(name)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if el, ok := m.cache[key]; ok {
		e := el.Value.(*entry)
		if m.now().Before(e.cert.Leaf.NotAfter.Add(-leafRenew)) {
			m.mu.Unlock()
			return e.cert, nil
		}
	}
	if c, ok := m.inflight[key]; ok {
		m.mu.Unlock()
		<-c.done
		return c.cert, c.err
	}
	c := &call{done: make(chan struct{})}
	m.inflight[key] = c
	m.mu.Unlock()

	c.cert, c.err = m.mint(key, ip)

	m.mu.Lock()
	delete(m.inflight, key)
	if c.err == nil {
		m.minted++
		m.store(key, c.cert)
	}
	m.mu.Unlock()
	close(c.done)
	return c.cert, c.err
}

// store caches cert under key and evicts the oldest entries beyond the bound.
// The caller holds m.mu.
func (m *Minter) store(key string, cert *tls.Certificate) {
	if el, ok := m.cache[key]; ok {
		el.Value.(*entry).cert = cert
		m.order.MoveToBack(el)
		return
	}
	m.cache[key] = m.order.PushBack(&entry{name: key, cert: cert})
	for m.order.Len() > m.max {
		oldest := m.order.Front()
		m.order.Remove(oldest)
		delete(m.cache, oldest.Value.(*entry).name)
	}
}

func (m *Minter) mint(name string, ip netip.Addr) (*tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), m.random)
	if err != nil {
		return nil, fmt.Errorf("pki: generate key for %q: %w", name, err)
	}
	serial, err := newSerial(m.random)
	if err != nil {
		return nil, err
	}
	t := m.now()
	notAfter := t.Add(leafValidity)
	if ca := m.ca.cert.NotAfter; notAfter.After(ca) {
		notAfter = ca // a leaf outliving its issuer would fail verification anyway
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: commonName(name), Organization: []string{Watermark}},
		NotBefore:    t.Add(-leafBackdate),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip.IsValid() {
		tmpl.IPAddresses = []net.IP{ip.AsSlice()}
	} else {
		tmpl.DNSNames = []string{name}
	}
	der, err := x509.CreateCertificate(m.random, tmpl, m.ca.cert, key.Public(), m.ca.key)
	if err != nil {
		return nil, fmt.Errorf("pki: sign leaf for %q: %w", name, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parse leaf for %q: %w", name, err)
	}
	return &tls.Certificate{
		Certificate: [][]byte{der, m.ca.cert.Raw},
		PrivateKey:  key,
		Leaf:        leaf,
	}, nil
}

// commonName keeps the CN within the 64 characters X.520 allows; the SAN
// carries the full name and is what clients check.
func commonName(name string) string {
	if len(name) > 64 {
		return name[:64]
	}
	return name
}

// normalize turns a requested name into its cache key. IP literals (with or
// without brackets or a zone) become their canonical form and ip is set;
// DNS names are lower-cased without a trailing dot and must be plain ASCII
// hostnames (a leading "*." wildcard label is allowed).
func normalize(name string) (key string, ip netip.Addr, err error) {
	s := strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	if a, perr := netip.ParseAddr(s); perr == nil {
		a = a.WithZone("").Unmap()
		return a.String(), a, nil
	}
	s = strings.ToLower(strings.TrimSuffix(name, "."))
	if s == "" {
		return "", netip.Addr{}, fmt.Errorf("pki: empty server name %q", name)
	}
	if len(s) > 253 {
		return "", netip.Addr{}, fmt.Errorf("pki: server name of %d bytes is longer than 253", len(s))
	}
	for i, label := range strings.Split(s, ".") {
		if err := checkLabel(label, i == 0); err != nil {
			return "", netip.Addr{}, fmt.Errorf("pki: invalid server name %q: %w", name, err)
		}
	}
	return s, netip.Addr{}, nil
}

func checkLabel(label string, first bool) error {
	if label == "" {
		return errors.New("empty label")
	}
	if len(label) > 63 {
		return fmt.Errorf("label %q longer than 63 bytes", label[:16]+"…")
	}
	if label == "*" && first {
		return nil
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		// Underscores are not legal in hostnames but real lab names
		// (_acme-challenge, docker service names) use them.
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("byte %#02x at %d in label %q", c, i, label)
		}
	}
	return nil
}

// GetCertificate returns a tls.Config.GetCertificate hook. It mints for the
// SNI, else for the IP the client connected to (clients send no SNI for IP
// literals), else for fallback.
func (m *Minter) GetCertificate(fallback string) func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		name := hello.ServerName
		if name == "" && hello.Conn != nil {
			if ap, err := netip.ParseAddrPort(hello.Conn.LocalAddr().String()); err == nil && !ap.Addr().IsUnspecified() {
				name = ap.Addr().String()
			}
		}
		if name == "" {
			name = fallback
		}
		if name == "" {
			return nil, errors.New("pki: no SNI, no local address and no fallback name to mint a certificate for")
		}
		return m.Leaf(name)
	}
}
