// Package e2e holds end-to-end tests: they build the real tlsgate binary, run
// it as a subprocess with a generated config, drive it with real clients
// (curl, openssl s_client, Go crypto/tls and net/http) against real
// backends, and check both what the client saw and the one log event
// tlsgate wrote for each connection. It has no non-test code.
package e2e
