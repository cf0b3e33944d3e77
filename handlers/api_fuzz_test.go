package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/gonogo/gonogo"
)

// The fuzzer sends a few thousand requests, made from the OpenAPI document,
// to the live API: values that fit its schemas, on releases that exist, and
// values that do not (wrong types, missing and extra fields, other enums,
// long strings, other patterns, bad content types, bad tokens, wrong
// methods). kin-openapi's validator says which requests the document
// allows. The test fails on any 5xx, any status or content type the
// document does not list for the operation, any body that does not match
// the schema it lists, any request the document forbids that the server
// takes, and any it allows that the server calls malformed.
//
// It is seeded, so a failure repeats: GONOGO_FUZZ_SEED picks another seed,
// GONOGO_FUZZ_REQUESTS another number of requests.
const (
	fuzzSeed     = 20260713
	fuzzRequests = 3000
)

func TestAPIFuzzAgainstOpenAPI(t *testing.T) {
	seed := envInt(t, "GONOGO_FUZZ_SEED", fuzzSeed)
	n := envInt(t, "GONOGO_FUZZ_REQUESTS", fuzzRequests)
	f := newFuzzer(t, newServer(t, unlimitedWrites), uint64(seed))
	for i := range n {
		if i%250 == 0 {
			f.resetStates() // events move releases on; bring the states back
		}
		c := f.newCase()
		if problem := f.run(c); problem != "" {
			t.Fatalf("request %d of seed %d: %s\n%s", i, seed, problem, c)
		}
	}
	f.report(t)
}

// TestAPIWriteLimitMatchesOpenAPI meets the write limit and holds its 429
// against the document.
func TestAPIWriteLimitMatchesOpenAPI(t *testing.T) {
	f := newFuzzer(t, newServer(t, smallWriteLimit), fuzzSeed)
	op := f.op("reportCheck")
	for i := range 4 {
		c := f.positive(op)
		problem := f.run(c)
		if problem != "" {
			t.Fatalf("change %d: %s\n%s", i+1, problem, c)
		}
		if i == 3 && c.status != http.StatusTooManyRequests {
			t.Fatalf("change %d: status %d, want 429\n%s", i+1, c.status, c)
		}
	}
}

func envInt(t *testing.T, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s=%q: %v", name, v, err)
		}
		return n
	}
	return def
}

// fuzzOp is one operation of the document.
type fuzzOp struct {
	path, method string
	item         *openapi3.PathItem
	op           *openapi3.Operation
}

// fuzzCase is one request and what came of it.
type fuzzCase struct {
	op          fuzzOp
	method      string            // the op's, or a wrong one
	params      map[string]string // path values, decoded
	rawParams   map[string]string // path values as sent
	query       string            // raw query
	body        []byte
	noBody      bool
	contentType string // "" sends none
	token       string // the Authorization header; "" sends none
	tokenKind   string
	what        []string // how the case departs from the document, if it does
	// beyond is set for requests the document cannot forbid, which the
	// server refuses: a key given twice, half a UTF-16 pair.
	beyond bool

	status int
	header http.Header
	answer []byte
}

func (c *fuzzCase) String() string {
	body := string(c.body)
	if !utf8.ValidString(body) {
		body = strconv.Quote(body)
	}
	if len(body) > 400 {
		body = body[:400] + fmt.Sprintf("… (%d bytes)", len(c.body))
	}
	answer := string(c.answer)
	if len(answer) > 400 {
		answer = answer[:400] + "…"
	}
	return fmt.Sprintf("  %s %s (operation %s)\n  departs: %v\n  Content-Type: %q, Authorization: %s (%s)\n  body: %s\n  answer: %d %s",
		c.method, c.url(""), c.op.op.OperationID, c.what, c.contentType, c.tokenKind, c.token, body, c.status, answer)
}

// url is the request's address under base.
func (c *fuzzCase) url(base string) string {
	p := c.op.path
	for k, v := range c.rawParams {
		p = strings.Replace(p, "{"+k+"}", v, 1)
	}
	if c.query != "" {
		p += "?" + c.query
	}
	return base + p
}

type fuzzer struct {
	t      *testing.T
	s      *testServer
	doc    *openapi3.T
	rng    *rand.Rand
	ops    []fuzzOp
	tokens map[string]string // good, product (limited to fuzz), other (limited to another product), revoked
	states map[string]gonogo.State
	ids    map[string]int64 // fixture releases by version
	keys   []string
	n      int                    // a counter for new names
	seen   map[string]map[int]int // statuses by operation
	// verdicts counts the requests with a valid token and method that the
	// document allows (true) and forbids (false).
	verdicts map[bool]int
}

func newFuzzer(t *testing.T, s *testServer, seed uint64) *fuzzer {
	t.Helper()
	doc := loadOpenAPI(t, s)
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	f := &fuzzer{t: t, s: s, doc: doc, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		tokens: map[string]string{}, ids: map[string]int64{}, seen: map[string]map[int]int{}, verdicts: map[bool]int{}}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
			if op := item.GetOperation(m); op != nil {
				f.ops = append(f.ops, fuzzOp{path, m, item, op})
			}
		}
	}
	slices.SortFunc(f.ops, func(a, b fuzzOp) int { return strings.Compare(a.op.OperationID, b.op.OperationID) })
	f.tokens["good"] = s.mustToken(t, "fuzz-all", "")
	f.tokens["product"] = s.mustToken(t, "fuzz-fuzz", "fuzz")
	f.tokens["other"] = s.mustToken(t, "fuzz-other", "other")
	f.tokens["revoked"] = s.mustRevokedToken(t, "fuzz-revoked")
	// Releases in every state, some with versions that need escaping.
	f.states = map[string]gonogo.State{
		"1.0.0": gonogo.Draft, "1.1.0": gonogo.Review, "2.0.0": gonogo.Go, "2.1.0": gonogo.Deploying,
		"2.2.0": gonogo.Verifying, "0.9.0": gonogo.Released, "0.8.0": gonogo.RolledBack, "0.7.0": gonogo.Cancelled,
		"0.6.0": gonogo.NoGo, "3.0.0+build.1": gonogo.Draft, "3.0~rc.1": gonogo.Go, "3.0-ünï": gonogo.Review, "3.0%1": gonogo.Deploying,
	}
	// Its releases roll out in stages without soak or items, so that the
	// stage gate of one deploying says yes (until promoted to the last).
	if _, err := s.store.CreateProduct(t.Context(), s.actorOf("admin"), gonogo.ProductInput{Key: "fuzz", Name: "fuzz"}); err != nil {
		t.Fatal(err)
	}
	stages := make([]gonogo.StageSpec, gonogo.MaxStages)
	for i := range stages {
		stages[i].Name = "stage " + itoa(int64(i+1))
	}
	if err := s.store.SetRolloutTemplate(t.Context(), s.actorOf("admin"), "fuzz", stages); err != nil {
		t.Fatal(err)
	}
	for _, v := range slices.Sorted(maps.Keys(f.states)) {
		switch f.states[v] {
		case gonogo.Go:
			f.ids[v] = s.mustGoRelease(t, "fuzz", v).ID // a Go recorded: the gate says yes
		case gonogo.Deploying:
			f.ids[v] = s.mustGoRelease(t, "fuzz", v).ID
			s.move(t, f.ids[v], gonogo.StartDeploy) // its first stage starts
		default:
			f.ids[v] = s.mustCreateRelease(t, "fuzz", v).ID
		}
	}
	s.mustCreateRelease(t, "other", "1.0.0")
	f.resetStates()
	for _, it := range gonogo.DefaultTemplate() {
		if it.CheckKey != "" && !slices.Contains(f.keys, it.CheckKey) {
			f.keys = append(f.keys, it.CheckKey)
		}
	}
	slices.Sort(f.keys)
	return f
}

func (f *fuzzer) resetStates() {
	for _, v := range slices.Sorted(maps.Keys(f.states)) {
		f.s.setState(f.t, f.ids[v], f.states[v])
	}
}

func (f *fuzzer) op(id string) fuzzOp {
	for _, o := range f.ops {
		if o.op.OperationID == id {
			return o
		}
	}
	f.t.Fatalf("no operation %s", id)
	return fuzzOp{}
}

// chance is true with probability p.
func (f *fuzzer) chance(p float64) bool { return f.rng.Float64() < p }

func pick[T any](f *fuzzer, xs ...T) T { return xs[f.rng.IntN(len(xs))] }

// newCase makes a request for a random operation: one that fits the
// document a third of the time, else one that departs from it in a way, or two.
func (f *fuzzer) newCase() *fuzzCase {
	c := f.positive(f.ops[f.rng.IntN(len(f.ops))])
	if f.chance(0.35) {
		return c
	}
	f.mutate(c)
	if f.chance(0.2) {
		f.mutate(c)
	}
	return c
}

// positive makes a request that fits the document, on releases that exist
// most of the time.
func (f *fuzzer) positive(o fuzzOp) *fuzzCase {
	c := &fuzzCase{op: o, method: o.method, params: map[string]string{}, rawParams: map[string]string{},
		token: "Bearer " + f.tokens["good"], tokenKind: "good"}
	if o.op.Security != nil && len(*o.op.Security) == 0 {
		c.token, c.tokenKind = "", "none, as the document allows"
	}
	version := f.fixture(o)
	for _, p := range o.op.Parameters {
		v := p.Value
		switch {
		case v.In == openapi3.ParameterInPath && v.Name == "product":
			c.setParam(f, "product", "fuzz")
		case v.In == openapi3.ParameterInPath && v.Name == "version":
			if f.chance(0.1) {
				version = f.newVersion()
			}
			c.setParam(f, "version", version)
		case v.In == openapi3.ParameterInPath && v.Name == "key":
			c.setParam(f, "key", pick(f, slices.Concat(f.keys, []string{"no-such-check"})...))
		case v.In == openapi3.ParameterInPath && v.Name == "id":
			id, ok := f.ids[version]
			if !ok || f.chance(0.1) {
				id = 1_000_000 + int64(f.rng.IntN(1000))
			}
			c.setParam(f, "id", strconv.FormatInt(id, 10))
		case v.In == openapi3.ParameterInQuery && v.Name == "product" && f.chance(0.5):
			c.addQuery("product", pick(f, "fuzz", "other", "nothing-here"))
		case v.In == openapi3.ParameterInQuery && v.Name == "state" && f.chance(0.5):
			var states []string
			for range 1 + f.rng.IntN(3) {
				states = append(states, string(pick(f, gonogo.States...)))
			}
			c.addQuery("state", strings.Join(states, ","))
		case v.In == openapi3.ParameterInQuery && v.Name == "last" && f.chance(0.3):
			c.addQuery("last", pick(f, "30", "90", "365", "1", "3660"))
		case v.In == openapi3.ParameterInQuery && v.Name == "from" && !strings.Contains(c.query, "last=") && f.chance(0.3):
			// A range names both its days, in order: the document cannot say so.
			c.addQuery("from", "2026-01-01")
			c.addQuery("to", pick(f, "2026-01-01", "2026-03-31", "2026-12-31"))
		case v.In == openapi3.ParameterInPath && c.params[v.Name] == "":
			// A parameter this fuzzer does not know yet: a value of its schema.
			c.setParam(f, v.Name, fmt.Sprint(f.value(v.Name, v.Schema, c)))
		}
	}
	if rb := o.op.RequestBody; rb != nil {
		c.contentType = "application/json"
		c.body, _ = json.Marshal(f.object(rb.Value.Content.Get("application/json").Schema.Value, c))
	} else {
		c.noBody = true
	}
	return c
}

// fixture picks a release for the operation: most of the time one in a
// state where it succeeds, so that refusals for its values are not hidden
// behind refusals for the state.
func (f *fuzzer) fixture(o fuzzOp) string {
	var fit []gonogo.State
	switch o.op.OperationID {
	case "reportCheck":
		fit = []gonogo.State{gonogo.Draft, gonogo.Review}
	case "reportEvent", "gate", "gateHead", "gateByID", "gateByIDHead":
		fit = []gonogo.State{gonogo.Go, gonogo.Deploying, gonogo.Verifying}
	case "stageGate", "stageGateHead", "stageGateByID", "stageGateByIDHead":
		fit = []gonogo.State{gonogo.Deploying}
	}
	var versions []string
	for _, v := range slices.Sorted(maps.Keys(f.states)) {
		if slices.Contains(fit, f.states[v]) || len(fit) == 0 || f.chance(0.1) {
			versions = append(versions, v)
		}
	}
	return pick(f, versions...)
}

// setParam sets a path value, escaped as one of the clients would.
func (c *fuzzCase) setParam(f *fuzzer, name, value string) {
	c.params[name] = value
	c.rawParams[name] = pick(f, pathEncoders...).encode(value)
}

func (c *fuzzCase) addQuery(name, value string) {
	if c.query != "" {
		c.query += "&"
	}
	c.query += url.QueryEscape(name) + "=" + url.QueryEscape(value)
}

// newVersion is a version no release has, in the document's pattern.
func (f *fuzzer) newVersion() string {
	f.n++
	return fmt.Sprintf("%d.%d.%d", 5+f.n/100, f.n%100, f.rng.IntN(10)) + pick(f, "", "+build."+strconv.Itoa(f.n), "~rc.1", "-ü", "_1", "%2B")
}

// object makes an object that fits schema s: every required field, and
// each other one half the time.
func (f *fuzzer) object(s *openapi3.Schema, c *fuzzCase) map[string]any {
	out := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		if slices.Contains(s.Required, name) || f.chance(0.5) {
			out[name] = f.value(name, s.Properties[name], c)
		}
	}
	return out
}

// value makes a value that fits the schema of the field name.
func (f *fuzzer) value(name string, ref *openapi3.SchemaRef, c *fuzzCase) any {
	s := ref.Value
	switch {
	case len(s.Enum) > 0:
		return pick(f, s.Enum...)
	case strings.HasSuffix(ref.Ref, "/Product"):
		return pick(f, "fuzz", "fuzz", "other", "new-"+strconv.Itoa(f.rng.IntN(5)))
	case strings.HasSuffix(ref.Ref, "/Version"):
		if f.chance(0.2) {
			return pick(f, slices.Sorted(maps.Keys(f.states))...)
		}
		return f.newVersion()
	case s.Type.Is(openapi3.TypeInteger):
		return f.ids[pick(f, slices.Sorted(maps.Keys(f.ids))...)]
	case s.Type.Is(openapi3.TypeBoolean):
		return f.chance(0.5)
	case strings.HasSuffix(ref.Ref, "/Link"):
		return pick(f, "", "https://ci.example.com/runs/"+strconv.Itoa(f.rng.IntN(1000)), "http://ci.example.com/a?b=c&d=é#e")
	}
	min, max := int(s.MinLength), 60
	if s.MaxLength != nil && int(*s.MaxLength) < max {
		max = int(*s.MaxLength)
	}
	if f.chance(0.05) && s.MaxLength != nil {
		max = int(*s.MaxLength) // at the limit
		return strings.Repeat(pick(f, "a", "é", "版"), max)
	}
	return f.text(min, max, name == "summary" && c.op.op.OperationID == "createRelease")
}

// textWords are what random text is made of: words of several scripts,
// markup and quotes.
var textWords = []string{"Apple", "Pay", "in", "checkout", "ünïcödé", "版本", "🚀", "<b>bold</b>", "&amp;", `"quoted"`, "it's", `back\slash`, "50%", "a+b", "x/y", "?q=1#h"}

// text makes text of between min and max characters, without white space
// at either end; of several lines if lines.
func (f *fuzzer) text(min, max int, lines bool) string {
	var b strings.Builder
	for i := range 1 + f.rng.IntN(8) {
		if i > 0 {
			if lines && f.chance(0.2) {
				b.WriteString("\n")
			} else {
				b.WriteString(" ")
			}
		}
		b.WriteString(pick(f, textWords...))
	}
	out := []rune(b.String())
	if len(out) > max {
		out = []rune(strings.TrimSpace(string(out[:max])))
	}
	for len(out) < min {
		out = append(out, 'x')
	}
	return string(out)
}

// mutate makes the case depart from the document in one way: of its
// token, its method, a path or query value, or, most often, its body.
func (f *fuzzer) mutate(c *fuzzCase) {
	type group struct {
		weight int
		ways   []func()
	}
	var token, method, params, body group
	token.weight, method.weight, params.weight, body.weight = 2, 1, 2, 6
	if c.op.op.Security == nil || len(*c.op.op.Security) > 0 {
		token.ways = []func(){
			func() { f.setToken(c, "no token", "", "none") },
			func() { f.setToken(c, "not a bearer token", "Basic Zm9vOmJhcg==", "malformed") },
			func() { f.setToken(c, "an empty bearer token", "Bearer ", "malformed") },
			func() { f.setToken(c, "an unknown token", fmt.Sprintf("Bearer gng_%016x", f.rng.Uint64()), "unknown") },
			func() { f.setToken(c, "a revoked token", "Bearer "+f.tokens["revoked"], "revoked") },
			func() { f.setToken(c, "a token for another product", "Bearer "+f.tokens["other"], "other") },
			func() { f.setToken(c, "a token for this product", "Bearer "+f.tokens["product"], "product") },
			func() { f.setToken(c, "the scheme in lower case", "bearer "+f.tokens["good"], "good") },
		}
	}
	method.ways = []func(){func() {
		var wrong []string
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if c.op.item.GetOperation(m) == nil {
				wrong = append(wrong, m)
			}
		}
		c.method = pick(f, wrong...)
		c.what = append(c.what, "method "+c.method)
	}}
	for _, name := range slices.Sorted(maps.Keys(c.params)) {
		params.ways = append(params.ways, func() { f.badParam(c, name) })
	}
	if c.op.op.OperationID == "listReleases" || c.op.op.OperationID == "listReleasesHead" {
		params.ways = append(params.ways, func() {
			name := pick(f, "product", "state")
			v := pick(f, "Fuzz", "", " fuzz", "a/b", strings.Repeat("f", 41), "bogus", "GO", "go,", " go", "go,,review")
			c.addQuery(name, v)
			c.what = append(c.what, fmt.Sprintf("query %s=%q", name, v))
		})
	}
	if c.op.op.OperationID == "insights" || c.op.op.OperationID == "insightsHead" {
		params.ways = append(params.ways, func() { f.badInsightsQuery(c) })
	}
	if c.op.op.RequestBody != nil {
		f.bodyWays(c, func(fn func()) { body.ways = append(body.ways, fn) })
	}
	var total int
	groups := []group{token, method, params, body}
	for _, g := range groups {
		if len(g.ways) > 0 {
			total += g.weight
		}
	}
	n := f.rng.IntN(total)
	for _, g := range groups {
		if len(g.ways) == 0 {
			continue
		}
		if n < g.weight {
			pick(f, g.ways...)()
			return
		}
		n -= g.weight
	}
}

func (f *fuzzer) setToken(c *fuzzCase, what, header, kind string) {
	c.token, c.tokenKind = header, kind
	c.what = append(c.what, what)
}

// badParam gives a path value one that no release has, or one that the
// document's pattern forbids.
func (f *fuzzer) badParam(c *fuzzCase, name string) {
	values := map[string][]string{
		"product": {"Fuzz", "fu zz", "-fuzz", strings.Repeat("f", 41), "füzz", "other", "nothing-here"},
		"version": {"9.9.9", ".1", "1 0", "a/b", "1.0\u0301", strings.Repeat("1", 41), "2.0.0 ", "2.0.0?x=1", "2.0.0#x"},
		"key":     {"Smoke-Test", "smoke_test", " smoke-test", strings.Repeat("k", 41), "no-such-check"},
		"id":      {"0", "-1", "abc", "1.5", "99999999999999999999"},
	}[name]
	v := pick(f, values...)
	c.setParam(f, name, v)
	c.what = append(c.what, fmt.Sprintf("path %s %q", name, v))
}

// badInsightsQuery gives the insights a query parameter the server
// refuses: one the document forbids, or one it cannot (a parameter given
// twice or unknown, a range without its end or ending before it starts, a
// period asked for both ways), which is beyond it.
func (f *fuzzer) badInsightsQuery(c *fuzzCase) {
	bad := []struct {
		name, value string
		beyond      bool
	}{
		{"last", "0", false}, {"last", "3661", false}, {"last", "a week", false}, {"last", "1.5", false},
		{"product", "Fuzz", false}, {"product", " fuzz", false}, {"product", strings.Repeat("f", 41), false},
		{"from", "2026-13-01", false}, {"from", "1/2/2026", false}, {"to", "2026-02-30", false},
		{"last", "", true}, {"product", "", true}, {"lats", "30", true}, {"from", "2026-05-01", true},
		{"to", "2025-12-31", true}, {"from", "2010-01-01", true},
	}
	b := pick(f, bad...)
	if strings.Contains("&"+c.query, "&"+b.name+"=") {
		b.beyond = true // given twice
	}
	c.addQuery(b.name, b.value)
	c.what = append(c.what, fmt.Sprintf("query %s=%q", b.name, b.value))
	c.beyond = c.beyond || b.beyond
}

// bodyWays are the ways a body departs from the document.
func (f *fuzzer) bodyWays(c *fuzzCase, way func(func())) {
	schema := c.op.op.RequestBody.Value.Content.Get("application/json").Schema.Value
	var obj map[string]any
	_ = json.Unmarshal(c.body, &obj)
	set := func(what string, o map[string]any) {
		c.body, _ = json.Marshal(o)
		c.what = append(c.what, what)
	}
	field := pick(f, slices.Sorted(maps.Keys(schema.Properties))...)
	prop := schema.Properties[field].Value
	with := func(v any) map[string]any {
		o := map[string]any{}
		for k, x := range obj {
			o[k] = x
		}
		o[field] = v
		return o
	}
	// raw replaces the field's value with text that JSON's encoder would not write.
	raw := func(what, text string) {
		b, _ := json.Marshal(with("ZZMARKZZ"))
		c.body = bytes.Replace(b, []byte("ZZMARKZZ"), []byte(text), 1)
		c.what = append(c.what, what)
	}
	way(func() {
		c.body, c.noBody = nil, true
		c.what = append(c.what, "no body")
		if f.chance(0.5) {
			c.contentType = ""
		}
	})
	way(func() {
		c.body = []byte(pick(f, `[]`, `"pass"`, `1`, `null`, `true`, `[`+string(c.body)+`]`, ``))
		c.what = append(c.what, "a body that is not an object")
	})
	way(func() {
		if len(c.body) == 0 {
			c.body = []byte(`{`) // an operation whose every field is optional sends "{}"; cut short, "{"
		} else {
			c.body = c.body[:f.rng.IntN(len(c.body))]
		}
		c.what = append(c.what, "a body cut short")
	})
	way(func() { raw("invalid UTF-8 in "+field, "ab\xffcd"); c.beyond = true })
	way(func() { raw("half a UTF-16 pair in "+field, `ab\ud800cd`); c.beyond = true })
	way(func() {
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			dup, _ := json.Marshal(map[string]any{k: obj[k]})
			c.body = append(bytes.TrimSuffix(c.body, []byte("}")), append([]byte(","), dup[1:]...)...)
			c.what = append(c.what, "the key "+k+" twice")
			c.beyond = true
			return
		}
		c.body = []byte(`{"a":1,"a":1}`)
		c.what = append(c.what, "an unknown key twice")
	})
	way(func() {
		o := with(nil)
		delete(o, field)
		set("no "+field, o)
	})
	way(func() {
		o := with(obj[field])
		if obj[field] == nil {
			delete(o, field)
		}
		extra := pick(f, "extra", strings.ToUpper(field[:1])+field[1:], strings.ToUpper(field))
		o[extra] = "x"
		set("an unknown field "+extra, o)
	})
	way(func() {
		v := pick[any](f, 1, 1.5, true, nil, []any{}, map[string]any{}, []any{"pass"})
		set(fmt.Sprintf("%s of the wrong type %v", field, v), with(v))
	})
	if len(prop.Enum) > 0 {
		way(func() {
			e := pick(f, prop.Enum...).(string)
			v := pick(f, strings.ToUpper(e), " "+e, e+" ", "bogus", "")
			set(fmt.Sprintf("%s %q, not one of the enum", field, v), with(v))
		})
	}
	if prop.MaxLength != nil {
		way(func() {
			v := strings.Repeat(pick(f, "a", "é", "版"), int(*prop.MaxLength)+1+f.rng.IntN(3))
			set(fmt.Sprintf("%s of %d characters", field, len([]rune(v))), with(v))
		})
	}
	if prop.Pattern != "" {
		way(func() {
			v := pick(f, "Fuzz", "a/b", ".1", "x y", "-x", "1.0\u0301")
			set(fmt.Sprintf("%s %q, not in its pattern", field, v), with(v))
		})
	}
	way(func() {
		s, _ := obj[field].(string)
		v := pick(f, " "+s, s+" ", "\t"+s, s+"\n", "\u00a0"+s)
		set(fmt.Sprintf("%s with white space around it", field), with(v))
	})
	way(func() { set("a control character in "+field, with(fmt.Sprint(obj[field])+"\x01")) })
	if prop.MinLength > 0 {
		way(func() { set(field+" empty", with("")) })
	}
	way(func() {
		c.contentType = pick(f, "", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1",
			"application/xml", "application/merge-patch+json")
		c.what = append(c.what, fmt.Sprintf("Content-Type %q", c.contentType))
	})
	way(func() {
		if f.chance(0.2) {
			set("a body over 1 MB", with(strings.Repeat("x", 1<<20+10)))
		}
	})
}

// bearerShape is the document's view of the Authorization header: it
// cannot know which tokens the board has made, only that one is sent.
func bearerShape(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme, secret, _ := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return in.NewError(fmt.Errorf("no bearer token"))
	}
	return nil
}

// run sends the case and returns what is wrong with the answer, if anything.
func (f *fuzzer) run(c *fuzzCase) string {
	newReq := func() *http.Request {
		var body io.Reader
		if !c.noBody {
			body = bytes.NewReader(c.body)
		}
		req, err := http.NewRequestWithContext(f.t.Context(), c.method, c.url(f.s.URL), body)
		if err != nil {
			f.t.Fatalf("%v\n%s", err, c)
		}
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		if c.token != "" {
			req.Header.Set("Authorization", c.token)
		}
		return req
	}
	res, err := http.DefaultClient.Do(newReq())
	if err != nil {
		return err.Error()
	}
	c.answer, _ = io.ReadAll(res.Body)
	res.Body.Close()
	c.status, c.header = res.StatusCode, res.Header
	if f.seen[c.op.op.OperationID] == nil {
		f.seen[c.op.op.OperationID] = map[int]int{}
	}
	f.seen[c.op.op.OperationID][c.status]++

	if c.status >= 500 {
		return "a 5xx"
	}
	resp := c.op.op.Responses.Status(c.status)
	if resp == nil {
		return fmt.Sprintf("status %d is not listed for %s", c.status, c.op.op.OperationID)
	}
	ct := res.Header.Get("Content-Type")
	if len(resp.Value.Content) > 0 && resp.Value.Content.Get(ct) == nil {
		return fmt.Sprintf("Content-Type %q is not listed for %d", ct, c.status)
	}
	if c.method == http.MethodHead && len(c.answer) > 0 {
		return "HEAD answered a body"
	}
	route := &routers.Route{Spec: f.doc, Path: c.op.path, PathItem: c.op.item, Method: c.op.method, Operation: c.op.op}
	in := &openapi3filter.RequestValidationInput{Request: newReq(), PathParams: c.params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: bearerShape}}
	if err := openapi3filter.ValidateResponse(f.t.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: c.status, Header: res.Header,
		Body: io.NopCloser(bytes.NewReader(c.answer)), Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}); err != nil {
		return "the answer does not match the document: " + err.Error()
	}

	refused := c.status >= 400
	switch {
	case c.method != c.op.method:
		// The body limit is checked first, whatever the method.
		if c.status != http.StatusMethodNotAllowed && (c.status != http.StatusRequestEntityTooLarge || len(c.body) <= 1<<20) {
			return "a wrong method was not answered 405"
		}
	case c.tokenKind == "none" || c.tokenKind == "malformed" || c.tokenKind == "unknown" || c.tokenKind == "revoked":
		if c.status != http.StatusUnauthorized {
			return "a request without a valid token was not answered 401"
		}
	case c.beyond:
		if !refused {
			return "the server took a body it cannot read exactly"
		}
	default:
		in.Request = newReq()
		verr := openapi3filter.ValidateRequest(f.t.Context(), in)
		f.verdicts[verr == nil]++
		switch {
		case verr != nil && !refused:
			return "the server took a request the document forbids: " + verr.Error()
		case verr == nil && c.tokenKind == "good" && slices.Contains([]int{400, 401, 403, 415}, c.status):
			return "the server called malformed a request the document allows"
		}
	}
	return ""
}

// report logs what each operation answered, and fails if the fuzzer never
// reached an operation's success or its refusals.
func (f *fuzzer) report(t *testing.T) {
	t.Logf("with a valid token and method: %d requests the document allows, %d it forbids", f.verdicts[true], f.verdicts[false])
	for _, o := range f.ops {
		seen := f.seen[o.op.OperationID]
		t.Logf("%-18s %v", o.op.OperationID, seen)
		ok, refused := false, false
		for code := range seen {
			ok = ok || code < 300
			refused = refused || code >= 400
		}
		if !ok || !refused {
			t.Errorf("%s: answered %v; the fuzzer should reach both its success and its refusals", o.op.OperationID, seen)
		}
	}
}
