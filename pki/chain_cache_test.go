package pki

import (
	"crypto/rand"
	"crypto/tls"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBadChainCache(t *testing.T) {
	var mu sync.Mutex
	now := fixedNow()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	m := NewMinter(newTestCA(t), clock, rand.Reader)

	a, err := m.BadChain(ChainNotYetValid, "c.lab.test", 0)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := m.BadChain(ChainNotYetValid, "C.Lab.Test.", 0); b != a {
		t.Error("same kind, name and skew minted again")
	}
	for _, other := range []struct {
		kind ChainKind
		name string
		skew time.Duration
	}{
		{ChainExpired, "c.lab.test", 0},
		{ChainNotYetValid, "d.lab.test", 0},
		{ChainNotYetValid, "c.lab.test", time.Second},
	} {
		if b, err := m.BadChain(other.kind, other.name, other.skew); err != nil || b == a {
			t.Errorf("%v served the cached chain (err %v)", other, err)
		}
	}
	good, err := m.BadChain(ChainGood, "c.lab.test", 0)
	if err != nil {
		t.Fatal(err)
	}
	if leaf, _ := m.Leaf("c.lab.test"); leaf != good {
		t.Error("good with no skew is not the plain leaf")
	}

	// A cached not_yet_valid leaf must be re-minted before it turns valid.
	advance(59 * time.Minute)
	if b, _ := m.BadChain(ChainNotYetValid, "c.lab.test", 0); b != a {
		t.Error("re-minted within the hour")
	}
	advance(2 * time.Minute)
	b, err := m.BadChain(ChainNotYetValid, "c.lab.test", 0)
	if err != nil {
		t.Fatal(err)
	}
	if b == a || !b.Leaf.NotBefore.After(a.Leaf.NotBefore) {
		t.Error("an hour-old bad chain was served from the cache")
	}
}

func TestBadChainConcurrentFirstCallsMintOnce(t *testing.T) {
	m := NewMinter(newTestCA(t), fixedNow, rand.Reader)
	const n = 50
	var (
		start, done sync.WaitGroup
		certs       [n]*tls.Certificate
		errs        [n]error
	)
	start.Add(1)
	for i := range n {
		done.Add(1)
		go func() {
			defer done.Done()
			start.Wait()
			// Alternate kinds that share the lazily built intermediate.
			kind := []ChainKind{ChainGoodIntermediate, ChainIncomplete}[i%2]
			certs[i], errs[i] = m.BadChain(kind, "race.lab.test", 0)
		}()
	}
	start.Done()
	done.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if certs[i] != certs[i%2] {
			t.Fatalf("goroutine %d got a different certificate", i)
		}
	}
	if m.minted != 2 {
		t.Errorf("minted %d chains, want 2", m.minted)
	}
	if certs[0].Leaf.Issuer.String() != certs[1].Leaf.Issuer.String() {
		t.Error("the two kinds were issued by different intermediates")
	}
}

func TestBadChainErrorNotCached(t *testing.T) {
	r := &failingReader{fail: true}
	m := NewMinter(newTestCA(t), fixedNow, r)
	if _, err := m.BadChain(ChainPathLen, "x.lab.test", 0); err == nil || !strings.Contains(err.Error(), "entropy exhausted") {
		t.Fatalf("first mint: err = %v", err)
	}
	if m.UntrustedRootPEM() != nil {
		t.Error("UntrustedRootPEM without entropy returned a root")
	}
	r.fail = false
	if _, err := m.BadChain(ChainPathLen, "x.lab.test", 0); err != nil {
		t.Fatalf("retry after failure: %v", err)
	}
	if m.UntrustedRootPEM() == nil {
		t.Error("UntrustedRootPEM still nil once entropy returned")
	}
}

// TestCacheByteBound: a scanner sending many SNIs to a huge_cert rule must
// not grow the cache past its byte budget, however few entries that is.
func TestCacheByteBound(t *testing.T) {
	m := NewMinter(newTestCA(t), fixedNow, rand.Reader)
	m.maxBytes = 300 * 1024 // two huge chains fit, three do not
	for _, name := range []string{"h1.lab.test", "h2.lab.test", "h3.lab.test"} {
		if _, err := m.BadChain(ChainHuge, name, 0); err != nil {
			t.Fatal(err)
		}
	}
	small, err := m.Leaf("small.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	if m.bytes > m.maxBytes || len(m.cache) != m.order.Len() {
		t.Fatalf("cache holds %d bytes in %d/%d entries, budget %d", m.bytes, len(m.cache), m.order.Len(), m.maxBytes)
	}
	sum := 0
	for _, el := range m.cache {
		for _, der := range el.Value.(*entry).cert.Certificate {
			sum += len(der)
		}
	}
	if sum != m.bytes {
		t.Errorf("byte count %d, entries hold %d", m.bytes, sum)
	}
	if _, ok := m.cache[string(ChainHuge)+"\x00h1.lab.test\x000"]; ok {
		t.Error("the oldest huge chain survived")
	}
	if again, _ := m.Leaf("small.lab.test"); again != small {
		t.Error("the newest entry was evicted")
	}

	// A single chain larger than the budget is still cached (alone).
	m.maxBytes = 1
	if _, err := m.BadChain(ChainHuge, "h4.lab.test", 0); err != nil {
		t.Fatal(err)
	}
	if len(m.cache) != 1 {
		t.Errorf("%d entries under a 1-byte budget, want just the newest", len(m.cache))
	}
}
