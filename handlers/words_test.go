package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gonogo/gonogo"
)

// The words a person reads: real plurals, roles and states in running
// text, lists joined as sentences, and notices that say what happened.

func TestGateCountsInWords(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.settleReadiness(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	for name, role := range map[string]gonogo.Role{"po": gonogo.ProductOwner, "eng": gonogo.EngineeringLead, "qa": gonogo.QALead,
		"ops": gonogo.Ops, "support": gonogo.SupportLead} {
		s.vote(t, rel.ID, name, role, gonogo.VoteGo, "")
	}
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)

	// One thing left: the release manager's own sign-off.
	_, doc := rm.get(page)
	if got := text(doc, "#gate > p.muted"); got != "1 thing stands between this release and a Go:" {
		t.Fatalf("gate with one reason says %q", got)
	}
	if got := text(doc, "[data-testid=go-why]"); !strings.Contains(got, "1 reason above stands in the way") {
		t.Fatalf("the disabled Go says %q", got)
	}

	// A blocker that is fixed but not verified still blocks, and the gate
	// says which it is.
	s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Checkout fails", Severity: gonogo.Blocker, Status: gonogo.DefectFixed})
	_, doc = rm.get(page)
	if got := text(doc, "#gate > p.muted"); got != "2 things stand between this release and a Go:" {
		t.Fatalf("gate with two reasons says %q", got)
	}
	if got := text(doc, `[data-testid=gate-reasons] li[data-kind=defect]`); got != "Blocker defect “Checkout fails” is fixed, not yet verified" {
		t.Fatalf("the defect's reason: %q", got)
	}
	if got := text(doc, "[data-testid=waiting]"); !strings.HasPrefix(got, "Waiting on the release manager") {
		t.Fatalf("waiting on one role: %q", got)
	}
}

func TestWaitingOnListsTheRolesAsASentence(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.move(t, rel.ID, gonogo.OpenReview)
	s.vote(t, rel.ID, "eng", gonogo.EngineeringLead, gonogo.VoteGo, "")
	s.vote(t, rel.ID, "qa", gonogo.QALead, gonogo.VoteGo, "")
	_, doc := s.signIn(t, "rm").get("/releases/" + itoa(rel.ID))
	got := strings.Join(strings.Fields(doc.Find("[data-testid=waiting] p").First().Text()), " ")
	want := "Waiting on the product owner, ops, the support lead and the release manager"
	if !strings.HasPrefix(got, want) {
		t.Fatalf("waiting line %q, want it to start %q", got, want)
	}
	if n := doc.Find("[data-testid=waiting-role]").Length(); n != 4 {
		t.Fatalf("%d links to the roles awaited, want 4", n)
	}
}

func TestWaiverAsksWhyInRunningText(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	rm.get(page)
	res := rm.post(page+"/roles/ops", url.Values{"required": {"0"}, "reason": {""}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	doc := parse(t, res)
	if got := text(doc, "#role-ops [data-testid=error-reason]"); got != "Say why ops need not sign off" {
		t.Fatalf("message beside the reason: %q", got)
	}
	if got := text(doc, `#role-product-owner label.sr-only`); got != "Why the product owner need not sign off" {
		t.Fatalf("the reason's label: %q", got)
	}
}

func TestStatesInSentencesAreLowerCase(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	qa := s.signIn(t, "qa")
	page := "/releases/" + itoa(rel.ID)
	qa.get(page)
	res := qa.post(page+"/votes", url.Values{"role": {"qa-lead"}, "value": {"go"}})
	wantStatus(t, res, http.StatusConflict)
	if got := text(parse(t, res), "[data-testid=error-message]"); got != "Sign-offs are taken while the release is in review; it is a draft" {
		t.Fatalf("a vote on a draft: %q", got)
	}
}

func TestTransitionFlashSaysWhatHappened(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	rm := s.signIn(t, "rm")
	page := "/releases/" + itoa(rel.ID)
	rm.get(page)
	res := rm.post(page+"/transitions", url.Values{"transition": {"open-review"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, doc := rm.get(res.Header.Get("Location"))
	if got := text(doc, "[data-testid=notice] span"); got != "Review opened: every role is asked to sign off." {
		t.Fatalf("after opening the review the flash says %q", got)
	}
	// Only the notices gonogo knows are shown: a link cannot put words in its mouth.
	if _, doc := rm.get(page + "?notice=" + url.QueryEscape("You are fired")); doc.Find("[data-testid=notice]").Length() != 0 {
		t.Fatal("an unknown notice code is shown")
	}
}

func TestDecisionRisksSayAFixIsNotVerified(t *testing.T) {
	s := newServer(t)
	rel := s.mustCreateRelease(t, "payments", "2.4.0")
	s.mustDefect(t, rel.ID, gonogo.DefectInput{Title: "Pay button misaligned", Severity: gonogo.Minor, Status: gonogo.DefectFixed})
	s.settleReadiness(t, rel.ID)
	s.move(t, rel.ID, gonogo.OpenReview)
	s.signAll(t, rel.ID)
	d := s.decide(t, rel.ID, gonogo.DecisionInput{Outcome: gonogo.OutcomeGo})
	_, doc := s.signIn(t, "support").get("/releases/" + itoa(rel.ID) + "/decisions/" + itoa(int64(d.Number)))
	if got := text(doc, "[data-testid=record-risks] li"); got != "Minor defect “Pay button misaligned” is fixed, not yet verified" {
		t.Fatalf("the risk reads %q", got)
	}
}

// A message starts with a capital when it starts with our own words, and
// never changes the case of what a person typed, in the page as the
// browser shows it.
func TestBrowserMessagesKeepValuesAsTyped(t *testing.T) {
	s := newServer(t)
	s.mustCreateRelease(t, "payments", "2.4.0")
	ctx := newBrowser(t)
	expectConsole(t, ctx, "status of 422", "the test sends a form the server refuses, to read its message")
	browserSignIn(t, ctx, s, "rm")
	must(t, ctx,
		chromedp.Navigate(s.URL+"/releases/new"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=release-form]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=product]`), "payments"),
		chromedp.SendKeys(chromedp.CSS(`input[name=version]`), "2.4.0"),
		chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "Again"),
		chromedp.Click(chromedp.CSS(`[data-testid=save-release]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=error-version]`)),
	)
	if got := textOf(t, ctx, `[data-testid=error-version]`); got != "payments 2.4.0 already exists" {
		t.Errorf("the duplicate's message reads %q", got)
	}
}

// Every address that leads nowhere says so in the same words, whether no
// route matches it or its id is not a number.
func TestOnePageNotFoundText(t *testing.T) {
	s := newServer(t)
	c := s.signIn(t, "support")
	var texts []string
	for _, path := range []string{"/no-such-thing", "/releases/abc", "/releases/0", "/releases/1/nothing-here"} {
		res, doc := c.get(path)
		wantStatus(t, res, http.StatusNotFound)
		texts = append(texts, text(doc, "[data-testid=error-message]"))
	}
	for _, got := range texts {
		if got != "There is no page at this address." {
			t.Fatalf("404 pages say %q", texts)
		}
	}
}

// The empty board tells each reader what to do next: an admin adds the
// team and may try the demo, a planner creates the first release, anyone
// else learns who will.
func TestEmptyBoardSaysWhatToDoNext(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		who                           string
		addPeople, create, demo, who2 bool
	}{
		{who: "admin", addPeople: true, demo: true, who2: true},
		{who: "rm", create: true},
		{who: "po", create: true},
		{who: "qa", who2: true},
	}
	for _, tc := range tests {
		t.Run(tc.who, func(t *testing.T) {
			_, doc := s.signIn(t, tc.who).get("/")
			empty := doc.Find("[data-testid=board-empty]")
			if empty.Length() != 1 {
				t.Fatal("no empty board")
			}
			if got := empty.Find(`a[href="/admin/users"][data-testid=empty-add-people]`).Length() == 1; got != tc.addPeople {
				t.Errorf("a link to add people: %t, want %t", got, tc.addPeople)
			}
			if got := empty.Find(`a[href="/releases/new"][data-testid=empty-create]`).Length() == 1; got != tc.create {
				t.Errorf("a link to create the first release: %t, want %t", got, tc.create)
			}
			if got := strings.Contains(text(doc, "[data-testid=empty-demo]"), "make demo"); got != tc.demo {
				t.Errorf("the demo's guide: %t, want %t", got, tc.demo)
			}
			if got := strings.Contains(text(doc, "[data-testid=empty-who-creates]"), "product owner or the release manager creates"); got != tc.who2 {
				t.Errorf("who creates the first release: %t, want %t", got, tc.who2)
			}
		})
	}
}
