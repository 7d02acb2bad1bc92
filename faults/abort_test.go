package faults

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestAbortHandler: a plain request gets the rule's status and Envoy's
// body; a gRPC call over h2 gets HTTP 200 with grpc-status and
// grpc-message (Trailers-Only), only when the rule has a grpc_status.
func TestAbortHandler(t *testing.T) {
	tests := []struct {
		name        string
		rule        Rule
		contentType string
		status      int
		grpc        string // grpc-status the response carries, "" for none
	}{
		{"plain, default status", Rule{Action: ActAbort}, "", 503, ""},
		{"plain, 429", Rule{Action: ActAbort, Status: 429, GRPCStatus: ptr(14)}, "text/plain", 429, ""},
		{"grpc", Rule{Action: ActAbort, GRPCStatus: ptr(14)}, "application/grpc", 200, "14"},
		{"grpc+proto", Rule{Action: ActAbort, Status: 500, GRPCStatus: ptr(7)}, "application/grpc+proto", 200, "7"},
		{"grpc without grpc_status", Rule{Action: ActAbort, Status: 500}, "application/grpc", 500, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var answered []int
			srv := httptest.NewUnstartedServer(AbortHandler(&tt.rule, func(_ *http.Request, status int) { answered = append(answered, status) }))
			srv.EnableHTTP2 = true
			srv.StartTLS()
			defer srv.Close()
			req, err := http.NewRequest("POST", srv.URL+"/lab.Echo/Say", strings.NewReader(""))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.ProtoMajor != 2 {
				t.Errorf("served over %s, want h2", resp.Proto)
			}
			if resp.StatusCode != tt.status || resp.Header.Get("Grpc-Status") != tt.grpc {
				t.Errorf("status %d grpc-status %q, want %d %q", resp.StatusCode, resp.Header.Get("Grpc-Status"), tt.status, tt.grpc)
			}
			if tt.grpc == "" && string(body) != AbortBody {
				t.Errorf("body %q, want %q", body, AbortBody)
			}
			if tt.grpc != "" && (resp.Header.Get("Grpc-Message") != AbortBody || resp.Header.Get("Content-Type") != "application/grpc" || len(body) != 0) {
				t.Errorf("grpc answer: message %q, type %q, body %q", resp.Header.Get("Grpc-Message"), resp.Header.Get("Content-Type"), body)
			}
			if len(answered) != 1 || answered[0] != tt.status {
				t.Errorf("answered %v, want [%d]", answered, tt.status)
			}
		})
	}
}

func TestAbortPlanned(t *testing.T) {
	e := NewEngine(nil)
	if err := e.Set([]Rule{{Name: "mesh-abort", Action: ActAbort, GRPCStatus: ptr(14)}}); err != nil {
		t.Fatal(err)
	}
	if p := e.Plan(ConnInfo{Index: 1}); p.Abort() != nil {
		t.Error("an abort fired on TLS tlsgate passes through; it cannot read the requests")
	}
	p := e.Plan(ConnInfo{Index: 2, Decrypted: true})
	if r := p.Abort(); r == nil || r.Status != DefaultAbortStatus || r.Stage != StageRequest {
		t.Fatalf("Abort() = %+v", r)
	}
	if len(p.Wrappers(StageRequest, StageResponse)) != 0 {
		t.Error("an abort was planned as a byte wrapper; the listener answers in its place")
	}
	if !strings.Contains(p.Firings()[0].Symptom, "grpc-status 14 (UNAVAILABLE)") {
		t.Errorf("symptom %q", p.Firings()[0].Symptom)
	}
	if (*Plan)(nil).Abort() != nil || GRPCCodeName(99) != "99" {
		t.Error("nil plan or unknown code")
	}
}
