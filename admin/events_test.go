package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// openStream starts GET path and returns the response once its headers are
// in, which means the handler has subscribed. The context bounds the whole
// test, so a missing event fails instead of hanging.
func openStream(t *testing.T, a *testAPI, path string, hdr ...string) (*http.Response, *bufio.Reader) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", a.http.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := a.http.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	return resp, bufio.NewReader(resp.Body)
}

func readLine(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	s, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the stream after %q: %v", s, err)
	}
	return strings.TrimSuffix(s, "\n")
}

func TestEventsNDJSON(t *testing.T) {
	a := newAPI(t, Options{})
	a.srv.Hub().Publish([]byte(`{"id":0}`)) // before the subscription: not streamed
	resp, br := openStream(t, a, "/events")
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Fatalf("Content-Type %q", ct)
	}
	for i := 1; i <= 3; i++ {
		a.srv.Hub().Publish(fmt.Appendf(nil, `{"id":%d,"diagnosis":"ok"}`+"\n", i))
	}
	for i := 1; i <= 3; i++ {
		line := readLine(t, br)
		var ev struct{ ID int }
		if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.ID != i {
			t.Fatalf("line %d = %q (%v)", i, line, err)
		}
	}
}

func TestEventsReplayRecent(t *testing.T) {
	a := newAPI(t, Options{})
	a.srv.Hub().Publish([]byte(`{"id":1}`))
	a.srv.Hub().Publish([]byte(`{"id":2}`))
	_, br := openStream(t, a, "/events?recent=1")
	a.srv.Hub().Publish([]byte(`{"id":3}`))
	for i := 1; i <= 3; i++ {
		if got, want := readLine(t, br), fmt.Sprintf(`{"id":%d}`, i); got != want {
			t.Fatalf("line %d = %q, want %q", i, got, want)
		}
	}
}

func TestEventsSSE(t *testing.T) {
	a := newAPI(t, Options{})
	h := a.srv.Hub()
	for i := 1; i <= 3; i++ {
		h.Publish(fmt.Appendf(nil, `{"id":%d}`, i))
	}
	// A browser reconnecting after event 2 gets 3 again, then the live ones.
	resp, br := openStream(t, a, "/events?sse=1", "Last-Event-ID", "2")
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	h.Publish([]byte(`{"id":4}`))
	want := []string{"id: 3", `data: {"id":3}`, "", "id: 4", `data: {"id":4}`, ""}
	for i, w := range want {
		if got := readLine(t, br); got != w {
			t.Fatalf("sse line %d = %q, want %q", i, got, w)
		}
	}
}

func TestEventsBadLastEventID(t *testing.T) {
	a := newAPI(t, Options{})
	r := a.do("GET", "/events?sse=1", "", "Last-Event-ID", "abc")
	if e := r.apiError(t); r.status != 400 || e.Field != "Last-Event-ID" {
		t.Fatalf("got %d %+v", r.status, e)
	}
}

// TestEventsTooManyStreams: a stream past the cap gets 503 with a reason
// and Retry-After, not a stream.
func TestEventsTooManyStreams(t *testing.T) {
	a := newAPI(t, Options{})
	for range MaxSubscribers {
		sub := mustSubscribe(t, a.srv.Hub())
		t.Cleanup(sub.Close)
	}
	r := a.do("GET", "/events", "")
	if e := r.apiError(t); r.status != 503 || !strings.Contains(e.Error, "event streams are open already") {
		t.Fatalf("got %d %+v", r.status, e)
	}
	if ra := r.header.Get("Retry-After"); ra == "" {
		t.Fatalf("no Retry-After on the 503")
	}
}

func TestEventsEndOnClose(t *testing.T) {
	a := newAPI(t, Options{})
	_, br := openStream(t, a, "/events")
	a.srv.Hub().Publish([]byte(`{"id":1}`))
	if got := readLine(t, br); got != `{"id":1}` {
		t.Fatalf("got %q", got)
	}
	a.srv.Close()
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("after Close: rest %q, err %v; want a clean end of stream", rest, err)
	}
}

func TestEventsSubscriberGoneUnsubscribes(t *testing.T) {
	a := newAPI(t, Options{})
	// A second server on the same handler tells the test when the stream
	// handler has returned, so it needs no polling.
	returned := make(chan struct{}, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.srv.Handler().ServeHTTP(w, r)
		returned <- struct{}{}
	}))
	defer hs.Close()
	resp, err := hs.Client().Get(hs.URL + "/events")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /events: %v %v", resp, err)
	}
	if n := a.srv.Hub().Stats().Subscribers; n != 1 {
		t.Fatalf("subscribers = %d, want 1", n)
	}
	resp.Body.Close()
	select {
	case <-returned:
	case <-time.After(30 * time.Second):
		t.Fatal("the stream handler did not return after its client left")
	}
	if n := a.srv.Hub().Stats().Subscribers; n != 0 {
		t.Fatalf("subscribers = %d after the client left, want 0", n)
	}
}

func TestEventsRecentEndpoint(t *testing.T) {
	a := newAPI(t, Options{Hub: NewHub(2, 4)})
	for _, l := range []string{`{"id":1}`, `{"id":2}`, "not json", `{"id":4}`} {
		a.srv.Hub().Publish([]byte(l))
	}
	r := a.do("GET", "/events/recent", "")
	if r.status != 200 || strings.TrimSpace(r.body) != `["not json",{"id":4}]` {
		t.Fatalf("recent: %d %s", r.status, r.body)
	}
}
