package faults

import (
	"bytes"
	"encoding/json"
	mathbits "math/bits"
	"math/rand/v2"
	"net/netip"
	"os"
	"testing"

	"github.com/tlsgate/tlsgate/sniff"
)

// FuzzRuleJSON: decoding, validating, compiling and planning any rule never
// panics, and a rule that validates survives a JSON round trip.
func FuzzRuleJSON(f *testing.F) {
	for _, s := range []string{
		`{"name":"waf","sni":"*.blocked.test","action":"reset"}`,
		`{"name":"a","action":"alert","alert":"unknown_ca","then":"rst","record_version":"1.2"}`,
		`{"name":"lat","action":"latency","latency":"100ms","jitter":20,"direction":"both","probability":0.5,"seed":7}`,
		`{"name":"m","action":"mtu","mtu":1280,"recover_after":"5s","client":"10.0.0.0/8","ja4":"t13d*"}`,
		`{"name":"c","action":"chain","chain":"expired","skew":"-24h","conn_every":3,"max_fires":2}`,
		`{"name":"p","action":"block_page","status":429,"template":"cloudflare","headers_add":["Retry-After: 9"]}`,
		`{"name":"x","action":"alert","alert":1e300}`,
		`{"name":"v","action":"version","min_version":1.3,"max_offered_version":"ssl3"}`,
	} {
		f.Add([]byte(s))
	}
	hello := &sniff.ClientHello{ServerName: "a.blocked.test", ALPN: []string{"h2"}, LegacyVersion: 0x0303,
		SupportedVersions: []uint16{0x0304}, CipherSuites: []uint16{0x1301}, WireLen: 1600}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r Rule
		if err := json.Unmarshal(data, &r); err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			return
		}
		n := r.normalized()
		if err := n.Validate(); err != nil {
			t.Fatalf("normalized rule invalid: %v\n%s", err, data)
		}
		b, err := json.Marshal(n)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var back Rule
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("round trip decode: %v\n%s", err, b)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("round trip invalid: %v\n%s", err, b)
		}
		e := NewEngine(nil)
		if err := e.Add(r); err != nil {
			t.Fatalf("Add of a valid rule: %v", err)
		}
		ci := ConnInfo{Listener: r.Listener, Client: netip.MustParseAddrPort("10.1.2.3:4"), Index: 3, Hello: hello, HelloSegments: 2}
		p := e.PlanAccept(ci).Merge(e.Plan(ci))
		_ = p.TLSPolicy()
		for _, st := range Stages() {
			_ = p.Stop(st)
			_ = p.Wrappers(st)
		}
	})
}

// FuzzRewriteHeaders: never panics, and whatever follows a complete head is
// passed through byte for byte.
func FuzzRewriteHeaders(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nStrict-Transport-Security: max-age=1\r\n\r\nbody"))
	f.Add([]byte("HTTP/1.1 200 OK\r\n folded\r\n\r\n"))
	f.Add([]byte("HTTP/"))
	f.Add([]byte("\x16\x03\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, complete := RewriteHeaders(data, []string{"Strict-Transport-Security"}, []string{"Via: 1.1 x"})
		if !complete || !bytes.HasPrefix(data, []byte("HTTP/")) {
			if !bytes.Equal(out, data) {
				t.Fatalf("incomplete or non-HTTP input changed: %q -> %q", data, out)
			}
			return
		}
		end := bytes.Index(data, []byte("\r\n\r\n"))
		if !bytes.HasSuffix(out, data[end+4:]) {
			t.Fatalf("body changed: %q -> %q", data, out)
		}
	})
}

// FuzzFragment: the record re-framer never panics and only ever adds record
// headers (5 bytes each).
func FuzzFragment(f *testing.F) {
	f.Add([]byte{22, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3, 23, 3, 3, 0, 1, 9}, 2)
	f.Add([]byte{22, 3, 3, 0, 0}, 1)
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), 3)
	f.Fuzz(func(t *testing.T, data []byte, size int) {
		if size < 1 || size > 16384 {
			return
		}
		m := newMemConn()
		fr := &fragment{next: outTail{newCtl(m, newFakeClock().deps())}, record: size}
		for i := 0; i < len(data); i += 7 {
			if _, err := fr.Write(data[i:min(i+7, len(data))]); err != nil {
				t.Fatal(err)
			}
		}
		_ = fr.End(false)
		extra := len(m.Bytes()) - len(data)
		if extra < 0 || extra%5 != 0 {
			t.Fatalf("output %d bytes for input %d", len(m.Bytes()), len(data))
		}
	})
}

// seal13 seals inner as the seq-th TLS 1.3 record under secret with the
// first AEAD its hash size allows, as the fuzz seeds need one that opens.
func seal13(t testing.TB, secret []byte, seq uint64, inner []byte) []byte {
	a := aeads13(len(secret))[0]
	key, err := expandLabel(a.hash, secret, "key", a.keyLen)
	if err != nil {
		t.Fatal(err)
	}
	iv, err := expandLabel(a.hash, secret, "iv", 12)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := a.new(key)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		iv[4+i] ^= byte(seq >> (56 - 8*i))
	}
	hdr := []byte{23, 3, 3, 0, byte(len(inner) + aead.Overhead())}
	return append(hdr, aead.Seal(nil, iv, inner, hdr)...)
}

// FuzzReseal13Alert: resealing never panics, and what it returns is a
// record of the same length that opens with the same key to the new alert.
func FuzzReseal13Alert(f *testing.F) {
	secret := bytes.Repeat([]byte{7}, 32)
	f.Add(seal13(f, secret, 0, []byte{2, 42, 21}), secret)
	f.Add(seal13(f, secret, 2, []byte{2, 42, 21, 0, 0}), secret)
	f.Add(seal13(f, secret, 0, []byte{2, 80, 21}), secret)
	f.Add([]byte{23, 3, 3, 0, 1, 0}, bytes.Repeat([]byte{1}, 48))
	f.Fuzz(func(t *testing.T, rec, secret []byte) {
		out, ok := reseal13Alert(rec, secret, 42, 49)
		if !ok {
			return
		}
		if len(out) != len(rec) {
			t.Fatalf("resealed %d bytes into %d", len(rec), len(out))
		}
		back, ok := reseal13Alert(out, secret, 49, 42)
		if !ok || !bytes.Equal(back, rec) {
			t.Fatalf("resealing back did not give the record again")
		}
	})
}

// FuzzRecordCorrupt: whatever a server and a client send, cut into writes
// anywhere, a record_corrupt rule for both directions never panics, never
// changes a byte count, and changes at most one bit of the connection.
func FuzzRecordCorrupt(f *testing.F) {
	hello, _ := os.ReadFile("../sniff/testdata/serverhello-go-tls12.bin")
	f.Add(append(hello, 23, 3, 3, 0, 3, 1, 2, 3), []byte{23, 3, 3, 0, 2, 9, 9}, uint8(4))
	f.Add([]byte{22, 3, 3, 0, 4, 2, 0, 0, 0}, []byte("GET / HTTP/1.1\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, s2c, c2s []byte, cut uint8) {
		step := int(cut%16) + 1
		k := newCtl(newMemConn(), newFakeClock().deps())
		r := &Rule{Name: "flip", Action: ActRecordCorrupt, Direction: Both}
		var outS, outC bytes.Buffer
		fs := newRecordCorrupt(writerSink{&outS}, k, r, S2C, rand.New(rand.NewPCG(1, 2)))
		fc := newRecordCorrupt(writerSink{&outC}, k, r, C2S, rand.New(rand.NewPCG(3, 4)))
		for i, j := 0, 0; i < len(s2c) || j < len(c2s); i, j = i+step, j+step {
			if i < len(s2c) {
				if n, err := fs.Write(s2c[i:min(i+step, len(s2c))]); err != nil || n != min(step, len(s2c)-i) {
					t.Fatalf("s2c write: %d, %v", n, err)
				}
			}
			if j < len(c2s) {
				if n, err := fc.Write(c2s[j:min(j+step, len(c2s))]); err != nil || n != min(step, len(c2s)-j) {
					t.Fatalf("c2s write: %d, %v", n, err)
				}
			}
		}
		if outS.Len() != len(s2c) || outC.Len() != len(c2s) {
			t.Fatalf("lengths %d, %d; want %d, %d", outS.Len(), outC.Len(), len(s2c), len(c2s))
		}
		bits := 0
		for _, pair := range [][2][]byte{{s2c, outS.Bytes()}, {c2s, outC.Bytes()}} {
			for i := range pair[0] {
				bits += mathbits.OnesCount8(pair[0][i] ^ pair[1][i])
			}
		}
		if bits > 1 {
			t.Fatalf("%d bits changed, want at most 1", bits)
		}
	})
}

// writerSink is a sink into a buffer.
type writerSink struct{ b *bytes.Buffer }

func (w writerSink) Write(p []byte) (int, error) { return w.b.Write(p) }
func (w writerSink) End(bool) error              { return nil }

// FuzzHostVerdict: never panics; a decided verdict stands when more bytes
// follow, and a mismatch always names a host.
func FuzzHostVerdict(f *testing.F) {
	f.Fuzz(func(t *testing.T, head []byte, sni string) {
		v, host := hostVerdict(head, sni)
		if v == hostMismatch && host == "" {
			t.Fatalf("mismatch without a host for %q", head)
		}
		if v == hostUndecided {
			return
		}
		v2, host2 := hostVerdict(append(head[:len(head):len(head)], "X-More: 1\r\n\r\n"...), sni)
		if v2 != v || host2 != host {
			t.Fatalf("%d %q, then %d %q with bytes appended to %q", v, host, v2, host2, head)
		}
	})
}
