package pki

import (
	"container/list"
	"crypto"
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
	// defaultCacheBytes bounds it again by DER size, because a huge_cert
	// chain is ~120 kB: 10,000 of them would be over a gigabyte.
	defaultCacheBytes = 32 << 20
)

// Minter issues leaf certificates signed by a CA, one per server name, and
// deliberately broken chains for lab faults (BadChain). Both are cached and
// minted at most once at a time per key. It is safe for concurrent use.
type Minter struct {
	ca     *CA
	now    func() time.Time
	random lockedReader

	mu       sync.Mutex
	max      int                      // entries
	maxBytes int                      // DER bytes of all cached chains
	bytes    int                      // DER bytes cached now
	cache    map[string]*list.Element // value: *entry
	order    *list.List               // oldest first
	inflight map[string]*call
	minted   int // certificates signed so far; lets tests prove the single flight

	// issuerMu guards issuerSets, the intermediates and foreign roots the bad
	// chains hang from; each set is built once, on first use.
	issuerMu   sync.Mutex
	issuerSets map[parentSet][]*issuer
	// constrained are the name_constraints intermediates, one per
	// permitted list, bounded (maxConstrainedParents).
	constrained constrainedParents
}

type entry struct {
	name string
	cert *tls.Certificate
	size int // DER bytes of the chain, counted against maxBytes
	// renewAt is when the entry stops being served: a day before expiry
	// for a leaf, an hour after minting for a deliberately bad chain (its
	// validity window is relative to the moment it was minted).
	renewAt time.Time
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
		ca:         ca,
		now:        now,
		random:     lockedReader{mu: new(sync.Mutex), r: random},
		max:        defaultCacheSize,
		maxBytes:   defaultCacheBytes,
		cache:      make(map[string]*list.Element),
		order:      list.New(),
		inflight:   make(map[string]*call),
		issuerSets: make(map[parentSet][]*issuer),
	}
}

// Leaf returns a certificate for name (a DNS name or an IP literal), chained
// to the CA. Concurrent first requests for one name share a single mint.
func (m *Minter) Leaf(name string) (*tls.Certificate, error) {
	key, ip, err := normalize(name)
	if err != nil {
		return nil, err
	}
	return m.cached(key, func() (*tls.Certificate, time.Time, error) { return m.mint(key, ip, nil) })
}

// cached serves key from the cache until its renewAt, and otherwise runs
// mint once however many callers ask at the same time. Failures are not
// cached, so a transient error (entropy, say) is retried by the next call.
func (m *Minter) cached(key string, mint func() (*tls.Certificate, time.Time, error)) (*tls.Certificate, error) {
	m.mu.Lock()
	if el, ok := m.cache[key]; ok {
		e := el.Value.(*entry)
		if m.now().Before(e.renewAt) {
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

	var renewAt time.Time
	c.cert, renewAt, c.err = mint()

	m.mu.Lock()
	delete(m.inflight, key)
	if c.err == nil {
		m.minted++
		m.store(key, c.cert, renewAt)
	}
	m.mu.Unlock()
	close(c.done)
	return c.cert, c.err
}

// store caches cert under key and evicts the oldest entries beyond the
// bounds (the newest entry always stays, however large). The caller holds
// m.mu.
func (m *Minter) store(key string, cert *tls.Certificate, renewAt time.Time) {
	size := 0
	for _, der := range cert.Certificate {
		size += len(der)
	}
	if el, ok := m.cache[key]; ok {
		e := el.Value.(*entry)
		m.bytes += size - e.size
		e.cert, e.renewAt, e.size = cert, renewAt, size
		m.order.MoveToBack(el)
	} else {
		m.cache[key] = m.order.PushBack(&entry{name: key, cert: cert, renewAt: renewAt, size: size})
		m.bytes += size
	}
	for m.order.Len() > 1 && (m.order.Len() > m.max || m.bytes > m.maxBytes) {
		oldest := m.order.Front()
		e := oldest.Value.(*entry)
		m.order.Remove(oldest)
		delete(m.cache, e.name)
		m.bytes -= e.size
	}
}

// mint issues a good lab-CA leaf for name (a normalized key), valid from
// leafBackdate ago for leafValidity, and says when a cached copy must be
// renewed. It is the one path for every good leaf (Leaf, Mimic,
// OCSPTimes): edit, when not nil, marks the template before it is signed
// (a watermark, mimicked names), and rest follows the leaf in the chain.
func (m *Minter) mint(name string, ip netip.Addr, edit func(*x509.Certificate), rest ...*x509.Certificate) (*tls.Certificate, time.Time, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), m.random)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("pki: generate key for %q: %w", name, err)
	}
	t := m.now()
	tmpl := leafTemplate(name, ip, t.Add(-leafBackdate), m.clampToCA(t.Add(leafValidity)))
	if edit != nil {
		edit(tmpl)
	}
	c, err := m.issue(name, tmpl, m.root(), key, rest)
	if err != nil {
		return nil, time.Time{}, err
	}
	return c, c.Leaf.NotAfter.Add(-leafRenew), nil
}

// clampToCA keeps a leaf from outliving its issuer, which would fail
// verification anyway.
func (m *Minter) clampToCA(notAfter time.Time) time.Time {
	if ca := m.ca.cert.NotAfter; notAfter.After(ca) {
		return ca
	}
	return notAfter
}

// leafTemplate is the serving certificate every chain starts from: the
// watermark, digital signature, serverAuth, and the name as its only SAN.
// The serial is filled in by issue.
func leafTemplate(name string, ip netip.Addr, notBefore, notAfter time.Time) *x509.Certificate {
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName(name), Organization: []string{Watermark}},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip.IsValid() {
		tmpl.IPAddresses = []net.IP{ip.AsSlice()}
	} else {
		tmpl.DNSNames = []string{name}
	}
	return tmpl
}

// issue signs tmpl for key under parent (nil: self-signed) and returns it
// with rest appended, in the order a server sends them.
func (m *Minter) issue(name string, tmpl *x509.Certificate, parent *issuer, key crypto.Signer, rest []*x509.Certificate) (*tls.Certificate, error) {
	serial, err := newSerial(m.random)
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = serial
	parentCert, signer := tmpl, key
	if parent != nil {
		parentCert, signer = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(m.random, tmpl, parentCert, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("pki: sign leaf for %q: %w", name, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("pki: parse leaf for %q: %w", name, err)
	}
	chain := [][]byte{der}
	for _, c := range rest {
		chain = append(chain, c.Raw)
	}
	return &tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: leaf}, nil
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
	if a, perr := netip.ParseAddr(s); perr == nil {
		// "0.0.0.0." is an IP literal with a root dot, not a DNS name: the
		// key must normalise to itself.
		a = a.WithZone("").Unmap()
		return a.String(), a, nil
	}
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
