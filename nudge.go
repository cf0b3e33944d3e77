package gonogo

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// A nudge says truthfully whom it reached: the people told, by which
// channel (and as whose deputy), and the webhooks that carry it to the
// team's chat; or, when it reaches nobody at all, why, reason by reason,
// and it is refused rather than claimed.

// MaxToldNamed bounds the people a nudge's message names; the rest are
// counted.
const MaxToldNamed = 5

// Told is one person a nudge reached.
type Told struct {
	Name    string
	Channel Channel
	// Deputy is the role they hear it for as a deputy, "" in their own right.
	Deputy Role
}

// String is the person and how they were told: "Sam (inbox, deputy for Ops)".
func (t Told) String() string {
	how := "inbox"
	if t.Channel == ChannelEmail {
		how = "inbox and email"
	}
	if t.Deputy != "" {
		how += ", deputy for " + t.Deputy.Label()
	}
	return fmt.Sprintf("%s (%s)", t.Name, how)
}

// NudgeReach is whom a nudge reaches: the people told, the webhooks that
// carry it (each named by its format and the host it posts to: the rest
// of a chat webhook's address is its credential), and why the people
// who hold the role but hear nothing do not.
type NudgeReach struct {
	People  []Told
	Hooks   []string
	Missed  []string // why holders were not told
	Product string
}

// String says where the nudge went, for the person who sent it and the
// audit trail: "told Quinn (inbox and email) and Sam (inbox, deputy for
// Ops); the Slack webhook to hooks.slack.com carries it".
func (r NudgeReach) String() string {
	var parts []string
	if len(r.People) > 0 {
		names := make([]string, 0, len(r.People))
		for _, t := range r.People {
			names = append(names, t.String())
		}
		parts = append(parts, "told "+ListMax(names, MaxToldNamed))
	} else {
		parts = append(parts, "nobody was told in the board: "+strings.Join(r.Missed, "; "))
	}
	switch len(r.Hooks) {
	case 0:
		parts = append(parts, "no webhook carries nudges for "+r.Product)
	case 1:
		parts = append(parts, r.Hooks[0]+" carries it")
	default:
		parts = append(parts, fmt.Sprintf("%d webhooks carry it: %s", len(r.Hooks), List(r.Hooks)))
	}
	return strings.Join(parts, "; ")
}

// ReachOfNudge says whom a nudge of role on rel by actor reaches at now:
// of people (those the store found for the nudge's cause), who hears it
// and how, and which of hooks carry it. When nobody would hear of it at
// all, it is refused, naming each reason and what would help.
func ReachOfNudge(actor Actor, rel Release, role Role, people []Person, hooks []Webhook, now time.Time) (NudgeReach, error) {
	c := nudged(actor, rel, role)
	r := NudgeReach{Product: rel.Product}
	for _, rc := range Recipients(c, rel.Product, actor.UserID, people, now) {
		p := people[slices.IndexFunc(people, func(p Person) bool { return p.ID == rc.UserID })]
		t := Told{Name: p.Name, Channel: rc.Channel}
		if !NewGrants(p.Grants...).On(rel.Product).Has(role) {
			t.Deputy = role
		}
		r.People = append(r.People, t)
	}
	// By name: the store reads the audience in no particular order, and
	// the page should say the same thing twice.
	slices.SortStableFunc(r.People, func(a, b Told) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	for _, w := range WebhooksFor(hooks, rel.Product) {
		if len(w.Wants([]Topic{TopicNudge})) == 0 {
			continue
		}
		host := "an unreadable address"
		if u, err := url.Parse(w.URL); err == nil && u.Host != "" {
			host = u.Host
		}
		r.Hooks = append(r.Hooks, fmt.Sprintf("the %s webhook to %s", w.Format.Label(), host))
	}
	if len(r.People) > 0 {
		return r, nil
	}
	r.Missed = missedHolders(c, rel.Product, actor.UserID, people, now)
	if len(r.Hooks) > 0 {
		return r, nil
	}
	return r, Errorf(ECONFLICT, "Nobody could be told: %s; and no webhook carries nudges for %s (an admin can add one under Admin → Webhooks, choosing “%s”).",
		strings.Join(r.Missed, "; "), rel.Product, TopicNudge.Label())
}

// missedHolders says why none of the role's holders hears a nudge: the
// nudger is the only one, their accounts are disabled, they switched
// nudges off.
func missedHolders(c Cause, product string, actorID int64, people []Person, now time.Time) []string {
	var self, disabled, off int
	for _, p := range people {
		if _, ok := reaches(c, product, p, now); !ok {
			continue
		}
		switch {
		case p.ID == actorID:
			self++
		case p.Disabled:
			disabled++
		case p.Prefs.For(c.Kind) == ChannelOff:
			off++
		}
	}
	var out []string
	if self > 0 {
		out = append(out, "you hold the role yourself")
	}
	if disabled > 0 {
		out = append(out, Plural(disabled, "holder's account is disabled", "holders' accounts are disabled"))
	}
	if off > 0 {
		out = append(out, Plural(off, "holder switched nudges off", "holders switched nudges off"))
	}
	if len(out) == 0 {
		out = append(out, "no holder of the role can be reached")
	}
	return out
}

// Remind checks that actor may nudge role on the snapshot's release, and
// that someone hears of it (people, from the store, or hooks), and
// returns its audit: who was nudged, how long the review has waited at
// now, and who was told how.
func Remind(actor Actor, s Snapshot, role Role, people []Person, hooks []Webhook, now time.Time) (Audit, error) {
	if err := Nudge(actor, s, role); err != nil {
		return Audit{}, err
	}
	reach, err := ReachOfNudge(actor, s.Release, role, people, hooks, now)
	if err != nil {
		return Audit{}, err
	}
	waited := ""
	if !s.Release.ReviewAt.IsZero() {
		waited = fmt.Sprintf(" (awaited for %s)", now.Sub(s.Release.ReviewAt).Round(time.Minute))
	}
	a := audit(ActionRoleNudge, "nudged the %s to sign off %s%s: %s", role.Label(), s.Release.Name(), waited, reach)
	a.Topics = []Topic{TopicNudge}
	a.Causes = []Cause{nudged(actor, s.Release, role)}
	return a, nil
}
