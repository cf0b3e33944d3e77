package gonogo_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

var pilotNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func pilotRelease(st gonogo.State) gonogo.Release {
	return gonogo.Release{ID: 7, Product: "web", Version: "2.0.0", State: st}
}

var (
	pilotRM = gonogo.Actor{UserID: 1, Name: "Rita", Roles: gonogo.RoleSet{gonogo.ReleaseManager}}
	pilotQA = gonogo.Actor{UserID: 2, Name: "Quinn", Roles: gonogo.RoleSet{gonogo.QALead}}
	pilotPO = gonogo.Actor{UserID: 3, Name: "Pat", Roles: gonogo.RoleSet{gonogo.ProductOwner}}
)

func TestPilotOpenOnlyWhileDeployingOrVerifying(t *testing.T) {
	for _, st := range gonogo.States {
		want := st == gonogo.Deploying || st == gonogo.Verifying
		if got := gonogo.PilotOpen(st) == nil; got != want {
			t.Errorf("PilotOpen(%s) open = %v, want %v", st, got, want)
		}
		if got := gonogo.ActInvitePilot.OpenIn(st); got != want {
			t.Errorf("ActInvitePilot.OpenIn(%s) = %v, want %v", st, got, want)
		}
	}
}

func TestInvitePilot(t *testing.T) {
	rel := pilotRelease(gonogo.Verifying)
	in := gonogo.PilotInviteInput{Emails: "Ann@Example.com, bob@example.com\nann@example.com"}
	got, au, err := gonogo.InvitePilot(pilotRM, rel, nil, in, pilotNow)
	wantCode(t, err, "")
	if len(got) != 2 || got[0].Email != "ann@example.com" || got[1].Email != "bob@example.com" {
		t.Fatalf("invites = %+v, want ann and bob once each, lower case", got)
	}
	if want := pilotNow.Add(7 * 24 * time.Hour); !got[0].ExpiresAt.Equal(want) {
		t.Errorf("expires %v, want the default of 7 days, %v", got[0].ExpiresAt, want)
	}
	if au.Action != gonogo.ActionPilotInvite || !strings.Contains(au.Detail, "ann@example.com") {
		t.Errorf("audit = %+v", au)
	}

	t.Run("not the release manager", func(t *testing.T) {
		for _, a := range []gonogo.Actor{pilotQA, pilotPO} {
			_, _, err := gonogo.InvitePilot(a, rel, nil, in, pilotNow)
			wantCode(t, err, gonogo.EFORBIDDEN)
		}
	})
	t.Run("release not verifying", func(t *testing.T) {
		_, _, err := gonogo.InvitePilot(pilotRM, pilotRelease(gonogo.Review), nil, in, pilotNow)
		wantCode(t, err, gonogo.ECONFLICT)
	})
	t.Run("bad addresses", func(t *testing.T) {
		_, _, err := gonogo.InvitePilot(pilotRM, rel, nil, gonogo.PilotInviteInput{Emails: "ann@example.com, not-an-address"}, pilotNow)
		wantFields(t, err, "emails")
		if !strings.Contains(gonogo.ErrorMessage(err), "not-an-address") {
			t.Errorf("message %q does not name the bad address", gonogo.ErrorMessage(err))
		}
		_, _, err = gonogo.InvitePilot(pilotRM, rel, nil, gonogo.PilotInviteInput{Emails: "  "}, pilotNow)
		wantFields(t, err, "emails")
		_, _, err = gonogo.InvitePilot(pilotRM, rel, nil, gonogo.PilotInviteInput{Emails: "a@example.com", Days: 31}, pilotNow)
		wantFields(t, err, "days")
	})
	t.Run("already invited with a working link", func(t *testing.T) {
		have := []gonogo.PilotInvite{{Email: "ann@example.com", ExpiresAt: pilotNow.Add(time.Hour)}}
		_, _, err := gonogo.InvitePilot(pilotRM, rel, have, in, pilotNow)
		wantFields(t, err, "emails")
		have[0].RevokedAt = pilotNow // a revoked one may be invited again
		_, _, err = gonogo.InvitePilot(pilotRM, rel, have, in, pilotNow)
		wantCode(t, err, "")
	})
	t.Run("bounded", func(t *testing.T) {
		have := make([]gonogo.PilotInvite, gonogo.MaxPilotInvites-1)
		_, _, err := gonogo.InvitePilot(pilotRM, rel, have, in, pilotNow)
		wantFields(t, err, "emails")
		var many []string
		for i := range gonogo.MaxPilotBatch + 1 {
			many = append(many, strings.Repeat("x", i+1)+"@example.com")
		}
		_, _, err = gonogo.InvitePilot(pilotRM, rel, nil, gonogo.PilotInviteInput{Emails: strings.Join(many, ",")}, pilotNow)
		wantFields(t, err, "emails")
	})
}

func TestAnswerPilot(t *testing.T) {
	rel := pilotRelease(gonogo.Verifying)
	inv := gonogo.PilotInvite{ID: 3, Email: "ann@example.com", ExpiresAt: pilotNow.Add(time.Hour)}
	got, au, err := gonogo.AnswerPilot(rel, inv, gonogo.PilotFeedback{Answer: "works"}, pilotNow)
	wantCode(t, err, "")
	if got.Answer != gonogo.PilotWorks || !got.AnsweredAt.Equal(pilotNow) || au.Action != gonogo.ActionPilotAnswer {
		t.Fatalf("answer = %+v, audit %+v", got, au)
	}
	// The latest answer is kept; the audit says it changed.
	got, au, err = gonogo.AnswerPilot(rel, got, gonogo.PilotFeedback{Answer: "problem", Comment: "Export hangs", Link: "https://example.com/shot.png"}, pilotNow)
	wantCode(t, err, "")
	if got.Answer != gonogo.PilotProblem || got.Comment != "Export hangs" || !strings.Contains(au.Detail, "changed their answer") {
		t.Fatalf("answer = %+v, audit %+v", got, au)
	}

	for _, tc := range []struct {
		name   string
		f      gonogo.PilotFeedback
		fields []string
	}{
		{"no answer", gonogo.PilotFeedback{}, []string{"answer"}},
		{"problem without a word", gonogo.PilotFeedback{Answer: "problem"}, []string{"comment"}},
		{"link not http", gonogo.PilotFeedback{Answer: "works", Link: "javascript:alert(1)"}, []string{"link"}},
		{"comment too long", gonogo.PilotFeedback{Answer: "works", Comment: strings.Repeat("x", gonogo.MaxPilotComment+1)}, []string{"comment"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := gonogo.AnswerPilot(rel, inv, tc.f, pilotNow)
			wantFields(t, err, tc.fields...)
		})
	}
	t.Run("revoked, expired, pilot over", func(t *testing.T) {
		revoked := inv
		revoked.RevokedAt = pilotNow
		_, _, err := gonogo.AnswerPilot(rel, revoked, gonogo.PilotFeedback{Answer: "works"}, pilotNow)
		wantCode(t, err, gonogo.ECONFLICT)
		_, _, err = gonogo.AnswerPilot(rel, inv, gonogo.PilotFeedback{Answer: "works"}, pilotNow.Add(time.Hour))
		wantCode(t, err, gonogo.ECONFLICT)
		_, _, err = gonogo.AnswerPilot(pilotRelease(gonogo.Released), inv, gonogo.PilotFeedback{Answer: "works"}, pilotNow)
		wantCode(t, err, gonogo.ECONFLICT)
	})
	t.Run("an outside tester is named by address", func(t *testing.T) {
		if a := inv.Tester("10.0.0.1"); a.UserID != 0 || a.Name != "pilot tester ann@example.com" || a.Roles.Any(gonogo.Roles...) {
			t.Errorf("tester actor = %+v", a)
		}
	})
}

func TestPilotTally(t *testing.T) {
	later := pilotNow.Add(time.Hour)
	ps := []gonogo.PilotInvite{
		{Answer: gonogo.PilotWorks, ExpiresAt: later},
		{Answer: gonogo.PilotWorks, ExpiresAt: later},
		{Answer: gonogo.PilotProblem, ExpiresAt: later},
		{ExpiresAt: later},
		{ExpiresAt: pilotNow}, // expired unanswered
		{Answer: gonogo.PilotWorks, ExpiresAt: later, RevokedAt: pilotNow}, // revoked: not counted
	}
	if got, want := gonogo.TallyPilot(ps, pilotNow).String(), "2 works, 1 problem, 1 waiting, 1 expired"; got != want {
		t.Errorf("tally = %q, want %q", got, want)
	}
	if got := gonogo.TallyPilot(nil, pilotNow).String(); got != "nobody invited yet" {
		t.Errorf("empty tally = %q", got)
	}
}

func TestPilotDefect(t *testing.T) {
	rel := pilotRelease(gonogo.Verifying)
	p := gonogo.PilotInvite{ID: 4, Email: "ann@example.com", Answer: gonogo.PilotProblem, Comment: "Export hangs\nat 90%", Link: "https://example.com/v.mp4", AnsweredAt: pilotNow}
	for _, a := range []gonogo.Actor{pilotRM, pilotQA} {
		in, au, err := gonogo.PilotDefect(a, rel, p)
		wantCode(t, err, "")
		in.Normalize()
		wantCode(t, in.Validate(), "")
		if in.Title != "Pilot: Export hangs" || !strings.Contains(in.Notes, "pilot feedback #4") || !strings.Contains(in.Notes, p.Link) || au.Action != gonogo.ActionPilotDefect {
			t.Errorf("defect = %+v, audit %+v", in, au)
		}
	}
	_, _, err := gonogo.PilotDefect(pilotPO, rel, p)
	wantCode(t, err, gonogo.EFORBIDDEN)
	works := p
	works.Answer = gonogo.PilotWorks
	_, _, err = gonogo.PilotDefect(pilotRM, rel, works)
	wantCode(t, err, gonogo.ECONFLICT)
	done := p
	done.DefectID = 9
	_, _, err = gonogo.PilotDefect(pilotRM, rel, done)
	wantCode(t, err, gonogo.ECONFLICT)
}

func TestPilotItemInTemplateAndClosedByAPerson(t *testing.T) {
	var item gonogo.ItemInput
	for _, in := range gonogo.DefaultTemplate() {
		if in.CheckKey == gonogo.PilotCheckKey {
			item = in
		}
	}
	if item.Phase != gonogo.Verification || item.Title != "Pilot users confirm the feature works" {
		t.Fatalf("template has no pilot item: %+v", item)
	}
	rel := pilotRelease(gonogo.Verifying)
	it := gonogo.Item{Phase: gonogo.Verification, Title: item.Title, CheckKey: gonogo.PilotCheckKey, Status: gonogo.ItemOpen}
	_, err := gonogo.ReportCheck(rel, it, gonogo.CheckReport{Key: gonogo.PilotCheckKey, Status: gonogo.CheckPass}, "ci", pilotNow)
	wantCode(t, err, gonogo.ECONFLICT)
}
