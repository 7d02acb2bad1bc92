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
