package explain

import "testing"

// TestPassesTLS: the routes whose relay carries the client's TLS records
// untouched, the one list the listener (what the relay keeps) and the
// rules here (who answered the hello) both read.
func TestPassesTLS(t *testing.T) {
	for route, want := range map[string]bool{
		"passthrough": true, "bypass": true,
		"terminate": false, "inspect": false, "plain": false, "tls_on_plain_reset": false,
		"non_ssl_reset": false, "closed": false, "": false,
	} {
		if got := PassesTLS(&Outcome{Route: route}); got != want {
			t.Errorf("route %q: %v, want %v", route, got, want)
		}
	}
}
