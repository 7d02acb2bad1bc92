package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/admin"
	"github.com/tlsgate/tlsgate/config"
	"github.com/tlsgate/tlsgate/faults"
)

const faultUsage = `Usage: tlsgate fault COMMAND [--admin URL] [--token T] …

Change fault rules at runtime through the admin API of a running tlsgate.

Commands:
  add (--json '{…}' | --file rule.json | -n NAME --action A [rule flags])
                         add one rule; the rule flags are --stage, --direction,
                         --listener, --sni, --client, --ja3, --ja4, --alpn,
                         --probability, --seed, --disabled, and --param key=value
                         (repeatable) for any other rule field: latency, alert,
                         chain, mtu, then, status, max_fires … (lists: a,b,c)
  ls [--json]            list the rules with their fire counts, schedule state
                         and spent max_fires
  rm NAME…               remove rules
  enable NAME…, disable NAME…
  reset                  zero every rule's fire counter (refills max_fires)

Common flags:
  --admin URL            admin API (default $TLSGATE_ADMIN or http://` + admin.DefaultListen + `)
  --token T              bearer token (default $TLSGATE_ADMIN_TOKEN)

Examples:
  tlsgate fault add -n waf-sni-block --action reset --stage client_hello --sni '*.bank.example'
  tlsgate fault add -n flaky --action latency --param latency=300ms --param jitter=100ms --probability 0.3 --seed 7
  tlsgate fault add --json '{"name":"old-ca","action":"chain","chain":"expired"}'
  tlsgate fault add -n port-closed --listener web --action refuse --param mode=listener_down
  tlsgate fault add -n port-dropped --listener web --action refuse --param mode=syn_drop
`

// ruleFlag is an add flag that sets the rule field with the same JSON name.
type ruleFlag struct{ name, help string }

// ruleFlags are the add flags that set one rule field each.
func ruleFlags() []ruleFlag {
	return []ruleFlag{
		{"action", "action: " + actionList()},
		{"stage", "stage: accept, client_hello, server_flight, handshake_done, request, response, idle"},
		{"direction", "direction: c2s, s2c or both"},
		{"listener", "only connections to this listener"},
		{"sni", "only this SNI glob ('*.example.com'; '<none>' = no SNI)"},
		{"client", "only clients in this CIDR or IP"},
		{"ja3", "only this JA3 hash (prefix when it ends in *)"},
		{"ja4", "only this JA4 (prefix when it ends in *)"},
		{"alpn", "only hellos offering this ALPN protocol"},
		{"probability", "fire with this probability, 0..1"},
		{"seed", "seed of the probability draw (0: derived from the name)"},
	}
}

func actionList() string {
	var names []string
	for _, a := range faults.Actions() {
		names = append(names, string(a))
	}
	return strings.Join(names, ", ")
}

// cmdFault runs `tlsgate fault …` against the admin API.
func cmdFault(args []string, stdout, stderr io.Writer) error {
	// Bad usage is one line, as every subcommand's is: the 28-line usage
	// would bury it, and --help prints that.
	if len(args) == 0 {
		return usageError{"fault: a command is required (add, ls, rm, enable, disable, reset; see \"tlsgate fault --help\")"}
	}
	sub, args := args[0], args[1:]
	if sub == "-h" || sub == "--help" || sub == "help" {
		fmt.Fprint(stdout, faultUsage)
		return errHelp
	}
	if strings.HasPrefix(sub, "-") {
		// A flag where the command belongs is a one-line mistake, like a
		// bad flag after the command; the whole usage would bury it.
		return usageError{fmt.Sprintf("fault: %q is a flag, but the command comes first: tlsgate fault add|ls|rm|enable|disable|reset [flags] (see \"tlsgate fault --help\")", sub)}
	}
	fs := newFlags("fault "+sub, "fault "+sub+" [flags]", stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "%s\nFlags of fault %s:\n", faultUsage, sub)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	c := &faultClient{sub: sub, baseFrom: "--admin", http: &http.Client{Timeout: 30 * time.Second}}
	if os.Getenv("TLSGATE_ADMIN") != "" {
		c.baseFrom = "TLSGATE_ADMIN" // until --admin is given (adminFlag)
	}
	fs.Var(adminFlag{c}, "admin", "admin API `URL`, http://HOST:PORT (default $TLSGATE_ADMIN or http://"+admin.DefaultListen+")")
	c.base = envOr("TLSGATE_ADMIN", "http://"+admin.DefaultListen)
	fs.StringVar(&c.token, "token", os.Getenv("TLSGATE_ADMIN_TOKEN"), "bearer token")
	switch sub {
	case "add":
		return faultAdd(c, fs, args, stdout)
	case "ls", "list":
		asJSON := fs.Bool("json", false, "print the API's JSON")
		if err := parseFaultFlags(fs, args, false); err != nil {
			return err
		}
		return faultList(c, *asJSON, stdout)
	case "rm", "enable", "disable":
		if err := parseFaultFlags(fs, args, true); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			return usageError{fmt.Sprintf("fault %s: name at least one rule", sub)}
		}
		return faultMany(c, fs.Args(), stdout)
	case "reset":
		if err := parseFaultFlags(fs, args, false); err != nil {
			return err
		}
		var sts []faults.RuleStatus
		if err := c.call("POST", "/faults/reset", nil, &sts); err != nil {
			return err
		}
		noun := "rules"
		if len(sts) == 1 {
			noun = "rule"
		}
		fmt.Fprintf(stdout, "reset the counters of %d %s\n", len(sts), noun)
		return nil
	}
	return usageError{fmt.Sprintf("fault: unknown command %q (want add, ls, rm, enable, disable or reset; see \"tlsgate fault --help\")", sub)}
}

// adminFlag is --admin: it sets the client's base URL and records that the
// flag, not $TLSGATE_ADMIN, gave it, so an error names the right one.
type adminFlag struct{ c *faultClient }

func (f adminFlag) String() string {
	if f.c == nil {
		return ""
	}
	return f.c.base
}

func (f adminFlag) Set(v string) error {
	f.c.base, f.c.baseFrom = v, "--admin"
	return nil
}

// parseFaultFlags parses flags that may come before, between or after the
// positional arguments (rule names), which the flag package alone does not allow.
func parseFaultFlags(fs *flag.FlagSet, args []string, positional bool) error {
	var names []string
	for {
		if err := flagParse(fs, args); err != nil {
			return err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if !positional {
			return unexpectedArg(fs, args[0])
		}
		names, args = append(names, args[0]), args[1:]
	}
	// Parse once more with only the names left, so fs.Args() returns them.
	_ = fs.Parse(append([]string{"--"}, names...))
	return nil
}

func faultAdd(c *faultClient, fs *flag.FlagSet, args []string, stdout io.Writer) error {
	jsonBody := fs.String("json", "", "the rule as a JSON object")
	file := fs.String("file", "", "read the rule from this JSON file")
	var name string
	fs.StringVar(&name, "n", "", "rule name")
	fs.StringVar(&name, "name", "", "rule name")
	flags := ruleFlags()
	vals := map[string]*string{}
	for _, f := range flags {
		vals[f.name] = fs.String(f.name, "", f.help)
	}
	disabled := fs.Bool("disabled", false, "add the rule switched off")
	var params paramList
	fs.Var(&params, "param", "key=value for any other rule field (repeatable)")
	if err := parseFaultFlags(fs, args, false); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fromFlags := name != "" || *disabled || len(params) > 0 || slices.ContainsFunc(flags, func(f ruleFlag) bool { return set[f.name] })

	var body []byte
	switch {
	case *jsonBody != "" && *file != "":
		return usageError{"fault add: give --json or --file, not both"}
	case (*jsonBody != "" || *file != "") && fromFlags:
		return usageError{"fault add: give the rule as --json/--file or as flags, not both"}
	case *jsonBody != "":
		if err := checkRuleJSON([]byte(*jsonBody)); err != nil {
			return usageError{fmt.Sprintf("fault add: --json: %v", err)}
		}
		body = []byte(*jsonBody)
	case *file != "":
		b, err := config.ReadFileMax(*file, maxRuleFile)
		if err != nil {
			return fmt.Errorf("fault add: --file: %w", err)
		}
		if err := checkRuleJSON(b); err != nil {
			return usageError{fmt.Sprintf("fault add: --file %s: %v", *file, err)}
		}
		body = b
	case name == "":
		return usageError{"fault add: a rule needs a name (-n NAME), or give --json or --file"}
	default:
		rule := map[string]any{"name": name}
		for _, f := range flags {
			if set[f.name] {
				v, err := fieldValue(f.name, *vals[f.name])
				if err != nil {
					return usageError{fmt.Sprintf("fault add: --%s %q: %v", f.name, *vals[f.name], err)}
				}
				rule[f.name] = v
			}
		}
		if *disabled {
			rule["enabled"] = false
		}
		for _, p := range params {
			v, err := fieldValue(p.key, p.value)
			if err != nil {
				return usageError{fmt.Sprintf("fault add: --param %s=%s: %v", p.key, p.value, err)}
			}
			rule[p.key] = v
		}
		b, err := json.Marshal(rule)
		if err != nil {
			return usageError{fmt.Sprintf("fault add: %v", err)}
		}
		body = b
	}
	var st faults.RuleStatus
	if err := c.call("POST", "/faults", body, &st); err != nil {
		return err
	}
	state := "enabled"
	if !st.Enabled {
		state = "disabled"
	}
	fmt.Fprintf(stdout, "added rule %s: %s at %s (%s)\n", st.Rule.Name, st.Rule.Action, st.Rule.Stage, state)
	return nil
}

// param is one --param key=value.
type param struct{ key, value string }

// paramList collects repeated --param flags.
type paramList []param

func (p *paramList) String() string { return "" }

func (p *paramList) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("want key=value, got %q", s)
	}
	*p = append(*p, param{strings.TrimSpace(k), v})
	return nil
}

// fieldValue gives a flag's text the JSON type the rule field has, so
// "--param mtu=1280" sends a number and "--param ciphers=a,b" a list.
// Text that cannot have the field's type is refused here, saying what
// the field wants: the API would only see a JSON string where a number
// belongs and name its JSON type, not the flag. Unknown fields, and
// fields whose own decoders read text (durations, alerts, versions), go
// as strings for the API to judge, the one place rules are checked.
func fieldValue(field, text string) (any, error) {
	t, ok := ruleFieldType(field)
	if !ok {
		return text, nil
	}
	if t.Kind() == reflect.Pointer && !reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return text, nil // durations, alerts, versions: their decoders read strings
	}
	switch t.Kind() {
	case reflect.Slice:
		var out []string
		for s := range strings.SplitSeq(text, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	case reflect.Bool:
		b, err := strconv.ParseBool(text)
		if err != nil {
			return nil, errors.New("want true or false")
		}
		return b, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		// Decoded into the field's own type: that refuses "1.5", "1e3"
		// and what overflows it, as the API would.
		if json.Unmarshal([]byte(text), reflect.New(t).Interface()) != nil {
			return nil, errors.New("want a whole number, e.g. 3")
		}
		return json.Number(strings.TrimSpace(text)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if json.Unmarshal([]byte(text), reflect.New(t).Interface()) != nil {
			return nil, errors.New("want a whole number of 0 or more, e.g. 3")
		}
		return json.Number(strings.TrimSpace(text)), nil
	case reflect.Float32, reflect.Float64:
		// Only a JSON number literal: ParseFloat would also take "NaN" and "0x10".
		var f float64
		if json.Unmarshal([]byte(text), &f) != nil {
			if field == "probability" {
				return nil, errors.New("want a number from 0 to 1, e.g. 0.3")
			}
			return nil, errors.New("want a number, e.g. 0.5")
		}
		return json.Number(strings.TrimSpace(text)), nil
	}
	return text, nil
}

// checkRuleJSON refuses a --json or --file body that is not one JSON
// object before it is sent: the API's "invalid JSON at offset 1" for a
// config file's [[fault]] table names neither the flag nor the form the
// rule must take.
func checkRuleJSON(b []byte) error {
	var rule map[string]json.RawMessage
	err := json.Unmarshal(b, &rule)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
		return fmt.Errorf("want one rule as a JSON object ({\"name\": …, \"action\": …}), got a JSON %s", te.Value)
	case errors.As(err, &se) && bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")):
		return fmt.Errorf("invalid JSON at offset %d: %v", se.Offset, err)
	}
	// "[[fault]]", "name = …", "# a comment": a config's TOML, most
	// likely. The decoder's complaint ("invalid character 'u' in literal
	// false") would only puzzle; the first line shows what the file is.
	first, _, _ := bytes.Cut(bytes.TrimSpace(b), []byte("\n"))
	if len(first) > 40 {
		first = append(first[:40:40], "…"...)
	}
	return fmt.Errorf("not JSON (its first line is %q): want one rule as a JSON object, e.g. {\"name\": \"waf\", \"action\": \"reset\"}; "+
		"the [[fault]] tables of a TOML config are read by 'tlsgate run -c', not by fault add", first)
}

// ruleFieldType finds the faults.Rule field with this JSON name.
func ruleFieldType(name string) (reflect.Type, bool) {
	rt := reflect.TypeFor[faults.Rule]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == name {
			return f.Type, true
		}
	}
	return nil, false
}

// faultMany is rm, enable and disable of several rules. Every name is
// checked against the rules first, so a typo in one changes none: "rm
// nosuch a1" used to stop at nosuch and leave a1, without a word of it.
// A rule removed by someone else in between still stops the loop, and
// the error then says which names were done and which were not.
func faultMany(c *faultClient, names []string, stdout io.Writer) error {
	var uniq []string
	for _, n := range names {
		if !slices.Contains(uniq, n) {
			uniq = append(uniq, n)
		}
	}
	var sts []faults.RuleStatus
	if err := c.call("GET", "/faults", nil, &sts); err != nil {
		return err
	}
	known := make([]string, len(sts))
	for i, st := range sts {
		known[i] = st.Rule.Name
	}
	var unknown []string
	for _, n := range uniq {
		if !slices.Contains(known, n) {
			unknown = append(unknown, strconv.Quote(n))
		}
	}
	done := faultDone(c.sub)
	if len(unknown) > 0 {
		what := "no rule named " + unknown[0]
		if len(unknown) > 1 {
			what = "no rules named " + strings.Join(unknown, ", ")
		}
		return fmt.Errorf("fault %s: %s; nothing %s (%s)", c.sub, what, done, ruleNames(known))
	}
	for i, name := range uniq {
		if err := faultOne(c, name, stdout); err != nil {
			if i == 0 {
				return err
			}
			return fmt.Errorf("%w; %s: %s; not %s: %s", err, done, strings.Join(uniq[:i], ", "), done, strings.Join(uniq[i:], ", "))
		}
	}
	return nil
}

// faultDone is what rm, enable or disable did to a rule, for messages.
func faultDone(sub string) string {
	if sub == "rm" {
		return "removed"
	}
	return sub + "d"
}

// ruleNames lists the rules there are, for an error naming one that is
// not: the first ten, which is enough to spot a typo.
func ruleNames(known []string) string {
	switch {
	case len(known) == 0:
		return "there are no rules"
	case len(known) > 10:
		return fmt.Sprintf("the rules: %s … and %d more; tlsgate fault ls lists them", strings.Join(known[:10], ", "), len(known)-10)
	}
	return "the rules: " + strings.Join(known, ", ")
}

func faultOne(c *faultClient, name string, stdout io.Writer) error {
	path := "/faults/" + url.PathEscape(name)
	switch c.sub {
	case "rm":
		if err := c.call("DELETE", path, nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed rule %s\n", name)
	default:
		if err := c.call("POST", path+"/"+c.sub, nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s rule %s\n", faultDone(c.sub), name)
	}
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
