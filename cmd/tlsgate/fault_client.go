package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tlsgate/tlsgate/admin"
	"github.com/tlsgate/tlsgate/faults"
)

// The admin API client behind `tlsgate fault`, and how it prints rules.

// faultClient calls the admin API for one command.
type faultClient struct {
	sub, base, token string
	// baseFrom names where base came from in errors: "--admin", or
	// "TLSGATE_ADMIN" when the flag was not given.
	baseFrom string
	http     *http.Client
}

// adminBase checks an --admin value: an http or https URL with a host, to
// which the API's paths are appended. Anything else is refused before any
// request, naming the value: "notaurl" used to become http://notaurl and a
// DNS lookup of "notaurl".
func adminBase(v string) (string, error) {
	example := "http://" + admin.DefaultListen
	if _, port, err := net.SplitHostPort(v); err == nil && port != "" && !strings.Contains(v, "/") {
		example = "http://" + v // a bare host:port: say what it most likely meant
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Scheme == "" || u.Opaque != "":
		// url.Parse's own complaint about "127.0.0.1:8474" (a colon in the
		// first path segment) would only confuse.
		return "", fmt.Errorf("%q is not a URL with a scheme and host: want http://HOST:PORT, e.g. %s", v, example)
	case !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https"):
		return "", fmt.Errorf("%q has scheme %q: the admin API speaks http or https, e.g. %s", v, u.Scheme, example)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("%q names no host: want http://HOST:PORT, e.g. %s", v, example)
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(v, "?") || strings.HasSuffix(v, "#"):
		return "", fmt.Errorf("%q has a query or fragment: the API's paths are appended to it, e.g. %s", v, example)
	}
	return strings.TrimRight(v, "/"), nil
}

// call sends body (JSON, may be nil) and decodes a 2xx answer into out
// (may be nil). An API error becomes an error naming the field; a 400 is
// bad input, so it exits 2 like any usage error.
func (c *faultClient) call(method, path string, body []byte, out any) error {
	base, err := adminBase(c.base)
	if err != nil {
		return usageError{fmt.Sprintf("fault %s: %s %v", c.sub, c.baseFrom, err)}
	}
	req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
	if err != nil {
		return usageError{fmt.Sprintf("fault %s: --admin %q: %v", c.sub, c.base, err)}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("fault %s: cannot reach the admin API at %s (is tlsgate running with [admin] enabled? --admin sets the URL): %w", c.sub, base, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("fault %s: reading the answer from %s: %w", c.sub, base, err)
	}
	if resp.StatusCode/100 == 2 {
		if out == nil || resp.StatusCode == http.StatusNoContent {
			return nil
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("fault %s: the answer from %s is not what tlsgate sends: %w", c.sub, base, err)
		}
		return nil
	}
	return c.apiError(resp.StatusCode, b)
}

func (c *faultClient) apiError(status int, b []byte) error {
	var e admin.APIError
	if json.Unmarshal(b, &e) != nil || e.Error == "" {
		e.Error = strings.TrimSpace(string(b))
	}
	msg := fmt.Sprintf("fault %s: %s (HTTP %d)", c.sub, e.Error, status)
	if e.Field != "" && !strings.Contains(e.Error, strconv.Quote(e.Field)) {
		msg = fmt.Sprintf("fault %s: field %q: %s (HTTP %d)", c.sub, e.Field, e.Error, status)
	}
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return usageError{msg}
	case http.StatusUnauthorized:
		return errors.New(msg + "; pass --token or set TLSGATE_ADMIN_TOKEN")
	}
	return errors.New(msg)
}

// faultList prints the rules as a table, or the API's JSON with --json.
func faultList(c *faultClient, asJSON bool, stdout io.Writer) error {
	var raw json.RawMessage
	if err := c.call("GET", "/faults", nil, &raw); err != nil {
		return err
	}
	var sts []faults.RuleStatus
	if err := json.Unmarshal(raw, &sts); err != nil {
		return fmt.Errorf("fault ls: the answer is not a rule list: %w", err)
	}
	if asJSON {
		var buf bytes.Buffer
		_ = json.Indent(&buf, raw, "", "  ")
		buf.WriteByte('\n')
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if len(sts) == 0 {
		fmt.Fprintln(stdout, "no fault rules")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tENABLED\tSTAGE\tACTION\tDIRECTION\tSELECTORS\tPARAMS\tFIRES\tLAST FIRE")
	for _, st := range sts {
		sel, params := describeRule(st.Rule)
		last := "-"
		if !st.LastFire.IsZero() {
			last = st.LastFire.Local().Format(time.DateTime)
		}
		dir := string(st.Rule.Direction)
		if dir == "" {
			dir = "-"
		}
		enabled := yesNo(st.Enabled)
		// An enabled rule out of its window, or whose max_fires are used
		// up, fires no more (a refuse rule's listener is up): "yes" alone
		// would not say so. A refuse rule's work is a state, not firings:
		// its listener refuses every SYN for as long as it holds it.
		var why []string
		switch {
		case st.Schedule != "":
			why = append(why, st.Schedule)
		case len(st.HoldingDown) > 0:
			why = append(why, "holding "+strings.Join(st.HoldingDown, ", ")+" down")
		}
		if st.Spent {
			why = append(why, fmt.Sprintf("spent %d/%d", st.Fires, st.Rule.MaxFires))
		}
		if len(why) > 0 {
			enabled += " (" + strings.Join(why, ", ") + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", st.Rule.Name, enabled, st.Rule.Stage,
			st.Rule.Action, dir, sel, params, st.Fires, last)
	}
	return tw.Flush()
}

// selectorKeys are the rule fields that choose connections; every other
// field beyond name, enabled, stage, direction and action is a parameter.
func selectorKeys() []string {
	return []string{"listener", "sni", "client", "ja3", "ja4", "alpn", "max_offered_version",
		"hello_min_size", "hello_multi_segment", "conn_first", "conn_every", "conn_after", "probability", "seed"}
}

// describeRule renders a rule's selectors and parameters as key=value
// lists, read from its JSON so that new fields show up without a change here.
func describeRule(r faults.Rule) (selectors, params string) {
	b, _ := json.Marshal(r)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	var sel, par []string
	selKeys := selectorKeys()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch k {
		case "name", "enabled", "stage", "direction", "action":
			continue
		}
		v := string(m[k])
		if s, err := strconv.Unquote(v); err == nil {
			v = s
		}
		kv := k + "=" + v
		if slices.Contains(selKeys, k) {
			sel = append(sel, kv)
		} else {
			par = append(par, kv)
		}
	}
	orDash := func(s []string) string {
		if len(s) == 0 {
			return "-"
		}
		return strings.Join(s, " ")
	}
	return orDash(sel), orDash(par)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
