package admin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tlsgate/tlsgate/faults"
)

// TestConcurrentRuleChanges: 50 goroutines add and remove rules through the
// API while others list them and plan connections on the engine. Run with
// -race. Every request must get a well-formed answer and every plan must
// hold only rules that exist in some version of the set.
func TestConcurrentRuleChanges(t *testing.T) {
	a := newAPI(t, Options{})
	client := a.http.Client()
	const writers, rounds = 50, 10
	const readers, reads = 8, 40

	errs := make(chan error, writers*rounds*2+readers*reads*2)
	var wg sync.WaitGroup
	send := func(method, path, body string) (int, []byte) {
		req, _ := http.NewRequest(method, a.http.URL+path, strings.NewReader(body))
		resp, err := client.Do(req)
		if err != nil {
			errs <- err
			return 0, nil
		}
		defer resp.Body.Close()
		var b json.RawMessage
		if resp.StatusCode != http.StatusNoContent {
			if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
				errs <- fmt.Errorf("%s %s: %d with a body that is not JSON: %v", method, path, resp.StatusCode, err)
			}
		}
		return resp.StatusCode, b
	}
	for w := range writers {
		wg.Go(func() {
			for i := range rounds {
				name := fmt.Sprintf("w%d-r%d", w, i)
				if st, b := send("POST", "/faults", fmt.Sprintf(`{"name":%q,"action":"latency","latency":"1ms","listener":"l%d"}`, name, w%3)); st != 201 {
					errs <- fmt.Errorf("add %s: %d %s", name, st, b)
				}
				if i%2 == 0 {
					if st, b := send("POST", "/faults/"+name+"/disable", ""); st != 200 {
						errs <- fmt.Errorf("disable %s: %d %s", name, st, b)
					}
				}
				if st, b := send("DELETE", "/faults/"+name, ""); st != 204 {
					errs <- fmt.Errorf("remove %s: %d %s", name, st, b)
				}
			}
		})
	}
	for r := range readers {
		wg.Go(func() {
			for i := range reads {
				if r%2 == 0 {
					if st, b := send("GET", "/faults", ""); st != 200 {
						errs <- fmt.Errorf("list: %d %s", st, b)
					}
					continue
				}
				p := a.engine.Plan(faults.ConnInfo{Listener: fmt.Sprintf("l%d", i%3), Index: uint64(i + 1)})
				for _, n := range p.Names() {
					if !strings.HasPrefix(n, "w") {
						errs <- fmt.Errorf("plan holds a rule nobody added: %q", n)
					}
				}
				_ = p.Wrappers(faults.StageAccept)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := len(a.list()); n != 0 {
		t.Fatalf("%d rules left after every add was removed", n)
	}
}
