package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/gonogo/gonogo"
)

// formOf reads a form as a browser without JavaScript sends it: its
// address and its fields, with submit's name and value when it has one.
func formOf(t *testing.T, doc *goquery.Document, sel, submit string) (string, url.Values) {
	t.Helper()
	form := doc.Find(sel).First()
	if form.Length() == 0 {
		t.Fatalf("no form %s on the page", sel)
	}
	action, _ := form.Attr("action")
	values := url.Values{}
	form.Find("input, textarea").Each(func(_ int, in *goquery.Selection) {
		name, _ := in.Attr("name")
		if typ, _ := in.Attr("type"); name == "" || typ == "checkbox" {
			return
		}
		if goquery.NodeName(in) == "textarea" {
			values.Set(name, in.Text())
		} else {
			v, _ := in.Attr("value")
			values.Set(name, v)
		}
	})
	if submit != "" {
		btn := form.Find(submit)
		name, _ := btn.Attr("name")
		value, _ := btn.Attr("value")
		if name != "" {
			values.Set(name, value)
		}
	}
	return action, values
}

// TestFinalStepsAskFirst: each step that cannot be undone, sent as its form
// is on the page, is answered with a question that spells out what cannot
// be undone, and nothing happens; the question's own form does it. The page
// also holds the dialog its form names, for the same question with
// JavaScript (TestBrowserFinalStepsAskInADialog).
func TestFinalStepsAskFirst(t *testing.T) {
	s := newServer(t)
	hook := s.registerWebhook(t, s.signIn(t, "admin"), "http://127.0.0.1:9/hook", gonogo.TopicWindow)
	_, _, err := s.store.CreateToken(t.Context(), s.actorOf("admin"), gonogo.TokenInput{Name: "payments-deploy"})
	if err != nil {
		t.Fatal(err)
	}
	rmc := s.signIn(t, "rm")
	rmc.post("/profile/feed-token", nil)

	draft := s.mustCreateRelease(t, "billing", "1.0.0")
	deploying := s.mustGoRelease(t, "payments", "2.4.0")
	s.move(t, deploying.ID, gonogo.StartDeploy)
	verifying := s.mustGoRelease(t, "payments", "2.5.0")
	s.move(t, verifying.ID, gonogo.StartDeploy)
	s.move(t, verifying.ID, gonogo.FinishDeploy)
	s.settleVerification(t, verifying.ID)
	review := s.mustCreateRelease(t, "payments", "2.6.0")
	s.move(t, review.ID, gonogo.OpenReview)
	state := func(id int64) func() string { return func() string { return string(s.mustState(t, id)) } }

	for _, tc := range []struct {
		name, who, page, form, submit string
		fill                          url.Values
		question                      string
		done                          func() string // what the step changes, before and after
		before, after                 string
	}{
		{name: "cancel", who: "rm", page: "/releases/" + itoa(draft.ID), form: "form:has([data-testid=transition-cancel])",
			question: "Cancel billing 1.0.0?", done: state(draft.ID), before: "draft", after: "cancelled"},
		{name: "roll back", who: "rm", page: "/releases/" + itoa(deploying.ID), form: "form:has([data-testid=transition-roll-back])",
			question: "Roll back payments 2.4.0?", done: state(deploying.ID), before: "deploying", after: "rolled-back"},
		{name: "mark released", who: "rm", page: "/releases/" + itoa(verifying.ID), form: "form:has([data-testid=transition-mark-released])",
			question: "Mark payments 2.5.0 released?", done: state(verifying.ID), before: "verifying", after: "released"},
		{name: "record a decision", who: "rm", page: "/releases/" + itoa(review.ID), form: "form:has([data-testid=decide-no-go])",
			submit: "[data-testid=decide-no-go]", fill: url.Values{"rationale": {"Refunds untested"}},
			question: "Record No-Go for payments 2.6.0?", done: state(review.ID), before: "review", after: "no-go"},
		{name: "revoke a token", who: "admin", page: "/admin/tokens", form: "[data-testid=token-row] form",
			question: "Revoke the token “payments-deploy”?", done: func() string {
				toks, _ := s.store.FindTokens(t.Context())
				return map[bool]string{true: "revoked", false: "active"}[toks[0].Revoked()]
			}, before: "active", after: "revoked"},
		{name: "disable a person", who: "admin", page: "/admin/users/" + itoa(s.users["qa"].ID), form: "form:has([data-testid=disable-user])",
			question: "Disable Qa Tester?", done: func() string {
				u, _ := s.store.FindUser(t.Context(), s.users["qa"].ID)
				return map[bool]string{true: "disabled", false: "enabled"}[u.Disabled]
			}, before: "enabled", after: "disabled"},
		{name: "delete a webhook", who: "admin", page: "/admin/webhooks", form: "[data-testid=webhook-row] form",
			question: "Remove webhook #" + itoa(hook.ID), done: func() string {
				hooks, _ := s.store.FindWebhooks(t.Context())
				return map[bool]string{true: "kept", false: "removed"}[len(hooks) == 1]
			}, before: "kept", after: "removed"},
		{name: "revoke feed addresses", who: "rm", page: "/profile", form: "[data-testid=revoke-feed-token]",
			question: "Revoke your feed addresses?", done: func() string {
				has, _ := s.store.HasFeedToken(t.Context(), s.users["rm"].ID)
				return map[bool]string{true: "has", false: "revoked"}[has]
			}, before: "has", after: "revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := rmc
			if tc.who != "rm" {
				c = s.signIn(t, tc.who)
			}
			_, doc := c.get(tc.page)
			action, form := formOf(t, doc, tc.form, tc.submit)
			for k, v := range tc.fill {
				form[k] = v
			}
			// Sent as it is on the page, the server asks, and does nothing yet.
			res := c.post(action, form)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("sent as on the page: status %d, and now %s; want the question first", res.StatusCode, tc.done())
			}
			ask := parse(t, res)
			page := ask.Find("[data-testid=confirm-page]")
			if !strings.Contains(text(ask, "#confirm-title"), tc.question) || !strings.Contains(page.Text(), "This cannot be undone:") {
				t.Fatalf("the question: %q", page.Text())
			}
			if back, _ := page.Find("[data-testid=confirm-back]").Attr("href"); back == "" {
				t.Fatal("no way back")
			}
			if got := tc.done(); got != tc.before {
				t.Fatalf("asked, and already %s", got)
			}
			// With JavaScript, the page's dialog asks: the form names it.
			id, _ := doc.Find(tc.form).First().Attr("data-confirm")
			if id == "" {
				id, _ = doc.Find(tc.form).Find(tc.submit).Attr("data-confirm")
			}
			dialog := doc.Find("dialog#" + id)
			if id == "" || dialog.Length() != 1 || !strings.Contains(dialog.Text(), "This cannot be undone:") ||
				dialog.Find("[data-testid=confirm-back]").Length() != 1 {
				t.Fatalf("no dialog %q asking first: %q", id, dialog.Text())
			}

			// Confirmed, it is done.
			action, form = formOf(t, ask, "[data-testid=confirm-form]", "")
			if form.Get("confirm") != "1" {
				t.Fatalf("the confirmation form carries %v", form)
			}
			wantStatus(t, c.post(action, form), http.StatusSeeOther)
			if got := tc.done(); got != tc.after {
				t.Fatalf("confirmed, and %s", got)
			}
		})
	}
}

// settleVerification marks every post-deploy verification item done, as
// the release manager.
func (s *testServer) settleVerification(t *testing.T, id int64) {
	t.Helper()
	items, _ := s.store.FindItems(t.Context(), id)
	a := s.rmActor()
	for _, it := range items {
		if it.Phase != gonogo.Verification {
			continue
		}
		if _, err := s.store.UpdateItem(t.Context(), a, id, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRefusedStepIsNotAsked: a step the release is not ready for is refused
// with its reasons at once, rather than asked about first.
func TestRefusedStepIsNotAsked(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	rm.get(page)
	res := rm.post(page+"/decisions", url.Values{"outcome": {"go"}})
	wantStatus(t, res, http.StatusConflict)
	if parse(t, res).Find("#decide-errors [data-testid=error-details] li").Length() == 0 {
		t.Fatal("the refusal is not beside the decision form")
	}
	res = rm.post(page+"/transitions", url.Values{"transition": {"roll-back"}})
	wantStatus(t, res, http.StatusConflict)
	if parse(t, res).Find("#lifecycle [data-testid=transition-refused]").Length() != 1 {
		t.Fatal("the refusal is not at the state buttons")
	}
}

// TestCancelledVersionIsMadeAgain: a cancelled billing 1.0.0 can be created
// again. The new release links the cancelled one and back; the addresses
// by product and version (the API's, the notes') name the live one; and a
// live version is still never made twice.
func TestCancelledVersionIsMadeAgain(t *testing.T) {
	s := newServer(t)
	rm := s.signIn(t, "rm")
	rm.get("/releases/new")
	form := url.Values{"product": {"billing"}, "version": {"1.0.0"}, "title": {"First try"}}
	res := rm.post("/releases", form)
	wantStatus(t, res, http.StatusSeeOther)
	first, err := s.store.FindReleaseByName(t.Context(), "billing", "1.0.0")
	if err != nil {
		t.Fatal(err)
	}
	s.publishNotes(t, first.ID)
	rm.get("/releases/" + itoa(first.ID))
	wantStatus(t, rm.post("/releases/"+itoa(first.ID)+"/transitions", url.Values{"transition": {"cancel"}, "confirm": {"1"}}), http.StatusSeeOther)

	rm.get("/releases/new")
	form.Set("title", "Second try")
	res = rm.post("/releases", form)
	wantStatus(t, res, http.StatusSeeOther)
	second, err := s.store.FindReleaseByName(t.Context(), "billing", "1.0.0")
	if err != nil || second.ID == first.ID || res.Header.Get("Location") != "/releases/"+itoa(second.ID)+"?notice=created" {
		t.Fatalf("no new release was made: %+v %v, sent to %q", second, err, res.Header.Get("Location"))
	}
	_, doc := rm.get("/releases/" + itoa(second.ID))
	if href, _ := doc.Find("[data-testid=replaces] a").Attr("href"); href != "/releases/"+itoa(first.ID) ||
		!strings.Contains(text(doc, "[data-testid=replaces]"), "cancelled release #"+itoa(first.ID)) {
		t.Fatalf("the new release does not link the cancelled one: %q %q", text(doc, "[data-testid=replaces]"), href)
	}
	_, doc = rm.get("/releases/" + itoa(first.ID))
	if href, _ := doc.Find("[data-testid=replaced-by] a").Attr("href"); href != "/releases/"+itoa(second.ID) {
		t.Fatalf("the cancelled release does not link its successor: %q", text(doc, "[data-testid=replaced-by]"))
	}
	if text(doc, "[data-testid=release-state]") != "Cancelled" {
		t.Fatal("the cancelled release changed")
	}

	// The version is taken again while the new one lives.
	rm.get("/releases/new")
	res = rm.post("/releases", form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if got := text(parse(t, res), "[data-testid=error-version]"); got != "billing 1.0.0 already exists" {
		t.Fatalf("message %q", got)
	}

	// Addresses by product and version name the live release.
	token := s.mustToken(t, "billing-deploy", "billing")
	gate := s.call(t, http.MethodGet, "/api/v1/releases/billing/1.0.0/gate", token, "")
	if got := gate.str("release.id"); got != itoa(second.ID) {
		t.Fatalf("the API's billing 1.0.0 is release %s, want the live %d", got, second.ID)
	}
	res, _ = rm.get("/notes/billing/1.0.0")
	wantStatus(t, res, http.StatusNotFound) // the live one has not published notes yet
	s.publishNotes(t, second.ID)
	_, doc = rm.get("/notes/billing/1.0.0")
	if href, _ := doc.Find("[data-testid=amend-notes]").Attr("href"); href != "/releases/"+itoa(second.ID)+"/notes" {
		t.Fatalf("the notes address shows another release's notes: %q", href)
	}
}

// TestStateButtonsSayWhyNot: Mark released is disabled while verification
// is open, with every open item listed beside it, each linking to its row;
// sent anyway, the refusal comes back to the release page at the buttons,
// every reason listed (none folded into "and 1 more"), never the bare
// error page; htmx gets the buttons alone.
func TestStateButtonsSayWhyNot(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	page := "/releases/" + itoa(rel.ID)
	rm := s.signIn(t, "rm")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.settleReadiness(t, rel.ID)
	s.signAll(t, rel.ID)
	s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo, Conditions: "ops: deploy off-peak"})
	s.move(t, rel.ID, gonogo.StartDeploy)
	s.move(t, rel.ID, gonogo.FinishDeploy)
	rm.get(page)
	for _, title := range []string{"Refunds reconcile", "Invoices render"} {
		wantStatus(t, rm.post(page+"/items", url.Values{"phase": {"verification"}, "title": {title},
			"owner_role": {"ops"}, "required": {"1"}}), http.StatusSeeOther)
	}
	var open []gonogo.Item
	items, _ := s.store.FindItems(t.Context(), rel.ID)
	for _, it := range items {
		if it.Phase == gonogo.Verification && it.Required {
			open = append(open, it)
		}
	}
	if len(open) < 6 {
		t.Fatalf("only %d open verification items: the test wants more than five", len(open))
	}
	_, doc := rm.get(page)
	btn := doc.Find("[data-testid=transition-mark-released]")
	if _, disabled := btn.Attr("disabled"); !disabled {
		t.Fatal("Mark released is clickable while verification is open")
	}
	why, _ := btn.Attr("aria-describedby")
	reasons := doc.Find("#" + why + " li a")
	if why == "" || reasons.Length() != len(open) {
		t.Fatalf("%d reasons beside the button, want %d: %q", reasons.Length(), len(open), doc.Find("#"+why).Text())
	}
	for i, it := range open {
		if href, _ := reasons.Eq(i).Attr("href"); href != "#item-"+itoa(it.ID) || !strings.Contains(reasons.Eq(i).Text(), it.Title) {
			t.Errorf("reason %d: %q → %s", i, reasons.Eq(i).Text(), href)
		}
	}
	if _, disabled := doc.Find("[data-testid=transition-roll-back]").Attr("disabled"); disabled {
		t.Fatal("Roll back is disabled, though nothing stands in its way")
	}

	// A plain form: the release page, the refusal at the buttons.
	action, form := formOf(t, doc, "form#transition-mark-released", "")
	if !strings.HasSuffix(action, "#lifecycle") {
		t.Fatalf("the form lands at %q, not back at the buttons", action)
	}
	res := rm.post(action, form)
	wantStatus(t, res, http.StatusConflict)
	doc = parse(t, res)
	if doc.Find("[data-testid=release-head]").Length() != 1 || doc.Find("[data-testid=error-message]").Length() != 0 {
		t.Fatal("the refusal is not on the release page")
	}
	refusal := doc.Find("#lifecycle [data-testid=transition-refused]")
	if refusal.Find("li").Length() != len(open) || strings.Contains(refusal.Text(), "more") {
		t.Fatalf("the refusal lists %d of %d reasons: %q", refusal.Find("li").Length(), len(open), refusal.Text())
	}
	for _, it := range open {
		if !strings.Contains(refusal.Text(), it.Title) {
			t.Errorf("the refusal leaves out %q", it.Title)
		}
	}

	// htmx: the buttons alone, with the refusal.
	res = rm.postHX(page+"/transitions", form)
	wantStatus(t, res, http.StatusConflict)
	doc = parse(t, res)
	if root := doc.Find("body > *").First(); root.AttrOr("id", "") != "lifecycle" || doc.Find("[data-testid=release-head]").Length() != 0 {
		t.Fatalf("htmx got more than the buttons: %q", root.AttrOr("id", ""))
	}
	if doc.Find("[data-testid=transition-refused] li").Length() != len(open) {
		t.Fatal("htmx's refusal does not list every reason")
	}
	if s.mustState(t, rel.ID) != gonogo.Verifying {
		t.Fatal("a refused transition moved the release")
	}

	// Settled, the button is enabled and the reasons are gone.
	s.settleVerification(t, rel.ID)
	_, doc = rm.get(page)
	if _, disabled := doc.Find("[data-testid=transition-mark-released]").Attr("disabled"); disabled || doc.Find("[data-testid=why-mark-released]").Length() != 0 {
		t.Fatal("Mark released stays disabled once verification is done")
	}
}

// TestNudgeSaysWhoWasTold: a nudge says who was told and which webhooks
// carry it; when nobody hears of it (the QA lead switched nudges off, no
// webhook takes them), it says that nobody could be told, beside the
// nudge buttons, and records nothing.
func TestNudgeSaysWhoWasTold(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	page := "/releases/" + itoa(rel.ID)
	if err := s.store.SetNotificationPrefs(t.Context(), s.actorOf("qa"), gonogo.Prefs{gonogo.NotifyNudge: gonogo.ChannelOff}); err != nil {
		t.Fatal(err)
	}
	admin := s.signIn(t, "admin")
	s.registerWebhook(t, admin, "http://127.0.0.1:9/state", gonogo.TopicState) // takes no nudges
	rm := s.signIn(t, "rm")
	_, doc := rm.get(page)
	action, form := formOf(t, doc, "form:has([data-testid=nudge-qa-lead])", "")

	res := rm.post(action, form)
	wantStatus(t, res, http.StatusConflict)
	doc = parse(t, res)
	if got := text(doc, "#signoffs [data-testid=nudge-refused]"); !strings.Contains(got, "Nobody could be told: 1 holder switched nudges off; and no webhook carries nudges for payments") ||
		!strings.Contains(got, "Admin → Webhooks") {
		t.Fatalf("refusal %q", got)
	}
	if events, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 1); events[0].Action == "role.nudge" {
		t.Fatal("a nudge nobody heard was recorded as sent")
	}

	r := newReceiver(t, always(http.StatusOK), nil)
	s.registerWebhook(t, admin, r.URL, gonogo.TopicNudge)
	host := strings.TrimPrefix(r.URL, "http://")
	res = rm.post(action, form)
	wantStatus(t, res, http.StatusSeeOther)
	_, doc = rm.get(res.Header.Get("Location"))
	want := "Nudged the QA lead to sign off payments 2.4.0"
	if got := text(doc, "[data-testid=notice] span"); !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "the Generic JSON webhook to "+host+" carries it.") {
		t.Fatalf("notice %q", got)
	}
	if got := r.next(t); !strings.Contains(got.payload.Text, "QA lead") {
		t.Fatalf("delivered %q", got.payload.Text)
	}
	if events, _ := s.store.FindReleaseEvents(t.Context(), rel.ID, 1); !strings.Contains(events[0].Detail, "the Generic JSON webhook to "+host+" carries it") {
		t.Fatalf("the history does not say who was told: %q", events[0].Detail)
	}

	// The notice tells only what was recorded: another event's number
	// shows nothing.
	_, doc = rm.get(page + "?nudged=1#signoffs")
	if doc.Find("[data-testid=notice]").Length() != 0 {
		t.Fatalf("a made-up nudge was announced: %q", text(doc, "[data-testid=notice]"))
	}
}

// TestFinalStepAsksHTMXToo: an htmx request without confirm=1 (a page
// whose dialog went missing) is asked too, with the whole confirmation page
// in place of the page, never acted on.
func TestFinalStepAsksHTMXToo(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "billing", "1.0.0")
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	rm.get(page)
	res := rm.postHX(page+"/transitions", url.Values{"transition": {"cancel"}})
	wantStatus(t, res, http.StatusOK)
	if res.Header.Get("HX-Retarget") != "body" || parse(t, res).Find("[data-testid=confirm-page]").Length() != 1 {
		t.Fatalf("htmx was not asked: retarget %q", res.Header.Get("HX-Retarget"))
	}
	if st := s.mustState(t, rel.ID); st != gonogo.Draft {
		t.Fatalf("the release is %s", st)
	}
	res = rm.postHX(page+"/transitions", url.Values{"transition": {"cancel"}, "confirm": {"1"}})
	wantStatus(t, res, http.StatusNoContent)
	if res.Header.Get("HX-Redirect") != page+"?notice=cancel" || s.mustState(t, rel.ID) != gonogo.Cancelled {
		t.Fatalf("confirmed through htmx: redirect %q, state %s", res.Header.Get("HX-Redirect"), s.mustState(t, rel.ID))
	}
}

// TestMeetingAsksBeforeDeciding: meeting mode's decide buttons name the
// dialogs its page holds, as the release page's do.
func TestMeetingAsksBeforeDeciding(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	rm := s.signIn(t, "rm")
	_, doc := rm.get("/releases/" + itoa(rel.ID) + "/meeting")
	id, _ := doc.Find("[data-testid=decide-no-go]").Attr("data-confirm")
	if id == "" || !strings.Contains(doc.Find("dialog#"+id).Text(), "This cannot be undone:") {
		t.Fatalf("Record No-Go in meeting mode names dialog %q: %q", id, doc.Find("dialog#"+id).Text())
	}
}
