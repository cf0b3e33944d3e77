package seed

import (
	"github.com/gonogo/gonogo"
)

// demoWorkaround is what support tells customers of a known issue, until
// a later release fixes it.
const demoWorkaround = "Until it is fixed, support applies the change by hand from the admin console: " +
	"open a ticket tagged *known-issue* and quote the key."

// reviewKnownIssues has the support lead write a workaround for each known
// issue release id ships with (a critical deferred before its Go) and tick
// "Known issues reviewed", as the gate asks before a Go.
func (w *writer) reviewKnownIssues(support gonogo.Actor, id int64) error {
	issues, err := w.store.FindReleaseKnownIssues(w.ctx, id)
	if err != nil {
		return err
	}
	for _, k := range issues {
		if k.Workaround != "" {
			continue
		}
		if _, err := w.store.SetWorkaround(w.ctx, support, id, k.ID, demoWorkaround); err != nil {
			return err
		}
	}
	items, err := w.store.FindItems(w.ctx, id)
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.CheckKey == gonogo.KnownIssuesCheckKey && it.Status == gonogo.ItemOpen {
			_, err := w.store.UpdateItem(w.ctx, support, id, it.ID, gonogo.ItemChange{Status: gonogo.ItemDone})
			return err
		}
	}
	return nil
}

// reviewKnownIssues is the past release's support review of its known
// issues.
func (l *pastLife) reviewKnownIssues() error {
	return l.w.reviewKnownIssues(l.people[gonogo.SupportLead], l.id)
}

// reviewDemoKnownIssues does the same for a release of today's board that
// goes on to its Go; one still in review leaves the item open for support.
func (w *writer) reviewDemoKnownIssues(id int64, d demoRelease, users map[gonogo.Role]gonogo.Actor) error {
	if d.state == gonogo.Draft || d.state == gonogo.Review || d.state == gonogo.NoGo {
		return nil
	}
	return w.reviewKnownIssues(users[gonogo.SupportLead], id)
}
