package admin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// events streams connection events: JSON lines by default, server-sent
// events with ?sse=1. ?recent=1 (or an SSE Last-Event-ID) replays the kept
// events first. The stream ends when the client goes away or the hub closes.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sse := isTrue(q.Get("sse"))
	var after uint64
	replay := isTrue(q.Get("recent"))
	if id := r.Header.Get("Last-Event-ID"); sse && id != "" {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "Last-Event-ID", fmt.Sprintf("admin: Last-Event-ID %q: want an event number", id))
			return
		}
		replay, after = true, n
	}
	var sub *Subscription
	var past []Event
	var err error
	if replay {
		sub, past, err = s.o.Hub.SubscribeReplay(after)
	} else {
		sub, err = s.o.Hub.Subscribe()
	}
	if err != nil {
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "", err.Error())
		return
	}
	defer sub.Close()

	h := w.Header()
	if sse {
		h.Set("Content-Type", "text/event-stream")
	} else {
		h.Set("Content-Type", "application/x-ndjson")
	}
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The subscription exists before the headers leave, so a client that
	// has its response is sure to see every event published after that.
	rc := http.NewResponseController(w)
	if err := rc.Flush(); err != nil {
		return
	}
	var buf bytes.Buffer
	var reported uint64
	for _, ev := range past {
		buf.Reset()
		frame(&buf, ev, sse)
		if _, err := w.Write(buf.Bytes()); err != nil {
			return
		}
	}
	if len(past) > 0 && rc.Flush() != nil {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-sub.C:
			if !ok {
				return
			}
			buf.Reset()
			if d := sub.Dropped(); sse && d != reported {
				// A named event: the page's onmessage ignores it, but a
				// live view can listen for it and say it is behind.
				fmt.Fprintf(&buf, "event: dropped\ndata: {\"dropped\":%d}\n\n", d)
				reported = d
			}
			frame(&buf, ev, sse)
			// Drain what is already queued into the same write, so a burst
			// costs one flush, not one per event.
			for more := true; more && buf.Len() < 64<<10; {
				select {
				case ev, ok := <-sub.C:
					if !ok {
						more = false
						break
					}
					frame(&buf, ev, sse)
				default:
					more = false
				}
			}
			if _, err := w.Write(buf.Bytes()); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

// frame writes one event as a JSON line or an SSE message. A line holding
// newlines (it should not) becomes several data: lines, which SSE joins back.
func frame(w *bytes.Buffer, ev Event, sse bool) {
	if !sse {
		w.Write(bytes.ReplaceAll(ev.Line, []byte("\n"), []byte(" ")))
		w.WriteByte('\n')
		return
	}
	fmt.Fprintf(w, "id: %d\n", ev.Seq)
	for line := range bytes.SplitSeq(ev.Line, []byte("\n")) {
		w.WriteString("data: ")
		w.Write(bytes.TrimRight(line, "\r"))
		w.WriteByte('\n')
	}
	w.WriteByte('\n')
}

// recentEvents answers with the kept events as a JSON array, oldest first.
// A line that is not valid JSON is sent as a JSON string so the array stays valid.
func (s *Server) recentEvents(w http.ResponseWriter, _ *http.Request) {
	evs := s.o.Hub.Recent()
	out := make([]json.RawMessage, 0, len(evs))
	for _, ev := range evs {
		if json.Valid(ev.Line) {
			out = append(out, ev.Line)
			continue
		}
		b, _ := json.Marshal(string(ev.Line))
		out = append(out, b)
	}
	writeJSON(w, http.StatusOK, out)
}

func isTrue(v string) bool {
	b, err := strconv.ParseBool(v)
	return err == nil && b
}
