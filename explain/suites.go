package explain

import (
	"crypto/tls"
	"sync"
)

// suites indexes crypto/tls's cipher suite tables by ID. tls.CipherSuites
// allocates fresh slices on every call, which showed in per-connection
// profiles (BENCHMARKS.md); the index is built once and only read.
var suites = sync.OnceValue(func() map[uint16]*tls.CipherSuite {
	m := map[uint16]*tls.CipherSuite{}
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, s := range list {
			m[s.ID] = s
		}
	}
	return m
})

// defaultSuiteIDs are the suites crypto/tls enables by default, in order.
var defaultSuiteIDs = sync.OnceValue(func() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
})

// CipherName is tls.CipherSuiteName from the one-time index: the IANA name,
// or "0xNNNN" for a suite crypto/tls does not know. The two signalling
// values clients put in the suite list (openssl and curl send the first,
// a retrying client the second) get their IANA names too: an operator
// reading a JSON ciphers_offered list should not have to look up 0x00FF.
func CipherName(id uint16) string {
	if s, ok := suites()[id]; ok {
		return s.Name
	}
	switch id {
	case scsvRenegotiation:
		return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"
	case scsvFallback:
		return "TLS_FALLBACK_SCSV"
	}
	return tls.CipherSuiteName(id)
}
