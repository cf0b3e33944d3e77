package handlers_test

import (
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Hostile input: every form and API endpoint, taken from the route tables
// (authTable, apiAuthTable, publicTable) with their valid forms as the base,
// is sent what no browser or pipeline sends (hostile_test.go), and XSS
// payloads through every field (hostile_xss_test.go).

// tooLong is longer than any field gonogo takes, within the body limit.
var tooLong = strings.Repeat("x", 100_000)

// listFields are the form fields that are lists (checkbox groups): sending
// them more than once is how a browser sends a list.
var listFields = []string{"roles", "topics"}

// optionalFields fill, for the forms that have them, the fields authTable's
// valid forms leave empty, so that every field a person can fill is tried.
// Together with authTable's they are still valid; TestHostileXSSNeverRenders
// fails a form that takes nothing at all.
var optionalFields = map[string]url.Values{
	"POST /releases":                 {"summary": {"Checkout, faster."}, "window_start": {"2099-03-01T20:00"}, "window_end": {"2099-03-01T22:00"}},
	"POST /releases/:id":             {"summary": {"Checkout, faster."}},
	"POST /releases/:id/items/:item": {"evidence": {"https://ci.example.com/runs/1"}},
	"POST /releases/:id/items":       {"guidance": {"Ask legal."}, "check_key": {"legal-ok"}},
	"POST /releases/:id/defects": {"key": {"PAY-1"}, "tracker_url": {"https://tracker.example.com/PAY-1"},
		"notes": {"Seen on Safari."}, "status": {"open"}},
	"POST /releases/:id/defects/:defect": {"key": {"PAY-1"}, "tracker_url": {"https://tracker.example.com/PAY-1"},
		"notes": {"Seen on Safari."}},
	"POST /releases/:id/defects/:defect/status": {"reason": {"Fixed in build 7."}},
	"POST /releases/:id/votes":                  {"comment": {"Regression suite green."}, "conditions": {"ops: deploy off-peak"}},
	"POST /releases/:id/decisions":              {"conditions": {"ops: deploy off-peak"}},
	"POST /releases/:id/notes":                  notesExtras,
	"POST /releases/:id/notes/publish":          notesExtras,
	"POST /releases/:id/notes/preview":          notesExtras,
	"POST /freezes":                             {"reason": {"Black Friday."}},
	"POST /admin/settings":                      {"start_1": {"20:00"}, "end_1": {"23:00"}},
	"POST /admin/tokens":                        {"product": {"authz"}},
	"POST /admin/template":                      {"guidance": {"Flip the flag off."}, "check_key": {"flag-off"}, "required": {"1"}},
	"POST /admin/template/:id":                  {"guidance": {"Flip the flag off."}, "check_key": {"flag-off"}, "required": {"1"}},
}

var notesExtras = url.Values{"changes": {"Faster."}, "fixes": {"Refunds round right."}, "known_issues": {"Safari 16 flickers."},
	"internal": {"Ask ops first."}, "links": {"Help | https://help.example.com/pay"}, "note": {"Typo fixed."}}

// fullForm is a route's valid form, every field filled, for the fixture.
func fullForm(key string, fx fixture) url.Values {
	form := url.Values{}
	for _, f := range []url.Values{authTable[key].form, optionalFields[key]} {
		for k, vs := range f {
			for _, v := range vs {
				form.Add(k, fx.fill(v))
			}
		}
	}
	return form
}

// variant is one hostile request: a form or body, and how it is sent.
type variant struct {
	name        string
	body        string
	contentType string // "" sends none
}

// formVariants are the hostile versions of a valid form.
func formVariants(base url.Values) []variant {
	form := func(name string, f url.Values) variant {
		return variant{name, f.Encode(), "application/x-www-form-urlencoded"}
	}
	var out []variant
	for _, k := range slices.Sorted(maps.Keys(base)) {
		v := base.Get(k)
		for _, bad := range []struct{ name, value string }{
			{"too long", tooLong}, {"invalid UTF-8", v + "\xff\xfe"}, {"NUL", v + "\x00"}, {"control character", v + "\x1b[2J"},
		} {
			f := cloneForm(base)
			f.Set(k, bad.value)
			out = append(out, form(k+" "+bad.name, f))
		}
		if !slices.Contains(listFields, k) {
			f := cloneForm(base)
			f.Add(k, v+"-again")
			out = append(out, form(k+" twice", f))
		}
	}
	out = append(out, variant{"broken escape", base.Encode() + "&title=%zz", "application/x-www-form-urlencoded"})
	huge := cloneForm(base)
	huge.Set("padding", strings.Repeat("x", 2<<20))
	js, _ := json.Marshal(base)
	return append(out,
		form("huge body", huge),
		variant{"as JSON", string(js), "application/json"},
		variant{"as plain text", base.Encode(), "text/plain"},
		variant{"multipart without a boundary", base.Encode(), "multipart/form-data"},
		variant{"no content type", base.Encode(), ""},
	)
}

// jsonVariants are the hostile versions of a valid API body.
func jsonVariants(base string) []variant {
	var fields map[string]any
	if err := json.Unmarshal([]byte(base), &fields); err != nil {
		panic(err)
	}
	body := func(name string, f map[string]any) variant {
		b, _ := json.Marshal(f)
		return variant{name, string(b), "application/json"}
	}
	var out []variant
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v, _ := fields[k].(string)
		for _, bad := range []struct{ name, value string }{{"too long", tooLong}, {"NUL", v + "\x00"}, {"control character", v + "\x1b[2J"}} {
			f := maps.Clone(fields)
			f[k] = bad.value
			out = append(out, body(k+" "+bad.name, f))
		}
		// encoding/json would mend invalid UTF-8, so it is written by hand.
		f := maps.Clone(fields)
		f[k] = "MARK"
		b, _ := json.Marshal(f)
		out = append(out, variant{k + " invalid UTF-8", strings.Replace(string(b), "MARK", v+"\xff\xfe", 1), "application/json"})
		again, _ := json.Marshal(v + "-again")
		out = append(out, variant{k + " twice", strings.TrimSuffix(base, "}") + `,"` + k + `":` + string(again) + "}", "application/json"})
	}
	return append(out,
		variant{"huge body", strings.TrimSuffix(base, "}") + `,"padding":"` + strings.Repeat("x", 2<<20) + `"}`, "application/json"},
		variant{"not an object", `["` + base + `"]`, "application/json"},
		variant{"two objects", base + base, "application/json"},
		variant{"as a form", base, "application/x-www-form-urlencoded"},
		variant{"as plain text", base, "text/plain"},
		variant{"as JSON of another kind", base, "application/json-patch+json"},
	)
}

// pathVariants replace each placeholder of a route's path in turn with what
// no link holds: for an id, what is not one; for a name, what no product
// or version may be called.
func pathVariants(path string) []struct{ name, path string } {
	ids := []string{"%00", "%FF", "-1", "0", "99999999999999999999", "1%20OR%201=1", "..%2F..%2Fadmin", strings.Repeat("9", 5000)}
	names := []string{"%00", "%FF", "..%2F..%2Fadmin", "%3Cscript%3E", "a%20b", strings.Repeat("a", 5000)}
	var out []struct{ name, path string }
	for _, ph := range []string{"{release}", "{item}", "{custom}", "{defect}", "{decided}", "{freeze}", "{comment}", "{user}",
		"{tpl}", "{token}", "{webhook}", "{goID}", "{version}", "{go}", "{draft}", "{deploying}", "{product}"} {
		if !strings.Contains(path, ph) {
			continue
		}
		bad := ids
		if slices.Contains([]string{"{version}", "{go}", "{draft}", "{deploying}", "{product}"}, ph) {
			bad = names
		}
		for _, b := range bad {
			out = append(out, struct{ name, path string }{ph + "=" + b, strings.ReplaceAll(path, ph, b)})
		}
	}
	return out
}

func cloneForm(f url.Values) url.Values {
	out := url.Values{}
	for k, v := range f {
		out[k] = slices.Clone(v)
	}
	return out
}
