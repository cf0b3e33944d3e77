package seed

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/gonogo/gonogo"
)

// pastLife plans the steps of one past release's life, each at its
// moment in the team's zone.
type pastLife struct {
	*pastRelease
	w     *writer
	loc   *time.Location
	rng   *rand.Rand
	steps []demoStep
}

func (l *pastLife) at(t time.Time, do func() error) {
	l.steps = append(l.steps, demoStep{release: l.name(), at: t, do: do})
}

// clock is hh:mm on the day days after t's, in the team's zone.
func (l *pastLife) clock(t time.Time, days, hh, mm int) time.Time {
	t = t.In(l.loc)
	return time.Date(t.Year(), t.Month(), t.Day()+days, hh, mm, 0, 0, l.loc)
}

// plan plans the release's life: created on a Monday morning, its known
// defects filed, its readiness items settled over two days, its notes
// published, its review opened on the Wednesday (or Thursday), and from
// there as its turn has it. The last step is its last change.
func (l *pastLife) plan() []demoStep {
	d0 := l.start
	l.at(d0, l.create)
	l.at(d0.Add(time.Hour), l.fileDefects)
	l.settleReadiness(d0)
	if l.turn.cancel {
		l.at(l.clock(d0, 2, 11, 0), l.move(gonogo.ReleaseManager, gonogo.Cancel))
		return l.steps
	}
	if l.n%5 == 3 {
		l.at(l.clock(d0, 1, 15, 0), l.setDefect(gonogo.QALead, l.critical(), gonogo.DefectVerified, ""))
	}
	if l.turn.deferCritical {
		title, reason := l.deferred()
		l.at(l.clock(d0, 1, 16, 30), l.setDefect(gonogo.QALead, title, gonogo.DefectDeferred, reason))
		l.at(l.clock(d0, 1, 16, 45), l.reviewKnownIssues) // a known issue now: support writes its workaround
	}
	if l.turn.noGo != "notes" {
		l.at(l.clock(d0, 1, 17, 0), l.publish)
	}
	open := l.clock(d0, 2+l.n%4/3, 10, 0) // every fourth release takes a day longer to get ready
	l.at(open, l.move(gonogo.ReleaseManager, gonogo.OpenReview))
	if l.waived() {
		l.at(open.Add(2*time.Minute), l.waive)
		l.at(open.Add(5*time.Minute), l.settle("Support hand-off done", gonogo.ReleaseManager,
			gonogo.ItemChange{Status: gonogo.ItemNA, Reason: "Back-end change only: nothing for support to hand off."}))
	}
	l.review(open, 1)
	return l.steps
}

// review plans review cycle c, opened at open, and all that follows it:
// the votes, the decision, and after a No-Go the fix and the next cycle,
// after a Go the deploy.
func (l *pastLife) review(open time.Time, c int) {
	noGo := ""
	if c == 1 {
		noGo = l.turn.noGo
	}
	last := l.votes(open, c, noGo)
	decided := last.Add(40 * time.Minute)
	window := l.windowAfter(decided)
	if c == 1 {
		l.window = window // planned with the release, moved if it comes to nothing
	} else {
		l.at(open.Add(5*time.Minute), l.schedule(window))
	}
	if noGo != "" {
		if noGo == "defects" {
			l.at(last.Add(10*time.Minute), l.fileBlocker)
		}
		l.at(decided, l.decide(gonogo.OutcomeNoGo, noGoRationale[noGo], ""))
		reopen := l.fix(noGo, decided).Add(time.Hour)
		l.at(reopen, l.move(gonogo.ReleaseManager, gonogo.Reopen))
		l.review(reopen, c+1)
		return
	}
	conditions := ""
	if l.n%3 == 0 {
		conditions = conditionTexts[(l.n/3)%len(conditionTexts)]
	}
	l.at(decided, l.decide(gonogo.OutcomeGo, goRationales[l.n%len(goRationales)], conditions))
	l.deploy(window, c)
}

// Why past reviews ended in a No-Go, as the release manager recorded it.
var noGoRationale = map[string]string{
	"qa":        "QA's No-Go stands: fix what QA found, then review again.",
	"ops":       "Ops' No-Go stands: rehearse the rollback in staging, then review again.",
	"defects":   "A blocker turned up in the last hour: fix and verify it, then review again.",
	"checklist": "The security scan failed and engineering has not signed: rescan after the library is patched.",
	"notes":     "The release notes are not published, and support cannot answer customers without them.",
}

var goRationales = []string{
	"Every pillar is green and every role signed Go.",
	"Checks green, notes published, support briefed: Go.",
	"Ready: the gate is clear and the window agreed.",
}

// votes plans each role's first vote of cycle c: each role signs after
// its wait from open, the support lead after days at times. It returns
// when the last vote came.
func (l *pastLife) votes(open time.Time, c int, noGo string) time.Time {
	last := open
	for _, role := range gonogo.Roles {
		if role == gonogo.SupportLead && l.waived() || role == gonogo.EngineeringLead && noGo == "checklist" {
			continue // waived, or waiting on the rescan
		}
		wait := l.wait(role)
		if c > 1 {
			wait /= 2 // a second look is quicker
		}
		at := open.Add(wait)
		in := gonogo.VoteInput{Role: role, Value: gonogo.VoteGo}
		switch {
		case role == gonogo.QALead && noGo == "qa":
			in.Value, in.Comment = gonogo.VoteNoGo, l.p.defects[0]+": customers will notice on day one; fix it first."
		case role == gonogo.Ops && noGo == "ops":
			in.Value, in.Comment = gonogo.VoteNoGo, "The rollback was never rehearsed in staging; the migration cannot be undone in under an hour."
		case role == gonogo.SupportLead && l.n%5 == 4:
			in.Conditions = "macro for " + strings.ToLower(l.shipped.title) + " questions live before the window"
		case role == gonogo.Ops && l.n%2 == 0:
			in.Comment = "Runbook reviewed."
		}
		if role == gonogo.SupportLead && c == 1 {
			l.at(at.Add(-20*time.Minute), l.settle("Support hand-off done", gonogo.SupportLead, gonogo.ItemChange{Status: gonogo.ItemDone}))
		}
		l.at(at, l.vote(in))
		if at.After(last) {
			last = at
		}
	}
	return last
}

// wait is how long role takes to first sign a review: minutes for most,
// hours for ops, a day to three for the support lead, who briefs the
// team first.
func (l *pastLife) wait(role gonogo.Role) time.Duration {
	span := map[gonogo.Role][2]int{
		gonogo.ProductOwner: {60, 300}, gonogo.EngineeringLead: {45, 240}, gonogo.QALead: {90, 480},
		gonogo.Ops: l.p.opsWait, gonogo.SupportLead: {1320, 4200}, gonogo.ReleaseManager: {60, 240},
	}[role]
	return time.Duration(span[0]+l.rng.IntN(span[1]-span[0]+1)) * time.Minute
}

// windowAfter is the first two-hour window at least two hours after t:
// 20:00, inside the low-traffic hours, or 14:00 for a release that must
// be live by day; a day later when a freeze of the demo covers it.
func (l *pastLife) windowAfter(t time.Time) gonogo.Window {
	hour := 20
	if l.dayWindow() {
		hour = 14
	}
	for days := 0; ; days++ {
		start := l.clock(t, days, hour, 0)
		w := gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}
		if !start.Before(t.Add(2*time.Hour)) && len(gonogo.FreezesOver(w, l.p.key, l.freezes, l.loc)) == 0 {
			return w
		}
	}
}

// fix plans what mends a No-Go of kind why, decided at decided, and
// returns when it is mended.
func (l *pastLife) fix(why string, decided time.Time) time.Time {
	switch why {
	case "qa":
		l.at(l.clock(decided, 1, 11, 0), l.setDefect(gonogo.EngineeringLead, l.p.defects[0], gonogo.DefectFixed, ""))
		done := l.clock(decided, 1, 14, 0)
		l.at(done, l.setDefect(gonogo.QALead, l.p.defects[0], gonogo.DefectVerified, ""))
		return done
	case "ops":
		done := l.clock(decided, 1, 11, 0)
		l.at(done, l.settle("Rollback steps written and rehearsed", gonogo.Ops,
			gonogo.ItemChange{Status: gonogo.ItemDone, Evidence: "https://wiki.example.com/runbooks/" + l.p.key + "/rollback"}))
		return done
	case "defects":
		l.at(l.clock(decided, 1, 12, 0), l.setDefect(gonogo.EngineeringLead, blockerTitle, gonogo.DefectFixed, ""))
		done := l.clock(decided, 1, 15, 0)
		l.at(done, l.setDefect(gonogo.QALead, blockerTitle, gonogo.DefectVerified, ""))
		return done
	case "checklist":
		done := l.clock(decided, 1, 11, 0)
		l.at(done, l.settle("Security scan clean", gonogo.EngineeringLead, l.done("Security scan clean")))
		return done
	}
	done := l.clock(decided, 1, 10, 30)
	l.at(done, l.publish)
	return done
}

// deploy plans the deploy of cycle c in window: started by ops, the
// pipeline's smoke test in production, the checks after it and the
// release, or a rollback and a second cycle.
func (l *pastLife) deploy(window gonogo.Window, c int) {
	start := window.Start.Add(10 * time.Minute)
	l.at(start, l.move(gonogo.Ops, gonogo.StartDeploy))
	l.at(start.Add(35*time.Minute), l.move(gonogo.Ops, gonogo.FinishDeploy))
	checks := start.Add(55 * time.Minute)
	switch {
	case l.turn.rollBack && c == 1:
		l.at(start.Add(45*time.Minute), l.smoke(gonogo.EventSmokePassed, "every journey green"))
		back := start.Add(80 * time.Minute)
		l.at(back, l.move(gonogo.Ops, gonogo.RollBack))
		l.at(l.clock(back, 1, 10, 0), l.fileCause)
		l.at(l.clock(back, 1, 13, 0), l.setDefect(gonogo.EngineeringLead, l.cause(), gonogo.DefectFixed, ""))
		l.at(l.clock(back, 1, 16, 0), l.setDefect(gonogo.QALead, l.cause(), gonogo.DefectVerified, ""))
		reopen := l.clock(back, 1, 16, 30)
		l.at(reopen, l.move(gonogo.ReleaseManager, gonogo.Reopen))
		l.review(reopen, c+1)
		return
	case l.turn.smokeFails:
		l.at(start.Add(40*time.Minute), l.smoke(gonogo.EventSmokeFailed, "sign-in journey fails: 502 from the token endpoint"))
		l.at(start.Add(95*time.Minute), l.smoke(gonogo.EventSmokePassed, "fixed forward: token endpoint's timeout raised; every journey green"))
		checks = start.Add(105 * time.Minute)
	default:
		l.at(start.Add(45*time.Minute), l.smoke(gonogo.EventSmokePassed, "every journey green"))
	}
	for i, title := range []string{"Users reach the feature without errors", "Dashboards healthy", "No spike in support tickets", "Pilot users confirm the feature works"} {
		l.at(checks.Add(time.Duration(i)*10*time.Minute), l.settle(title, "", gonogo.ItemChange{Status: gonogo.ItemDone}))
	}
	l.at(checks.Add(30*time.Minute), l.closeConditions)
	l.at(checks.Add(45*time.Minute), l.move(gonogo.ReleaseManager, gonogo.MarkReleased))
}

// settleReadiness plans the readiness items settled over the first two
// days, by their owners, in the template's order: done with the
// pipeline's evidence, n/a with a reason, or failed and fixed three hours
// later; an advisory item is set n/a or left open. The release notes item is done by publishing the notes, and the
// support hand-off just before the support lead signs. A release that is
// to be cancelled gets a third of the way.
func (l *pastLife) settleReadiness(d0 time.Time) {
	failing, why := l.failing()
	slot := 0
	for _, in := range gonogo.DefaultTemplate() {
		if in.Phase != gonogo.Readiness || in.CheckKey == gonogo.NotesCheckKey || in.Title == "Support hand-off done" {
			continue
		}
		if l.turn.cancel && slot >= 6 {
			return
		}
		at := l.clock(d0, slot/8, 10, 0).Add(time.Duration(slot%8) * 75 * time.Minute)
		slot++
		change := l.done(in.Title)
		if reason := l.naReason(in.Title); reason != "" {
			change = gonogo.ItemChange{Status: gonogo.ItemNA, Reason: reason}
		} else if !in.Required {
			continue // advisory, and left for later as teams do
		}
		if in.Title == failing {
			l.at(at, l.settle(in.Title, "", gonogo.ItemChange{Status: gonogo.ItemFailed, Evidence: why}))
			if l.turn.noGo == "checklist" {
				continue // still failed when the review opens
			}
			at = at.Add(3 * time.Hour)
		}
		l.at(at, l.settle(in.Title, "", change))
	}
}

// done is the change that settles the item titled title: done, with the
// pipeline's run as evidence for an item a check reports.
func (l *pastLife) done(title string) gonogo.ItemChange {
	for _, in := range gonogo.DefaultTemplate() {
		if in.Title == title && in.CheckKey != "" {
			return gonogo.ItemChange{Status: gonogo.ItemDone, Evidence: fmt.Sprintf("https://ci.example.com/%s/past-%d/%s", l.p.key, l.n, in.CheckKey)}
		}
	}
	return gonogo.ItemChange{Status: gonogo.ItemDone}
}
