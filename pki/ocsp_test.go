package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestOCSPStampsFollowClock: every stapled response's producedAt,
// thisUpdate and nextUpdate come from the minter's injected clock, not the
// real one (x/crypto/ocsp.CreateResponse stamps producedAt with time.Now).
// The fake clock is months away from the real time, so a real-clock stamp
// cannot pass by accident.
func TestOCSPStampsFollowClock(t *testing.T) {
	ca := newTestCA(t)
	clock := &fakeClock{now: fixedNow()}
	m := NewMinter(ca, clock.Now, rand.Reader)
	const name = "stamp.lab.test"
	const skew = 3 * time.Hour
	// A fresh response is produced now; a stale one (ocsp_expired) is an
	// old cached response, produced at its thisUpdate, never after its
	// nextUpdate.
	tests := []struct {
		kind                 ChainKind
		skew                 time.Duration
		produced, this, next time.Duration // from now+skew
	}{
		{ChainRevoked, 0, 0, -ocspFresh, chainMaxAge + ocspFresh},
		{ChainOCSPUnknown, skew, 0, -ocspFresh, chainMaxAge + ocspFresh},
		{ChainOCSPExpired, -skew, -ocspStaleBy - ocspStaleWindow, -ocspStaleBy - ocspStaleWindow, -ocspStaleBy},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			c, err := m.BadChain(tt.kind, name, tt.skew)
			if err != nil {
				t.Fatal(err)
			}
			at := clock.Now().Add(tt.skew)
			r := staple(t, ca, parseChain(t, c)[0], c)
			if !r.ProducedAt.Equal(at.Add(tt.produced)) || !r.ThisUpdate.Equal(at.Add(tt.this)) || !r.NextUpdate.Equal(at.Add(tt.next)) {
				t.Errorf("produced %s this %s next %s; want produced %s this %s next %s",
					r.ProducedAt, r.ThisUpdate, r.NextUpdate, at.Add(tt.produced), at.Add(tt.this), at.Add(tt.next))
			}
			if r.ProducedAt.Before(r.ThisUpdate) || r.ProducedAt.After(r.NextUpdate) {
				t.Errorf("produced %s outside [thisUpdate %s, nextUpdate %s]: no responder signs that", r.ProducedAt, r.ThisUpdate, r.NextUpdate)
			}
			checkStapleInsideLeaf(t, parseChain(t, c)[0], r)
		})
	}
}

// TestOCSPTimes: the ocsp_times staple is good and signed by the lab CA,
// its times shifted from the injected clock at every call (the leaf is
// cached, the staple is not), and the leaf itself is valid now.
func TestOCSPTimes(t *testing.T) {
	ca := newTestCA(t)
	clock := &fakeClock{now: fixedNow()}
	m := NewMinter(ca, clock.Now, rand.Reader)
	const name = "late.lab.test"
	tests := []struct {
		skew             time.Duration
		produced, this   time.Duration // from now
		next             time.Duration
		wantThisInFuture bool
	}{
		{skew: 2 * time.Hour, produced: 2 * time.Hour, this: 2 * time.Hour, next: 26 * time.Hour, wantThisInFuture: true},
		{skew: -2 * time.Hour, produced: -26 * time.Hour, this: -26 * time.Hour, next: -2 * time.Hour},
		// Staler still, for the same name: a leaf backdated for -2h alone
		// would be younger than this staple.
		{skew: -48 * time.Hour, produced: -72 * time.Hour, this: -72 * time.Hour, next: -48 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.skew.String(), func(t *testing.T) {
			var serial string
			for round := range 2 {
				c, err := m.OCSPTimes(name, tt.skew)
				if err != nil {
					t.Fatal(err)
				}
				certs := parseChain(t, c)
				leaf := certs[0]
				now := clock.Now()
				if len(certs) != 2 || certs[1].Subject.CommonName != ca.cert.Subject.CommonName {
					t.Errorf("sends %d certificates, want [leaf, lab CA]", len(certs))
				}
				if ou := leaf.Subject.OrganizationalUnit; len(ou) != 1 || ou[0] != ocspTimesUnit {
					t.Errorf("OU %v", ou)
				}
				if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
					t.Errorf("leaf %s – %s not valid at %s", leaf.NotBefore, leaf.NotAfter, now)
				}
				r := staple(t, ca, leaf, c)
				if r.Status != ocsp.Good || !r.ProducedAt.Equal(now.Add(tt.produced)) || !r.ThisUpdate.Equal(now.Add(tt.this)) || !r.NextUpdate.Equal(now.Add(tt.next)) {
					t.Errorf("round %d: status %d produced %s this %s next %s (now %s)", round, r.Status, r.ProducedAt, r.ThisUpdate, r.NextUpdate, now)
				}
				checkStapleInsideLeaf(t, leaf, r)
				if round == 1 && leaf.SerialNumber.String() != serial {
					t.Error("the leaf was minted again; only the staple should be")
				}
				serial = leaf.SerialNumber.String()
				clock.Add(40 * time.Minute)
			}
		})
	}
	if _, err := m.OCSPTimes(name, 0); err == nil || !strings.Contains(err.Error(), "non-zero skew") {
		t.Errorf("skew 0: %v", err)
	}
}

// checkStapleInsideLeaf: a staple's times fall within its leaf's validity,
// as a responder's do (it answers about a certificate that exists), so a
// stale or future staple is the one fault a scenario shows, not also a
// response dated before the certificate it vouches for.
func checkStapleInsideLeaf(t *testing.T, leaf *x509.Certificate, r *ocsp.Response) {
	t.Helper()
	for _, at := range []struct {
		name string
		t    time.Time
	}{{"producedAt", r.ProducedAt}, {"thisUpdate", r.ThisUpdate}, {"nextUpdate", r.NextUpdate}} {
		if at.t.Before(leaf.NotBefore) || at.t.After(leaf.NotAfter) {
			t.Errorf("staple %s %s outside the leaf's validity %s – %s", at.name, at.t, leaf.NotBefore, leaf.NotAfter)
		}
	}
}

// checkStaple is how a Go client checks a stapled OCSP response: crypto/tls
// hands it over (ConnectionState.OCSPResponse) but judges nothing, so a
// VerifyConnection callback parses it against the verified chain and
// compares its window with the clock, with OpenSSL's five minutes of
// leeway.
func checkStaple(cs tls.ConnectionState) error {
	if len(cs.VerifiedChains) == 0 || len(cs.VerifiedChains[0]) < 2 {
		return errors.New("ocsp check: no verified chain")
	}
	chain := cs.VerifiedChains[0]
	r, err := ocsp.ParseResponseForCert(cs.OCSPResponse, chain[0], chain[1])
	if err != nil {
		return fmt.Errorf("ocsp check: %w", err)
	}
	const leeway = 5 * time.Minute
	now := time.Now()
	switch {
	case r.Status != ocsp.Good:
		return fmt.Errorf("ocsp check: status %d", r.Status)
	case now.Add(leeway).Before(r.ThisUpdate):
		return fmt.Errorf("ocsp check: response not yet valid: thisUpdate %s is in the future", r.ThisUpdate.Format(time.RFC3339))
	case !r.NextUpdate.IsZero() && now.Add(-leeway).After(r.NextUpdate):
		return fmt.Errorf("ocsp check: response expired: nextUpdate %s has passed", r.NextUpdate.Format(time.RFC3339))
	}
	return nil
}

// TestOCSPTimesClients serves ocsp_times staples to real clients: curl
// --cert-status refuses both directions with one message (OpenSSL's
// OCSP_check_validity is false, and curl calls every such response
// expired), a shift inside OpenSSL's leeway passes, and a Go client, which
// checks nothing itself, refuses in its VerifyConnection.
func TestOCSPTimesClients(t *testing.T) {
	ca := newTestCA(t)
	m := NewMinter(ca, time.Now, rand.Reader) // real clock: the clients judge with it
	tests := []struct {
		host  string
		skew  time.Duration
		curl  string
		goErr string
	}{
		{host: "ahead.lab.test", skew: 2 * time.Hour, curl: "curl: (91) OCSP response has expired", goErr: "response not yet valid"},
		{host: "behind.lab.test", skew: -2 * time.Hour, curl: "curl: (91) OCSP response has expired", goErr: "response expired"},
		{host: "slight.lab.test", skew: time.Minute},
	}
	hosts := make(map[string]chainSpec)
	for _, tt := range tests {
		hosts[tt.host] = chainSpec{skew: tt.skew, ocspTimes: true}
	}
	srv := startChainServer(t, m, ca, hosts)
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			code, stderr := srv.curl(t, tt.host, "--cert-status")
			t.Logf("curl --cert-status (%d): %s", code, strings.TrimSpace(stderr))
			if tt.curl == "" && code != 0 || tt.curl != "" && (code != 91 || !strings.Contains(stderr, tt.curl)) {
				t.Errorf("curl --cert-status: exit %d %q, want %q", code, stderr, tt.curl)
			}
			if code, stderr := srv.curl(t, tt.host); code != 0 {
				t.Errorf("curl without --cert-status: exit %d %q, want a clean connection", code, stderr)
			}
			conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", srv.port),
				&tls.Config{RootCAs: ca.Pool(), ServerName: tt.host, VerifyConnection: checkStaple})
			if err == nil {
				_ = conn.Close()
			}
			t.Logf("Go client with VerifyConnection: %v", err)
			if tt.goErr == "" && err != nil || tt.goErr != "" && (err == nil || !strings.Contains(err.Error(), tt.goErr)) {
				t.Errorf("Go client: %v, want %q", err, tt.goErr)
			}
		})
	}
}

// countingSigner counts the signatures a key makes and keeps the
// randomness each was given.
type countingSigner struct {
	crypto.Signer
	mu      sync.Mutex
	signs   int
	readers []io.Reader
}

func (c *countingSigner) Sign(r io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.mu.Lock()
	c.signs++
	c.readers = append(c.readers, r)
	c.mu.Unlock()
	return c.Signer.Sign(r, digest, opts)
}

// TestOCSPSignedOnce: a staple is signed once, with the producedAt of the
// minter's clock already in it, and with the minter's randomness. It used
// to be signed twice: by x/crypto/ocsp.CreateResponse (with crypto/rand),
// then again after producedAt was rewritten.
func TestOCSPSignedOnce(t *testing.T) {
	ca := newTestCA(t)
	key := &countingSigner{Signer: ca.key}
	ca.key = key
	clock := &fakeClock{now: fixedNow()}
	m := NewMinter(ca, clock.Now, rand.Reader)
	tests := []struct {
		name   string
		staple func() (*tls.Certificate, error)
	}{
		{"ocsp_times", func() (*tls.Certificate, error) { return m.OCSPTimes("once.lab.test", time.Hour) }},
		{"revoked", func() (*tls.Certificate, error) { return m.BadChain(ChainRevoked, "revoked.lab.test", 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key.mu.Lock()
			key.signs, key.readers = 0, nil
			key.mu.Unlock()
			c, err := tt.staple()
			if err != nil {
				t.Fatal(err)
			}
			r := staple(t, ca, parseChain(t, c)[0], c)
			if want := clock.Now().Add(time.Hour); tt.name == "ocsp_times" && !r.ProducedAt.Equal(want) {
				t.Errorf("producedAt %s, want %s", r.ProducedAt, want)
			}
			key.mu.Lock()
			defer key.mu.Unlock()
			// One signature for the leaf, one for the staple.
			if key.signs != 2 {
				t.Errorf("the CA key signed %d times for a leaf and its staple, want 2", key.signs)
			}
			for i, rd := range key.readers {
				if rd != io.Reader(m.random) {
					t.Errorf("signature %d used %T, not the minter's randomness", i, rd)
				}
			}
		})
	}
}
