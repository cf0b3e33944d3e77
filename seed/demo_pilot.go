package seed

import (
	"strings"
	"time"

	"github.com/gonogo/gonogo"
)

// demoPilotRelease is the verifying release whose pilot the demo shows.
const demoPilotProduct, demoPilotVersion = "mobile", "3.7.1"

// demoPilotAnswers are the pilot's testers and what each said, how long
// before now; a tester without an answer is still waiting.
var demoPilotAnswers = []struct {
	email    string
	answer   gonogo.PilotAnswer
	comment  string
	link     string
	ago      time.Duration
	isDefect bool // the QA lead makes a defect of it
}{
	{"ana@customer.example", gonogo.PilotWorks, "Cold start feels instant on my Pixel 7.", "", 22 * time.Hour, false},
	{"support@example.com", gonogo.PilotWorks, "Tried it with three customers' test accounts: fine.", "", 20 * time.Hour, false},
	{"ben@customer.example", gonogo.PilotProblem, "The app opens to a blank screen for about two seconds on an iPhone SE.",
		"https://example.com/recordings/blank-start.mp4", 18 * time.Hour, true},
	{"chloe@partner.example", gonogo.PilotWorks, "", "", 16 * time.Hour, false},
	{"dev@customer.example", gonogo.PilotWaiting, "", "", 0, false},
}

// planPilot plans the pilot of mobile 3.7.1, a day after it started
// verifying: the release manager invites five testers (one of them Sam
// from support, the others from outside) and revokes a sixth link sent to
// the wrong address; four answer, and the QA lead makes a defect of the
// one problem. One tester is still waiting.
func (w *writer) planPilot(users map[gonogo.Role]gonogo.Actor, now time.Time) []demoStep {
	name := demoPilotProduct + " " + demoPilotVersion
	secrets := map[string]string{} // by address, as the invitation mailed them
	var relID int64
	step := func(ago time.Duration, do func() error) demoStep {
		return demoStep{release: name + " pilot", at: now.Add(-ago), do: do}
	}
	var emails []string
	for _, a := range demoPilotAnswers {
		emails = append(emails, a.email)
	}
	steps := []demoStep{
		step(24*time.Hour, func() error {
			rel, err := w.store.FindReleaseByName(w.ctx, demoPilotProduct, demoPilotVersion)
			if err != nil {
				return err
			}
			relID = rel.ID
			links, err := w.store.InvitePilot(w.ctx, users[gonogo.ReleaseManager], relID,
				gonogo.PilotInviteInput{Emails: strings.Join(append(emails, "dev@customer.exmaple"), ", ")})
			for _, l := range links {
				secrets[l.Email] = strings.TrimPrefix(l.Path, "/pilot/")
			}
			return err
		}),
		step(23*time.Hour, func() error {
			ps, err := w.store.FindPilot(w.ctx, relID)
			if err != nil {
				return err
			}
			for _, p := range ps {
				if p.Email == "dev@customer.exmaple" { // the typo
					return w.store.RevokePilot(w.ctx, users[gonogo.ReleaseManager], relID, p.ID)
				}
			}
			return nil
		}),
	}
	for _, a := range demoPilotAnswers {
		if a.answer == gonogo.PilotWaiting {
			continue
		}
		steps = append(steps, step(a.ago, func() error {
			_, err := w.store.AnswerPilot(w.ctx, gonogo.HashToken(secrets[a.email]), "demo",
				gonogo.PilotFeedback{Answer: a.answer, Comment: a.comment, Link: a.link})
			return err
		}))
		if a.isDefect {
			steps = append(steps, step(a.ago-2*time.Hour, func() error {
				ps, err := w.store.FindPilot(w.ctx, relID)
				if err != nil {
					return err
				}
				for _, p := range ps {
					if p.Email == a.email {
						_, err = w.store.MakePilotDefect(w.ctx, users[gonogo.QALead], relID, p.ID)
						return err
					}
				}
				return nil
			}))
		}
	}
	return steps
}
