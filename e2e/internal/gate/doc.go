// Package gate is the harness the end-to-end test packages under e2e/
// share: it builds the tlsgate binary once, runs tlsgate as a subprocess
// with a generated config whose sockets bind port 0, learns their
// addresses from its log, and reads its JSON log.
// Each suite keeps what is its own (namespaces, a browser, lab scenarios);
// only the plumbing every suite wrote again lives here. It is imported by
// _test packages only and holds no package-level state.
package gate
