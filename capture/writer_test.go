package capture

import (
	"bytes"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// stepClock is an injected clock that moves a little on every reading, so
// packet timestamps are predictable and strictly ordered by event.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
	n  int
}

func newStepClock() *stepClock {
	return &stepClock{t: time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)}
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	c.t = c.t.Add(1500 * time.Nanosecond)
	return c.t
}

// op is one call on a Writer, for table-driven scripts.
type op struct {
	kind       string // open, data, fin, reset
	leg        Leg
	fromClient bool
	data       []byte
	client     netip.AddrPort
	server     netip.AddrPort
}

func run(w *Writer, ops []op) {
	for _, o := range ops {
		switch o.kind {
		case "open":
			w.Open(o.leg, o.client, o.server)
		case "data":
			w.Data(o.leg, o.fromClient, o.data)
		case "fin":
			w.Fin(o.leg, o.fromClient)
		case "reset":
			w.Reset(o.leg, o.fromClient)
		}
	}
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

func writeCapture(t *testing.T, ops []op, opts ...Option) (*Writer, *pcapFile) {
	t.Helper()
	w, err := Create(t.TempDir(), 42, newStepClock().now, opts...)
	if err != nil {
		t.Fatal(err)
	}
	run(w, ops)
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	f, err := readPcap(w.Path())
	if err != nil {
		t.Fatalf("reading the capture back: %v", err)
	}
	return w, f
}

var (
	v4Client = netip.MustParseAddrPort("192.0.2.10:50000")
	v4Server = netip.MustParseAddrPort("198.51.100.5:443")
	v6Client = netip.MustParseAddrPort("[2001:db8::10]:50001")
	v6Server = netip.MustParseAddrPort("[2001:db8:1::5]:8443")
)

func TestGlobalHeader(t *testing.T) {
	_, f := writeCapture(t, nil)
	if f.magic != 0xa1b23c4d || f.major != 2 || f.minor != 4 || f.linkType != 101 || f.snapLen < 65535+40 {
		t.Errorf("global header: magic %#x version %d.%d snaplen %d linktype %d", f.magic, f.major, f.minor, f.snapLen, f.linkType)
	}
	if len(f.packets) != 0 {
		t.Errorf("empty capture has %d packets", len(f.packets))
	}
}

func TestExchange(t *testing.T) {
	tests := []struct {
		name           string
		client, server netip.AddrPort
		wantClient     netip.AddrPort // as the packets carry it
		wantServer     netip.AddrPort
		ipVer          int
	}{
		{"ipv4", v4Client, v4Server, v4Client, v4Server, 4},
		{"ipv6", v6Client, v6Server, v6Client, v6Server, 6},
		{"v4-mapped client on a dual-stack listener", netip.MustParseAddrPort("[::ffff:192.0.2.10]:50000"), v4Server, v4Client, v4Server, 4},
		{"mixed families become ipv6", v6Client, v4Server, v6Client, netip.MustParseAddrPort("[::ffff:198.51.100.5]:443"), 6},
		{"zone dropped", netip.MustParseAddrPort("[fe80::1%eth0]:1234"), netip.MustParseAddrPort("[fe80::2%eth0]:443"), netip.MustParseAddrPort("[fe80::1]:1234"), netip.MustParseAddrPort("[fe80::2]:443"), 6},
		{"missing client address", netip.AddrPort{}, v6Server, netip.MustParseAddrPort("[::]:0"), v6Server, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, f := writeCapture(t, []op{
				{kind: "open", leg: ClientLeg, client: tt.client, server: tt.server},
				{kind: "data", leg: ClientLeg, fromClient: true, data: []byte("hello")},
				{kind: "data", leg: ClientLeg, data: []byte("world!")},
				{kind: "fin", leg: ClientLeg, fromClient: true},
				{kind: "fin", leg: ClientLeg},
			})
			flows, err := followFlows(f.packets)
			if err != nil {
				t.Fatal(err)
			}
			if len(flows) != 1 {
				t.Fatalf("%d connections, want 1", len(flows))
			}
			fl := flows[0]
			if fl.client != tt.wantClient || fl.server != tt.wantServer {
				t.Errorf("connection %v -> %v, want %v -> %v", fl.client, fl.server, tt.wantClient, tt.wantServer)
			}
			want := []string{
				"c SYN", "s SYN,ACK", "c ACK",
				"c PSH,ACK 5", "s ACK",
				"s PSH,ACK 6", "c ACK",
				"c FIN,ACK", "s ACK",
				"s FIN,ACK", "c ACK",
			}
			if got := strings.Join(fl.events, " | "); got != strings.Join(want, " | ") {
				t.Errorf("packets:\n got %s\nwant %s", got, strings.Join(want, " | "))
			}
			if string(fl.data[0]) != "hello" || string(fl.data[1]) != "world!" {
				t.Errorf("streams %q / %q", fl.data[0], fl.data[1])
			}
			if fl.isn[0] == fl.isn[1] {
				t.Errorf("both sides start at sequence %d", fl.isn[0])
			}
			for i, p := range f.packets {
				if p.ipVer != tt.ipVer || p.ttl != 64 {
					t.Errorf("packet %d: IPv%d ttl %d, want IPv%d ttl 64", i, p.ipVer, p.ttl, tt.ipVer)
				}
				if p.ipVer == 4 && !p.df {
					t.Errorf("packet %d: IPv4 without DF", i)
				}
				if p.flags&flagSYN != 0 {
					if p.mss != DefaultMSS || p.wscale != windowShift || !p.sackOK || p.window != 65535 {
						t.Errorf("packet %d SYN options: mss %d wscale %d sack %v window %d", i, p.mss, p.wscale, p.sackOK, p.window)
					}
				} else if p.mss != 0 || p.wscale != -1 || p.window != window {
					t.Errorf("packet %d: options or window %d outside the SYN", i, p.window)
				}
			}
		})
	}
}

func TestIPv4IdentificationCountsPerSender(t *testing.T) {
	_, f := writeCapture(t, []op{
		{kind: "open", leg: ClientLeg, client: v4Client, server: v4Server},
		{kind: "data", leg: ClientLeg, fromClient: true, data: []byte("a")},
		{kind: "data", leg: ClientLeg, fromClient: true, data: []byte("b")},
	})
	ids := map[netip.AddrPort][]uint16{}
	for _, p := range f.packets {
		ids[p.src] = append(ids[p.src], p.ipID)
	}
	if got := fmt.Sprint(ids[v4Client]); got != "[0 1 2 3]" {
		t.Errorf("client IDs %s, want [0 1 2 3]", got)
	}
	if got := fmt.Sprint(ids[v4Server]); got != "[0 1 2]" {
		t.Errorf("server IDs %s, want [0 1 2]", got)
	}
}

func TestSegmentation(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		size int
		want []int // payload sizes of the data segments
	}{
		{"default mss", nil, 2*DefaultMSS + 10, []int{DefaultMSS, DefaultMSS, 10}},
		{"exactly one mss", nil, DefaultMSS, []int{DefaultMSS}},
		{"chosen mss", []Option{WithMSS(1400)}, 3000, []int{1400, 1400, 200}},
		{"mss out of range means default", []Option{WithMSS(70000)}, DefaultMSS + 1, []int{DefaultMSS, 1}},
		{"mss zero means default", []Option{WithMSS(0)}, 100, []int{100}},
	}
	for _, tt := range tests {
		for _, addrs := range [][2]netip.AddrPort{{v4Client, v4Server}, {v6Client, v6Server}} {
			t.Run(fmt.Sprintf("%s/%v", tt.name, addrs[0].Addr()), func(t *testing.T) {
				payload := pattern(tt.size, 3)
				_, f := writeCapture(t, []op{
					{kind: "open", leg: ServerLeg, client: addrs[0], server: addrs[1]},
					{kind: "data", leg: ServerLeg, data: payload},
				}, tt.opts...)
				flows, err := followFlows(f.packets)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(flows[0].data[1], payload) {
					t.Errorf("reassembled %d bytes, sent %d", len(flows[0].data[1]), len(payload))
				}
				var sizes []int
				for i, p := range f.packets[3:] {
					switch {
					case len(p.payload) > 0:
						sizes = append(sizes, len(p.payload))
						wantPSH := len(sizes) == len(tt.want)
						if (p.flags&flagPSH != 0) != wantPSH {
							t.Errorf("segment %d: flags %s, PSH only on the last", i, flagNames(p.flags))
						}
					case p.flags != flagACK:
						t.Errorf("packet %d after the handshake: %s", i+3, flagNames(p.flags))
					}
				}
				if fmt.Sprint(sizes) != fmt.Sprint(tt.want) {
					t.Errorf("segments %v, want %v", sizes, tt.want)
				}
				wantMSS := tt.want[0]
				if len(tt.want) == 1 {
					wantMSS = DefaultMSS
				}
				if f.packets[0].mss != uint16(wantMSS) {
					t.Errorf("SYN advertises MSS %d, want %d", f.packets[0].mss, wantMSS)
				}
			})
		}
	}
}

func TestTimestampsFromInjectedClock(t *testing.T) {
	clock := newStepClock()
	w, err := Create(t.TempDir(), 1, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	w.Open(ClientLeg, v4Client, v4Server)
	w.Data(ClientLeg, true, []byte("x"))
	w.Reset(ClientLeg, false)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := readPcap(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	// One reading for the file name, then one per event: the packets of an
	// event share its instant.
	base := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
	at := func(n int) time.Time { return base.Add(time.Duration(n) * 1500 * time.Nanosecond) }
	want := []time.Time{at(2), at(2), at(2), at(3), at(3), at(4)}
	if len(f.packets) != len(want) {
		t.Fatalf("%d packets, want %d", len(f.packets), len(want))
	}
	for i, p := range f.packets {
		if !p.ts.Equal(want[i]) {
			t.Errorf("packet %d at %v, want %v", i, p.ts.Format(time.RFC3339Nano), want[i].Format(time.RFC3339Nano))
		}
	}
	if last := f.packets[5]; last.flags != flagRST|flagACK || last.src != v4Server {
		t.Errorf("last packet %s from %v, want RST,ACK from the server", flagNames(last.flags), last.src)
	}
	if !strings.HasPrefix(filepath.Base(w.Path()), "20250304T050607.123458289Z-conn1") {
		t.Errorf("file name %s does not carry the first clock reading", filepath.Base(w.Path()))
	}
}

func TestTwoLegsInOneFile(t *testing.T) {
	backend := netip.MustParseAddrPort("10.0.0.9:8443")
	proxy := netip.MustParseAddrPort("10.0.0.1:40000")
	_, f := writeCapture(t, []op{
		{kind: "open", leg: ClientLeg, client: v4Client, server: v4Server},
		{kind: "data", leg: ClientLeg, fromClient: true, data: []byte("GET")},
		{kind: "open", leg: ServerLeg, client: proxy, server: backend},
		{kind: "data", leg: ServerLeg, fromClient: true, data: []byte("GET")},
		{kind: "data", leg: ServerLeg, data: []byte("200")},
		{kind: "data", leg: ClientLeg, data: []byte("200")},
		{kind: "reset", leg: ServerLeg},
		{kind: "data", leg: ServerLeg, data: []byte("after the reset")},
		{kind: "fin", leg: ClientLeg},
	})
	flows, err := followFlows(f.packets)
	if err != nil {
		t.Fatal(err)
	}
	if len(flows) != 2 || flows[0].server != v4Server || flows[1].server != backend {
		t.Fatalf("connections %v", flows)
	}
	if got := flows[1].events[len(flows[1].events)-1]; got != "s RST,ACK" {
		t.Errorf("server leg ends with %q, want the backend's RST", got)
	}
	if string(flows[1].data[1]) != "200" {
		t.Errorf("data after the reset was recorded: %q", flows[1].data[1])
	}
	if got := flows[0].events[len(flows[0].events)-2]; got != "s FIN,ACK" {
		t.Errorf("client leg: %q, want tlsgate's FIN", got)
	}
}

func TestIgnoredCalls(t *testing.T) {
	tests := []struct {
		name string
		ops  []op
		want int // packets
	}{
		{"data before open", []op{{kind: "data", leg: ClientLeg, fromClient: true, data: []byte("x")}, {kind: "fin", leg: ClientLeg}, {kind: "reset", leg: ClientLeg}}, 0},
		{"unknown leg", []op{{kind: "open", leg: Leg(7), client: v4Client, server: v4Server}, {kind: "data", leg: Leg(-1), data: []byte("x")}}, 0},
		{"second open", []op{{kind: "open", leg: ClientLeg, client: v4Client, server: v4Server}, {kind: "open", leg: ClientLeg, client: v6Client, server: v6Server}}, 3},
		{"empty data", []op{{kind: "open", leg: ClientLeg, client: v4Client, server: v4Server}, {kind: "data", leg: ClientLeg, data: nil}}, 3},
		{"second fin", []op{{kind: "open", leg: ClientLeg, client: v4Client, server: v4Server}, {kind: "fin", leg: ClientLeg}, {kind: "fin", leg: ClientLeg}}, 5},
		{"data after own fin", []op{{kind: "open", leg: ClientLeg, client: v4Client, server: v4Server}, {kind: "fin", leg: ClientLeg}, {kind: "data", leg: ClientLeg, data: []byte("x")}}, 5},
		{"peer sends after a fin", []op{{kind: "open", leg: ClientLeg, client: v4Client, server: v4Server}, {kind: "fin", leg: ClientLeg}, {kind: "data", leg: ClientLeg, fromClient: true, data: []byte("x")}}, 7},
		{"anything after reset", []op{{kind: "open", leg: ClientLeg, client: v4Client, server: v4Server}, {kind: "reset", leg: ClientLeg, fromClient: true}, {kind: "reset", leg: ClientLeg}, {kind: "fin", leg: ClientLeg}}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, f := writeCapture(t, tt.ops)
			if len(f.packets) != tt.want {
				t.Errorf("%d packets, want %d", len(f.packets), tt.want)
			}
			if _, err := followFlows(f.packets); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestConcurrentDirections(t *testing.T) {
	w, err := Create(t.TempDir(), 3, newStepClock().now, WithMSS(700))
	if err != nil {
		t.Fatal(err)
	}
	w.Open(ClientLeg, v4Client, v4Server)
	w.Open(ServerLeg, v6Client, v6Server)
	var want [2][2]bytes.Buffer
	var wg sync.WaitGroup
	for leg := range 2 {
		for dir := range 2 {
			wg.Go(func() {
				for i := range 200 {
					b := pattern(1+(i*37+leg*11+dir*5)%2000, byte(i))
					w.Data(Leg(leg), dir == 0, b)
					want[leg][dir].Write(b)
				}
				w.Fin(Leg(leg), dir == 0)
			})
		}
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := readPcap(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	flows, err := followFlows(f.packets)
	if err != nil {
		t.Fatal(err)
	}
	if len(flows) != 2 {
		t.Fatalf("%d connections, want 2", len(flows))
	}
	for leg := range 2 {
		for dir := range 2 {
			if !bytes.Equal(flows[leg].data[dir], want[leg][dir].Bytes()) {
				t.Errorf("leg %d dir %d: reassembled %d bytes, sent %d", leg, dir, len(flows[leg].data[dir]), want[leg][dir].Len())
			}
		}
	}
	for i := 1; i < len(f.packets); i++ {
		if f.packets[i].ts.Before(f.packets[i-1].ts) {
			t.Fatalf("packet %d goes back in time", i)
		}
	}
}

func TestLegString(t *testing.T) {
	for l, want := range map[Leg]string{ClientLeg: "client-leg", ServerLeg: "server-leg", Leg(5): "leg(5)"} {
		if l.String() != want {
			t.Errorf("%d: %q, want %q", int(l), l.String(), want)
		}
	}
}
