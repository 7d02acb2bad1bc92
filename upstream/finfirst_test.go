package upstream

import (
	"io"
	"testing"
	"time"
)

// TestPumpClientFINFirst: the relay says whether it read the client's FIN
// before it began to write the backend's bytes to the client, on every
// copy path that writes them (read/write on sockets, a TLS client leg,
// windows under an idle timeout). The backend answers only after the FIN
// came through, or the client half-closes only after it read the answer,
// so the order is certain.
func TestPumpClientFINFirst(t *testing.T) {
	tests := []struct {
		name     string
		useTLS   bool
		idle     time.Duration
		finFirst bool
	}{
		{"sockets, FIN first", false, 0, true},
		{"sockets, answer first", false, 0, false},
		{"TLS leg, FIN first", true, 0, true},
		{"TLS leg, answer first", true, 0, false},
		{"idle armed, FIN first", false, 30 * time.Second, true},
		{"idle armed, answer first", false, 30 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.useTLS)
			done := r.start([]byte("hello"), tt.idle)
			if _, err := io.ReadFull(r.backendApp, make([]byte, 5)); err != nil {
				t.Fatal(err)
			}
			const answer = "the backend's answer"
			if tt.finFirst {
				_ = r.clientApp.CloseWrite()
				if rest, err := io.ReadAll(r.backendApp); err != nil || len(rest) != 0 {
					t.Fatalf("backend read %q, %v; want the client's FIN", rest, err)
				}
				if _, err := io.WriteString(r.backendApp, answer); err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(r.clientApp, make([]byte, len(answer))); err != nil {
					t.Fatal(err)
				}
			} else {
				if _, err := io.WriteString(r.backendApp, answer); err != nil {
					t.Fatal(err)
				}
				if _, err := io.ReadFull(r.clientApp, make([]byte, len(answer))); err != nil {
					t.Fatal(err)
				}
				_ = r.clientApp.CloseWrite()
				if _, err := io.ReadAll(r.backendApp); err != nil {
					t.Fatal(err)
				}
			}
			_ = r.backendApp.CloseWrite()
			_, _ = io.ReadAll(r.clientApp)
			pr := <-done
			if pr.err != nil {
				t.Fatal(pr.err)
			}
			if pr.res.ClientFINFirst != tt.finFirst {
				t.Errorf("ClientFINFirst %v, want %v", pr.res.ClientFINFirst, tt.finFirst)
			}
		})
	}
}

// TestPumpFirstFIN: the relay names the side whose FIN it read while the
// other was still open, and when after the relay began: a backend that
// answers a client's half-close with an alert and closes is reacting to
// it, and the diagnosis must be able to say who ended the connection.
func TestPumpFirstFIN(t *testing.T) {
	for _, tt := range []struct {
		name   string
		useTLS bool
		first  string
	}{
		{"client first", false, SideClient},
		{"backend first", false, SideBackend},
		{"client first, TLS leg", true, SideClient},
		{"backend first, TLS leg", true, SideBackend},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, tt.useTLS)
			began := time.Now()
			done := r.start([]byte("hello"), 0)
			if _, err := io.ReadFull(r.backendApp, make([]byte, 5)); err != nil {
				t.Fatal(err)
			}
			if tt.first == SideClient {
				_ = r.clientApp.CloseWrite()
				if _, err := io.ReadAll(r.backendApp); err != nil {
					t.Fatal(err)
				}
				_ = r.backendApp.CloseWrite()
				_, _ = io.ReadAll(r.clientApp)
			} else {
				_ = r.backendApp.CloseWrite()
				if _, err := io.ReadAll(r.clientApp); err != nil {
					t.Fatal(err)
				}
				_ = r.clientApp.CloseWrite()
				_, _ = io.ReadAll(r.backendApp)
			}
			pr := <-done
			took := time.Since(began)
			if pr.err != nil {
				t.Fatal(pr.err)
			}
			if pr.res.FirstFIN != tt.first {
				t.Errorf("FirstFIN %q, want %q", pr.res.FirstFIN, tt.first)
			}
			if pr.res.FirstFINAfter <= 0 || pr.res.FirstFINAfter > took {
				t.Errorf("FirstFINAfter %v, want within the relay's %v", pr.res.FirstFINAfter, took)
			}
		})
	}
}
