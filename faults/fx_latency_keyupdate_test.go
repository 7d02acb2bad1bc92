package faults

import (
	"crypto/tls"
	"testing"
)

// appRecord23 is a type 23 record header and a body of n bytes: all the
// relay sees of a sealed TLS 1.3 record is its header.
func appRecord23(n int) []byte {
	return append([]byte{recordAppData, 3, 3, byte(n >> 8), byte(n)}, make([]byte, n)...)
}

// TestRequestRecordsSkipKeyUpdate: past a TLS 1.3 client's Finished, a
// record the size of a sealed KeyUpdate is the client rotating its keys,
// not a request, as one the size of a sealed alert is its close_notify; a
// request-stage latency fired on it. crypto/tls sends a KeyUpdate only in
// answer to one (Go has no API to start one), so the records are built by
// hand, sized under each suite.
func TestRequestRecordsSkipKeyUpdate(t *testing.T) {
	for _, tt := range []struct {
		name    string
		version uint16
		suite   uint16
		records []int // body lengths of the client's type 23 records
		request int   // index of the first record that is a request; -1 for none
	}{
		{"1.3 AES-128-GCM: Finished, KeyUpdate", tls.VersionTLS13, 0x1301, []int{53, 22}, -1},
		{"1.3 AES-128-GCM: Finished, KeyUpdate, request", tls.VersionTLS13, 0x1301, []int{53, 22, 100}, 2},
		{"1.3 AES-128-GCM: Finished, KeyUpdate, close_notify", tls.VersionTLS13, 0x1301, []int{53, 22, 19}, -1},
		{"1.3 AES-256-GCM: Finished, KeyUpdate, KeyUpdate", tls.VersionTLS13, 0x1302, []int{69, 22, 22}, -1},
		{"1.3 AES-128-CCM-8: Finished, KeyUpdate, request", tls.VersionTLS13, 0x1305, []int{45, 14, 60}, 2},
		{"1.3 mTLS: Certificate, CertificateVerify, Finished, KeyUpdate, request", tls.VersionTLS13, 0x1301, []int{700, 280, 53, 22, 80}, 4},
		// Under TLS 1.2 there is no KeyUpdate: every type 23 record is data.
		{"1.2: a 22-byte record is data", tls.VersionTLS12, 0xc02f, []int{22}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := &requestRecords{st: &requestState{}}
			q.st.tls.version, q.st.tls.suite = tt.version, tt.suite
			got := -1
			for i, n := range tt.records {
				rec := appRecord23(n)
				if at := q.firstRequest(rec); at != len(rec) && got < 0 {
					got = i
				}
			}
			if got != tt.request {
				t.Errorf("first request at record %d, want %d (records %v)", got, tt.request, tt.records)
			}
			if q.st.requested.Load() != (tt.request >= 0) {
				t.Errorf("requested = %v, want %v", q.st.requested.Load(), tt.request >= 0)
			}
		})
	}
}

// TestRequestRecordsKeyUpdateInOneChunk: a KeyUpdate and a request in one
// chunk delay from the request's record on, leaving the KeyUpdate spared.
func TestRequestRecordsKeyUpdateInOneChunk(t *testing.T) {
	q := &requestRecords{st: &requestState{}}
	q.st.tls.version, q.st.tls.suite = tls.VersionTLS13, 0x1301
	p := append(append(appRecord23(53), appRecord23(22)...), appRecord23(100)...)
	if got, want := q.spared(p, C2S), 5+53+5+22; got != want {
		t.Errorf("spared %d bytes, want %d (the Finished and the KeyUpdate)", got, want)
	}
}
