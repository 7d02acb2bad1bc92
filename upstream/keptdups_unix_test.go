//go:build unix

package upstream

import (
	"syscall"
	"testing"
)

// TestKeptDups: every attempt before the dial returned keeps a duplicate,
// beyond the two kept without allocation too, in order; one after it (a
// late fallback) keeps none, since nothing would close it.
func TestKeptDups(t *testing.T) {
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	for _, n := range []int{0, 1, 2, 3} {
		var k keptDups
		var want []string
		for i := range n {
			addr := []string{"[::1]:1", "127.0.0.1:1", "127.0.0.2:1"}[i]
			k.add(addr, p[0])
			want = append(want, addr)
		}
		got := k.finish()
		k.add("127.0.0.9:1", p[0]) // late: after the dial returned
		if len(got) != len(want) || k.n+len(k.rest) != n {
			t.Fatalf("%d attempts: kept %d (%d after a late one); want %d", n, len(got), k.n+len(k.rest), n)
		}
		for i, a := range got {
			if a.addr != want[i] || a.fd == p[0] || a.fd < 0 {
				t.Errorf("%d attempts: duplicate %d is %q fd %d; want %q, a new fd", n, i, a.addr, a.fd, want[i])
			}
			syscall.Close(a.fd)
		}
	}
}
