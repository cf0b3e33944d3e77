package seed

import (
	"fmt"
	"strings"

	"github.com/gonogo/gonogo"
)

// The steps a past release's life is made of, each through the store's
// methods as its people would take it. They read what earlier steps
// learned (the release's id, its items, its defects) when they are taken.

// create has the release manager create the release with its window, and
// learns its checklist.
func (l *pastLife) create() error {
	rm := l.people[gonogo.ReleaseManager]
	rel, err := l.w.store.CreateRelease(l.w.ctx, rm, gonogo.ReleaseInput{Product: l.p.key, Version: l.version,
		Title: l.shipped.title, Summary: l.shipped.summary, ManagerID: rm.UserID, Window: l.window})
	if err != nil {
		return err
	}
	l.id = rel.ID
	items, err := l.w.store.FindItems(l.w.ctx, l.id)
	l.items = map[string]gonogo.Item{}
	for _, it := range items {
		l.items[it.Title] = it
	}
	return err
}

func (l *pastLife) move(by gonogo.Role, t gonogo.Transition) func() error {
	return func() error {
		_, err := l.w.store.Transition(l.w.ctx, l.people[by], l.id, t)
		return err
	}
}

// settle has by (the item's owner when "") change the item titled title.
func (l *pastLife) settle(title string, by gonogo.Role, c gonogo.ItemChange) func() error {
	return func() error {
		it, ok := l.items[title]
		if !ok {
			return fmt.Errorf("no item %q", title)
		}
		if by == "" {
			by = it.OwnerRole
		}
		_, err := l.w.store.UpdateItem(l.w.ctx, l.people[by], l.id, it.ID, c)
		return err
	}
}

// closeConditions has each condition's owner close it once it held.
func (l *pastLife) closeConditions() error {
	items, err := l.w.store.FindItems(l.w.ctx, l.id)
	if err != nil {
		return err
	}
	for _, it := range items {
		if !it.IsCondition() || it.Status != gonogo.ItemOpen {
			continue
		}
		if _, err := l.w.store.UpdateItem(l.w.ctx, l.people[it.OwnerRole], l.id, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone}); err != nil {
			return err
		}
	}
	return nil
}

func (l *pastLife) vote(in gonogo.VoteInput) func() error {
	return func() error {
		_, err := l.w.store.CastVote(l.w.ctx, l.people[in.Role], l.id, in)
		return err
	}
}

func (l *pastLife) waive() error {
	return l.w.store.SetWaiver(l.w.ctx, l.people[gonogo.ReleaseManager], l.id,
		gonogo.WaiverChange{Role: gonogo.SupportLead, Reason: "Back-end change only: nothing customers or support see."})
}

func (l *pastLife) decide(o gonogo.Outcome, rationale, conditions string) func() error {
	return func() error {
		in := gonogo.DecisionInput{Outcome: o, Rationale: rationale, Conditions: conditions}
		_, err := l.w.store.Decide(l.w.ctx, l.people[gonogo.ReleaseManager], l.id, in)
		return err
	}
}

func (l *pastLife) schedule(w gonogo.Window) func() error {
	return func() error { return l.w.store.SetWindow(l.w.ctx, l.people[gonogo.ReleaseManager], l.id, w) }
}

// smoke is the pipeline's smoke test in production reporting e, as ops'
// pipeline does.
func (l *pastLife) smoke(e gonogo.PipelineEvent, summary string) func() error {
	return func() error {
		_, err := l.w.store.ReportEvent(l.w.ctx, l.people[gonogo.Ops], l.id, gonogo.EventReport{Event: e, Summary: summary,
			URL: fmt.Sprintf("https://ci.example.com/%s/past-%d/smoke", l.p.key, l.n)})
		return err
	}
}

// publish has the product owner publish the release's notes.
func (l *pastLife) publish() error {
	in := gonogo.NotesInput{Title: l.shipped.title, Highlights: l.shipped.summary}
	if ds := l.knownDefects(); len(ds) > 0 && ds[0].Status == gonogo.DefectVerified {
		in.Fixes = "- " + ds[0].Title + "."
	}
	_, err := l.w.store.SaveNotes(l.w.ctx, l.people[gonogo.ProductOwner], l.id, in, true)
	return err
}

// knownDefects are the defects the release's team files on its first
// day: majors and minors in every state a release ships with, a critical
// now and then that is fixed and verified before the review, the
// critical to be deferred, and the major a QA No-Go is about.
func (r *pastRelease) knownDefects() []gonogo.DefectInput {
	var out []gonogo.DefectInput
	add := func(title string, sev gonogo.Severity, st gonogo.DefectStatus) {
		out = append(out, gonogo.DefectInput{Title: title, Severity: sev, Status: st, TrackerURL: r.issue(len(out))})
	}
	rest := r.p.defects[1:]
	for i := range 1 + r.n%3 {
		sev, st := gonogo.Major, gonogo.DefectVerified
		switch i {
		case 1:
			sev, st = gonogo.Minor, gonogo.DefectFixed
		case 2:
			sev, st = gonogo.Minor, gonogo.DefectWontFix
		}
		add(rest[(2*r.n+i)%len(rest)], sev, st)
	}
	if r.n%5 == 3 {
		add(r.critical(), gonogo.Critical, gonogo.DefectFixed)
	}
	if r.turn.deferCritical {
		title, _ := r.deferred()
		add(title, gonogo.Critical, gonogo.DefectOpen)
	}
	if r.turn.noGo == "qa" {
		add(r.p.defects[0], gonogo.Major, gonogo.DefectOpen)
	}
	return out
}

func (r *pastRelease) critical() string { return r.p.criticals[(r.n/5)%len(r.p.criticals)] }

func (r *pastRelease) deferred() (title, reason string) {
	d := r.p.deferrals[(r.n/6)%len(r.p.deferrals)]
	return d.title, d.reason
}

func (r *pastRelease) cause() string { return r.p.rollbackCause }

// fileDefects has QA file the known defects at once.
func (l *pastLife) fileDefects() error {
	ins := l.knownDefects()
	ids, err := l.w.store.CreateDefects(l.w.ctx, l.people[gonogo.QALead], l.id, ins)
	l.defects = map[string]int64{}
	for i, id := range ids {
		l.defects[ins[i].Title] = id
	}
	return err
}

// fileBlocker has QA file the blocker found in a review's last hour.
func (l *pastLife) fileBlocker() error {
	return l.fileLate(gonogo.DefectInput{Title: blockerTitle, Severity: gonogo.Blocker,
		Notes: "Found by support in the staging walkthrough."})
}

// fileCause has QA file what a rollback turned up.
func (l *pastLife) fileCause() error {
	return l.fileLate(gonogo.DefectInput{Title: l.cause(), Severity: gonogo.Major,
		Notes: "Rolled back " + strings.ToLower(l.shipped.title) + " on this."})
}

func (l *pastLife) fileLate(in gonogo.DefectInput) error {
	in.TrackerURL = l.issue(len(l.issues) - 1)
	ids, err := l.w.store.CreateDefects(l.w.ctx, l.people[gonogo.QALead], l.id, []gonogo.DefectInput{in})
	if err == nil {
		l.defects[in.Title] = ids[0]
	}
	return err
}

// setDefect has by set the defect titled title to st, with reason.
func (l *pastLife) setDefect(by gonogo.Role, title string, st gonogo.DefectStatus, reason string) func() error {
	return func() error {
		id, ok := l.defects[title]
		if !ok {
			return fmt.Errorf("no defect %q", title)
		}
		_, err := l.w.store.SetDefectStatus(l.w.ctx, l.people[by], l.id, id, gonogo.DefectChange{Status: st, Reason: reason})
		return err
	}
}
