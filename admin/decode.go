package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tlsgate/tlsgate/faults"
)

// maxBody bounds a request body: a thousand rules fit with room to spare.
const maxBody = 1 << 20

// APIError is the JSON body of every error answer. Field names the rule field
// (JSON name) that was wrong, "body" when the body as a whole was, and is
// empty otherwise. Index is the position in a PUT array, -1 when not in one.
type APIError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
	Rule  string `json:"rule,omitempty"`
	Index *int   `json:"index,omitempty"`
}

// FieldError is bad input traced to one field of a rule.
type FieldError struct {
	Field string // JSON name, or "body"
	Index int    // position in a PUT array, -1 otherwise
	Rule  string // the rule's name when known
	Err   error
}

func (e *FieldError) Error() string {
	var where string
	if e.Index >= 0 {
		where = fmt.Sprintf("rule [%d]: ", e.Index)
	}
	var re *faults.RuleError
	switch {
	case errors.As(e.Err, &re):
		return "admin: " + where + e.Err.Error() // already names rule and field
	case e.Field == "body":
		return "admin: " + where + "body: " + e.Err.Error()
	}
	return fmt.Sprintf("admin: %sfield %q: %v", where, e.Field, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

// readBody reads a bounded request body, within Options.BodyWait.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	bodyWait := s.o.BodyWait
	if bodyWait <= 0 {
		bodyWait = 30 * time.Second
	}
	rc := http.NewResponseController(w)
	armed := rc.SetReadDeadline(time.Now().Add(bodyWait)) == nil
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if armed && !errors.Is(err, os.ErrDeadlineExceeded) {
		_ = rc.SetReadDeadline(time.Time{})
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &FieldError{Field: "body", Index: -1, Err: fmt.Errorf("larger than %d bytes: %w", mbe.Limit, err)}
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			// The rest of the body may never come: close after the
			// answer, or the server would wait for it before sending.
			w.Header().Set("Connection", "close")
			return nil, &FieldError{Field: "body", Index: -1, Err: fmt.Errorf("not all of it arrived within %s: %w", bodyWait, err)}
		}
		return nil, &FieldError{Field: "body", Index: -1, Err: fmt.Errorf("read: %w", err)}
	}
	return b, nil
}

// DecodeRule reads one rule from a JSON object strictly: an unknown field, a
// value of the wrong type or a value a field rejects is an error naming that
// field. Fields are decoded one at a time so that an error from a field's
// own decoder (a duration, an alert name), which encoding/json reports
// without a field name, is still traced to its field.
func DecodeRule(b []byte) (faults.Rule, error) {
	var r faults.Rule
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return r, &FieldError{Field: "body", Index: -1, Err: errors.New("empty: want a JSON object describing a rule")}
	}
	fields, order, err := splitObject(b)
	if err != nil {
		return r, err
	}
	if raw, ok := fields["name"]; ok {
		// Decode the name first so that every later error can carry it.
		if err := decodeField(&r, "name", raw); err != nil {
			return r, err
		}
	}
	for _, k := range order {
		if k == "name" {
			continue
		}
		if err := decodeField(&r, k, fields[k]); err != nil {
			err.Rule = r.Name
			return r, err
		}
	}
	return r, nil
}

// splitObject parses b as one JSON object and returns its members in order
// of first appearance (a repeated key keeps its last value, as encoding/json does).
func splitObject(b []byte) (map[string]json.RawMessage, []string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, bodyError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, &FieldError{Field: "body", Index: -1, Err: fmt.Errorf("want a JSON object, got %s", describeToken(tok))}
	}
	fields := map[string]json.RawMessage{}
	var order []string
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, nil, bodyError(err)
		}
		k, _ := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, bodyError(err)
		}
		if !knownField(k) {
			return nil, nil, unknownField(k)
		}
		if _, seen := fields[k]; seen {
			// The config file (TOML) refuses a key given twice; so does
			// the API, rather than keep one value silently.
			return nil, nil, &FieldError{Field: k, Index: -1, Err: errors.New("given twice")}
		}
		order = append(order, k)
		fields[k] = raw
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, bodyError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, &FieldError{Field: "body", Index: -1, Err: errors.New("trailing data after the JSON object")}
	}
	return fields, order, nil
}

// knownField says k is exactly a rule field's name. encoding/json matches
// names without regard to case, so "Action" would pass for "action" where
// the config file refuses it; this check keeps the API as strict.
func knownField(k string) bool { return slices.Contains(faults.FieldNames(), k) }

func unknownField(k string) *FieldError {
	return &FieldError{Field: k, Index: -1, Err: errors.New("unknown field (names are lower case, as in the config file)")}
}

// decodeField decodes {"k": raw} into r with unknown fields disallowed.
func decodeField(r *faults.Rule, k string, raw json.RawMessage) *FieldError {
	key, _ := json.Marshal(k)
	one := make([]byte, 0, len(key)+len(raw)+3)
	one = append(append(append(append(append(one, '{'), key...), ':'), raw...), '}')
	dec := json.NewDecoder(bytes.NewReader(one))
	dec.DisallowUnknownFields()
	err := dec.Decode(r)
	if err == nil {
		// null is the field left out, as for every other field.
		if err := r.ValidateGiven(k); err != nil && string(raw) != "null" {
			return &FieldError{Field: k, Index: -1, Err: err}
		}
		return nil
	}
	if strings.Contains(err.Error(), "unknown field") {
		return &FieldError{Field: k, Index: -1, Err: errors.New("unknown field")}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &FieldError{Field: k, Index: -1, Err: fmt.Errorf("want %s, got JSON %s", typeName(te), te.Value)}
	}
	return &FieldError{Field: k, Index: -1, Err: err}
}

// DecodeRules reads a JSON array of rules (the PUT /faults body); errors
// carry the index of the rule at fault.
func DecodeRules(b []byte) ([]faults.Rule, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, &FieldError{Field: "body", Index: -1, Err: errors.New("empty: want a JSON array of rules")}
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(b, &raws); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, &FieldError{Field: "body", Index: -1, Err: fmt.Errorf("want a JSON array of rules, got JSON %s", te.Value)}
		}
		return nil, bodyError(err)
	}
	if raws == nil {
		// JSON null decodes to no slice at all; taking it as "no rules"
		// would wipe every rule on a client's mistake. [] clears them.
		return nil, &FieldError{Field: "body", Index: -1, Err: errors.New("want a JSON array of rules, got null (send [] to remove every rule)")}
	}
	rules := make([]faults.Rule, 0, len(raws))
	for i, raw := range raws {
		r, err := DecodeRule(raw)
		if err != nil {
			var fe *FieldError
			if errors.As(err, &fe) {
				fe.Index = i
			}
			return nil, err
		}
		rules = append(rules, r)
	}
	return rules, nil
}

func bodyError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &FieldError{Field: "body", Index: -1, Err: fmt.Errorf("invalid JSON at offset %d: %w", se.Offset, err)}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &FieldError{Field: "body", Index: -1, Err: errors.New("invalid JSON: unexpected end")}
	}
	return &FieldError{Field: "body", Index: -1, Err: fmt.Errorf("invalid JSON: %w", err)}
}

func describeToken(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return string(v)
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", t)
}

func typeName(te *json.UnmarshalTypeError) string {
	if te.Type == nil {
		return "another type"
	}
	switch te.Type.Kind().String() {
	case "string":
		return "a string"
	case "slice":
		return "an array of strings"
	case "bool":
		return "true or false"
	case "float32", "float64":
		return "a number"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	}
	return te.Type.String()
}

// ruleErrorField maps an engine error onto an API error body.
func ruleErrorField(err error) (field, rule string) {
	var re *faults.RuleError
	if errors.As(err, &re) {
		return re.Field, re.Rule
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field, fe.Rule
	}
	return "", ""
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"admin: encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// writeError answers with an APIError.
func writeError(w http.ResponseWriter, status int, field, msg string) {
	writeJSON(w, status, APIError{Error: msg, Field: field})
}

// writeErr answers with err, naming its field, rule and index when it has them.
func writeErr(w http.ResponseWriter, status int, err error) {
	body := APIError{Error: err.Error()}
	body.Field, body.Rule = ruleErrorField(err)
	var fe *FieldError
	if errors.As(err, &fe) && fe.Index >= 0 {
		i := fe.Index
		body.Index = &i
	}
	writeJSON(w, status, body)
}
