package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
)

// TestTokensOfADisabledCreatorKeepWorkingFlagged: a token belongs to the
// board, not to the person who made it, so a pipeline does not stop when
// its creator leaves. The tokens page lists every token with its creator,
// and flags those whose creator is disabled, for an admin to review.
func TestTokensOfADisabledCreatorKeepWorkingFlagged(t *testing.T) {
	s := newServer(t)
	lead := s.mustCreateUser(t, "lead", nil, true)
	s.users["lead"] = lead
	ctx := t.Context()
	_, leadSecret, err := s.store.CreateToken(ctx, s.actorOf("lead"), gonogo.TokenInput{Name: "payments-deploy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.store.CreateToken(ctx, s.actorOf("admin"), gonogo.TokenInput{Name: "web-deploy"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.store.CreateToken(ctx, gonogo.Actor{Name: "gonogo token create (command line)"}, gonogo.TokenInput{Name: "cron"}); err != nil {
		t.Fatal(err)
	}
	disabled := true
	if _, err := s.store.UpdateUser(ctx, s.actorOf("admin"), lead.ID, db.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}

	// The intended rule: the token keeps working.
	s.call(t, http.MethodGet, "/api/v1/releases", leadSecret, "").want(t, http.StatusOK)

	admin := s.signIn(t, "admin")
	res, doc := admin.get("/admin/tokens")
	wantStatus(t, res, http.StatusOK)
	row := func(name string) (creator, flag string, link string) {
		r := doc.Find(`[data-testid=token-row][data-name="` + name + `"]`)
		if r.Length() != 1 {
			t.Fatalf("no row for token %s", name)
		}
		link, _ = r.Find(`[data-testid=token-creator] a`).Attr("href")
		return strings.Join(strings.Fields(r.Find(`[data-testid=token-creator]`).Text()), " "),
			strings.TrimSpace(r.Find(`[data-testid=token-flag]`).Text()), link
	}
	creator, flag, link := row("payments-deploy")
	if creator != "Lead Tester Disabled" || link != "/admin/users/"+itoa(lead.ID) {
		t.Errorf("payments-deploy's creator: %q linked to %q", creator, link)
	}
	if flag != "Creator disabled" {
		t.Errorf("payments-deploy is not flagged: %q", flag)
	}
	if creator, flag, _ := row("web-deploy"); creator != "Admin Tester" || flag != "" {
		t.Errorf("web-deploy's creator %q, flag %q", creator, flag)
	}
	if creator, flag, link := row("cron"); creator != "gonogo token create (command line)" || flag != "" || link != "" {
		t.Errorf("cron's creator %q, flag %q, link %q", creator, flag, link)
	}
	// The flagged token comes first: it is the one to look at.
	if first, _ := doc.Find(`[data-testid=token-row]`).First().Attr("data-name"); first != "payments-deploy" {
		t.Errorf("first row %q, want the flagged token", first)
	}
}
