package pki

import (
	"crypto/rand"
	"strconv"
	"testing"
)

// BenchmarkMintCold measures a cache miss: key generation plus signing.
func BenchmarkMintCold(b *testing.B) {
	m := NewMinter(newTestCA(b), fixedNow, rand.Reader)
	i := 0
	for b.Loop() {
		if _, err := m.Leaf("h" + strconv.Itoa(i) + ".lab.test"); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkLeafWarm measures a cache hit, the cost every handshake pays.
func BenchmarkLeafWarm(b *testing.B) {
	m := NewMinter(newTestCA(b), fixedNow, rand.Reader)
	if _, err := m.Leaf("warm.lab.test"); err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := m.Leaf("warm.lab.test"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkBadChainCold measures a bad-chain cache miss per kind: key
// generation and signing of the leaf. Shared issuers (intermediates, the
// untrusted root) are built before the timer, as a running lab has them.
func BenchmarkBadChainCold(b *testing.B) {
	for _, kind := range []ChainKind{ChainExpired, ChainGoodIntermediate, ChainUntrustedRootWithRoot, ChainLong, ChainWeakRSA, ChainHuge} {
		b.Run(string(kind), func(b *testing.B) {
			m := NewMinter(newTestCA(b), fixedNow, rand.Reader)
			if _, err := m.BadChain(kind, "warmup.lab.test", 0); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				if _, err := m.BadChain(kind, "h"+strconv.Itoa(i)+".lab.test", 0); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
