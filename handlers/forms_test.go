package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// refusedForm is a form posted with something wrong in it.
type refusedForm struct {
	name   string
	who    string // signs in as; "" for nobody
	path   string // where the form posts; {release}, {defect}, {item}, {user}, {comment}, {tpl} filled in
	values url.Values
	hx     bool   // posted as htmx posts it: the answer is a fragment
	field  string // the field that takes the focus: the first in error
	kept   []string
	status int
}

// formFixture is a board with one of everything a form changes: a
// release in review with a blocker, a discussion and its checklist, and a
// second board without accounts, for the setup form.
type formFixture struct {
	s, fresh *testServer
	ids      *strings.Replacer // fills in the ids of a refusedForm's path and values
}

func newFormFixture(t *testing.T) *formFixture {
	t.Helper()
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	d := s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Checkout fails on Safari", Severity: gonogo.Blocker})
	it := s.mustItem(t, rel.ID, s.firstItemTitle(t, rel.ID))
	s.discuss(t, rel.ID)
	s.setState(t, rel.ID, gonogo.Review)
	tpl, err := s.store.FindTemplate(t.Context())
	if err != nil || len(tpl) == 0 {
		t.Fatalf("template: %v", err)
	}
	return &formFixture{s: s, fresh: newEmptyServer(t), ids: strings.NewReplacer(
		"{release}", itoa(rel.ID), "{defect}", itoa(d.ID), "{item}", itoa(it.ID), "{user}", itoa(s.users["support"].ID),
		"{comment}", itoa(s.firstComment(t, rel.ID)), "{tpl}", itoa(tpl[0].ID))}
}

// firstItemTitle is the title of a release's first checklist item.
func (s *testServer) firstItemTitle(t *testing.T, releaseID int64) string {
	t.Helper()
	items, err := s.store.FindItems(t.Context(), releaseID)
	if err != nil || len(items) == 0 {
		t.Fatalf("items: %v", err)
	}
	return items[0].Title
}

var refusedForms = []refusedForm{
	{name: "new release", who: "rm", path: "/releases",
		values: url.Values{"product": {"payments"}, "version": {""}, "title": {"Apple Pay in checkout"}, "summary": {"Wallets."}},
		field:  "version", kept: []string{"product", "title", "summary"}},
	{name: "edit release", who: "rm", path: "/releases/{release}",
		values: url.Values{"title": {""}, "summary": {"Wallets, again."}},
		field:  "title", kept: []string{"summary"}},
	{name: "add defect, blank title", who: "qa", path: "/releases/{release}/defects",
		values: url.Values{"title": {"   "}, "severity": {"critical"}, "status": {"open"}, "tracker_url": {"ftp://tracker.example.com/PAY-9"}, "notes": {"Seen on iOS."}},
		field:  "title", kept: []string{"severity", "tracker_url", "notes"}},
	{name: "add defect, bad link", who: "qa", path: "/releases/{release}/defects",
		values: url.Values{"title": {"Refund rounding"}, "severity": {"minor"}, "status": {"open"}, "tracker_url": {"ftp://tracker.example.com/PAY-9"}},
		field:  "tracker_url", kept: []string{"title", "severity", "tracker_url"}},
	{name: "edit defect", who: "qa", path: "/releases/{release}/defects/{defect}",
		values: url.Values{"title": {""}, "severity": {"blocker"}, "notes": {"Only on Safari 17."}},
		field:  "title", kept: []string{"severity", "notes"}},
	{name: "defer a blocker without a reason", who: "qa", path: "/releases/{release}/defects/{defect}/status",
		values: url.Values{"status": {"deferred"}, "reason": {""}},
		field:  "reason", kept: []string{"status"}},
	{name: "defer a blocker without a reason, htmx", who: "qa", path: "/releases/{release}/defects/{defect}/status", hx: true,
		values: url.Values{"status": {"wont-fix"}, "reason": {"  "}},
		field:  "reason", kept: []string{"status"}},
	{name: "defer a blocker without a reason, on the defects page", who: "qa", path: "/releases/{release}/defects/{defect}/status",
		values: url.Values{"status": {"deferred"}, "reason": {""}, "view": {"list"}},
		field:  "reason", kept: []string{"status"}},
	{name: "paste preview", who: "qa", path: "/releases/{release}/defects/paste",
		values: url.Values{"text": {"blocker | PAY-1 | Checkout fails\nsevere | PAY-2 | Typo"}},
		field:  "text", kept: []string{"text"}},
	{name: "paste preview, htmx", who: "qa", path: "/releases/{release}/defects/paste", hx: true,
		values: url.Values{"text": {"severe | PAY-2 | Typo"}},
		field:  "text", kept: []string{"text"}},
	{name: "paste import", who: "qa", path: "/releases/{release}/defects/import",
		values: url.Values{"text": {"severe | PAY-2 | Typo"}},
		field:  "text", kept: []string{"text"}},
	{name: "add checklist item", who: "rm", path: "/releases/{release}/items",
		values: url.Values{"phase": {"readiness"}, "pillar": {"technical"}, "title": {""}, "guidance": {"Run it twice."}, "owner_role": {"qa-lead"}, "check_key": {"soak-test"}, "required": {"1"}},
		field:  "title", kept: []string{"phase", "pillar", "guidance", "owner_role", "check_key"}},
	{name: "n/a without a reason", who: "rm", path: "/releases/{release}/items/{item}",
		values: url.Values{"status": {"n/a"}, "evidence": {""}},
		field:  "evidence"},
	{name: "n/a without a reason, htmx", who: "rm", path: "/releases/{release}/items/{item}", hx: true,
		values: url.Values{"status": {"n/a"}, "evidence": {" "}},
		field:  "evidence"},
	{name: "No-Go without a comment", who: "qa", path: "/releases/{release}/votes",
		values: url.Values{"role": {"qa-lead"}, "value": {"no-go"}, "conditions": {"Fix PAY-142 first"}},
		field:  "comment", kept: []string{"conditions"}},
	{name: "No-Go without a comment, htmx", who: "qa", path: "/releases/{release}/votes", hx: true,
		values: url.Values{"role": {"qa-lead"}, "value": {"no-go"}, "conditions": {"Fix PAY-142 first"}},
		field:  "comment", kept: []string{"conditions"}},
	{name: "waive a role without a reason", who: "rm", path: "/releases/{release}/roles/support-lead",
		values: url.Values{"required": {"0"}, "reason": {""}},
		field:  "reason"},
	{name: "No-Go decision without a rationale", who: "rm", path: "/releases/{release}/decisions",
		values: url.Values{"outcome": {"no-go"}, "rationale": {""}, "conditions": {"ops: watch the queue"}},
		field:  "rationale", kept: []string{"conditions"}},
	{name: "window without a start", who: "rm", path: "/releases/{release}/window",
		values: url.Values{"window_start": {""}, "window_end": {"2030-01-08T22:00"}},
		field:  "window_start", kept: []string{"window_end"}},
	{name: "freeze without a name", who: "rm", path: "/freezes",
		values: url.Values{"name": {""}, "reason": {"Sales"}, "kind": {"once"}, "start": {"2030-11-27T00:00"}, "end": {"2030-11-30T00:00"}, "products": {"payments"}},
		field:  "name", kept: []string{"reason", "start", "end", "products"}},
	{name: "notes without a title", who: "rm", path: "/releases/{release}/notes",
		values: url.Values{"title": {""}, "highlights": {"Apple Pay"}, "links": {"Help | https://help.example.com"}},
		field:  "title", kept: []string{"highlights", "links"}},
	{name: "empty comment", who: "qa", path: "/releases/{release}/comments",
		values: url.Values{"body": {"   "}},
		field:  "body"},
	{name: "empty reply", who: "eng", path: "/releases/{release}/comments",
		values: url.Values{"body": {""}, "parent_id": {"{comment}"}},
		field:  "body", kept: []string{"parent_id"}},
	{name: "empty edit of a comment", who: "qa", path: "/releases/{release}/comments/{comment}",
		values: url.Values{"body": {" "}},
		field:  "body"},
	{name: "short new password", who: "rm", path: "/profile/password",
		values: url.Values{"current": {testPassword}, "new": {"short"}},
		field:  "new"},
	{name: "new person", who: "admin", path: "/admin/users",
		values: url.Values{"name": {""}, "email": {"ada@example.com"}, "password": {"short"}, "roles": {"qa-lead"}},
		field:  "name", kept: []string{"email", "roles"}},
	{name: "edit person", who: "admin", path: "/admin/users/{user}",
		values: url.Values{"name": {""}, "roles": {"support-lead"}},
		field:  "name", kept: []string{"roles"}},
	{name: "reset a password", who: "admin", path: "/admin/users/{user}/password",
		values: url.Values{"password": {"short"}},
		field:  "password"},
	{name: "add template item", who: "admin", path: "/admin/template",
		values: url.Values{"phase": {"rollback"}, "title": {""}, "guidance": {"Restore the snapshot."}, "owner_role": {"ops"}},
		field:  "title", kept: []string{"phase", "guidance", "owner_role"}},
	{name: "edit template item", who: "admin", path: "/admin/template/{tpl}",
		values: url.Values{"phase": {"readiness"}, "pillar": {"technical"}, "title": {""}, "guidance": {"Kept."}, "owner_role": {"engineering-lead"}},
		field:  "title", kept: []string{"guidance", "owner_role"}},
	{name: "API token", who: "admin", path: "/admin/tokens",
		values: url.Values{"name": {""}, "product": {"payments"}},
		field:  "name", kept: []string{"product"}},
	{name: "webhook", who: "admin", path: "/admin/webhooks",
		values: url.Values{"url": {"ftp://hooks.example.com"}, "secret": {"0123456789abcdef"}, "topics": {"decision.recorded"}},
		field:  "url", kept: []string{"url", "topics"}},
	{name: "settings", who: "admin", path: "/admin/settings",
		values: url.Values{"zone": {"Mars/Olympus"}, "start_1": {"22:00"}, "end_1": {"04:00"}},
		field:  "zone", kept: []string{"zone", "start_1", "end_1"}},
	{name: "verify a checkpoint", who: "admin", path: "/admin/audit/verify",
		values: url.Values{"checkpoint": {"not a checkpoint"}},
		field:  "checkpoint", kept: []string{"checkpoint"}},
	{name: "sign in", path: "/login",
		values: url.Values{"email": {"rm@example.com"}, "password": {"not the password"}},
		field:  "password", kept: []string{"email"}, status: http.StatusUnauthorized},
	{name: "setup", who: "-", path: "/setup",
		values: url.Values{"name": {""}, "email": {"ada@example.com"}, "password": {"correct horse battery"}},
		field:  "name", kept: []string{"email"}},
}

// TestRefusedFormsShowWhereAndWhy posts every form of the app with
// something wrong in it. Each answers the same way: 422 (401 for a sign-in),
// the form again with what was typed, a summary at its top that links each
// message to its field, the message beside the field, the field marked
// invalid and described by its message, and the focus on the first field in
// error, by autofocus, which browsers honour without JavaScript and htmx
// honours after a swap.
func TestRefusedFormsShowWhereAndWhy(t *testing.T) {
	f := newFormFixture(t)
	clients := map[string]*client{"": f.s.client(t), "-": f.fresh.client(t)}
	for _, tc := range refusedForms {
		t.Run(tc.name, func(t *testing.T) {
			c := clients[tc.who]
			if c == nil {
				c = f.s.signIn(t, tc.who)
				clients[tc.who] = c
			}
			c.t = t
			switch tc.who {
			case "":
				c.get("/login")
			case "-":
				c.get("/setup")
			case "ops":
				c.post("/profile/feed-token", nil) // something to revoke
			}
			values := url.Values{}
			for k, vs := range tc.values {
				for _, v := range vs {
					values.Add(k, f.ids.Replace(v))
				}
			}
			path := f.ids.Replace(tc.path)
			var res *http.Response
			if tc.hx {
				res = c.postHX(path, values)
			} else {
				res = c.post(path, values)
			}
			want := tc.status
			if want == 0 {
				want = http.StatusUnprocessableEntity
			}
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != want {
				t.Fatalf("status %d, want %d\n%s", res.StatusCode, want, body)
			}
			doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
			if err != nil {
				t.Fatal(err)
			}
			checkRefusal(t, doc, tc, values)
			if !tc.hx {
				for _, p := range htmlProblems(body) {
					t.Error(p)
				}
			}
		})
	}
}

// checkRefusal checks what a refused form shows.
func checkRefusal(t *testing.T, doc *goquery.Document, tc refusedForm, sent url.Values) {
	t.Helper()
	invalid := doc.Find(`[aria-invalid="true"]`)
	if invalid.Length() == 0 {
		t.Fatalf("no field is marked invalid")
	}
	field := invalid.First()
	if name := field.AttrOr("name", ""); name != tc.field {
		t.Errorf("the first field in error is %q, want %q", name, tc.field)
	}
	focus := doc.Find("[autofocus]")
	if focus.Length() != 1 || !focus.IsSelection(field) {
		t.Errorf("%d elements have autofocus; want only the first field in error", focus.Length())
	}
	id := field.AttrOr("id", "")
	msgID := field.AttrOr("aria-describedby", "")
	msg := doc.Find("#" + msgID)
	if id == "" || msgID == "" || msg.Length() != 1 || strings.TrimSpace(msg.Text()) == "" {
		t.Fatalf("field %q (id %q) is described by %q, which says %q", tc.field, id, msgID, msg.Text())
	}
	form := field.Closest("form")
	if form.Length() == 0 {
		t.Fatal("the field is in no form")
	}
	summary := form.Find("[data-testid=error-summary]")
	if summary.Length() != 1 || summary.AttrOr("role", "") != "alert" {
		t.Fatalf("the form has %d error summaries (role %q)", summary.Length(), summary.AttrOr("role", ""))
	}
	if summary.Nodes[0] != form.Children().Nodes[firstShown(form)] {
		t.Errorf("the summary is not at the top of the form")
	}
	link := summary.Find(`a[href="#` + id + `"]`)
	if link.Length() != 1 || strings.TrimSpace(link.Text()) != strings.TrimSpace(msg.Text()) {
		t.Errorf("the summary links %q to the field %d times; the field's message is %q", link.Text(), link.Length(), msg.Text())
	}
	for _, name := range tc.kept {
		if got, want := formValues(form, name), sent[name]; strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s shows %q, typed %q", name, got, want)
		}
	}
}

// firstShown is the index of the form's first child that is not a hidden
// input: the top of the form as a person sees it.
func firstShown(form *goquery.Selection) int {
	i := 0
	form.Children().EachWithBreak(func(n int, s *goquery.Selection) bool {
		i = n
		return goquery.NodeName(s) == "input" && s.AttrOr("type", "") == "hidden"
	})
	return i
}

// formValues reads what a form would send for name: the value of its
// inputs, the text of its textareas, the chosen options of its selects.
func formValues(form *goquery.Selection, name string) []string {
	var out []string
	form.Find(`[name="` + name + `"]`).Each(func(_ int, s *goquery.Selection) {
		switch goquery.NodeName(s) {
		case "textarea":
			out = append(out, strings.TrimPrefix(s.Text(), "\n"))
		case "select":
			s.Find("option[selected]").Each(func(_ int, o *goquery.Selection) { out = append(out, o.AttrOr("value", "")) })
		default:
			if typ := s.AttrOr("type", "text"); (typ == "checkbox" || typ == "radio") && !s.Is("[checked]") {
				return
			}
			out = append(out, s.AttrOr("value", ""))
		}
	})
	return out
}
