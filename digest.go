package gonogo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NotifyDigest is the daily digest: what waits on a person, once a day
// at the hour they chose, by email.
const NotifyDigest NotificationKind = "digest"

// ActionDigest is a person choosing their daily digest.
const ActionDigest Action = "notify.digest"

// DigestChoice is when a person gets their daily digest: at Hour o'clock
// in Zone (an IANA name; "" for the team's zone).
type DigestChoice struct {
	Hour int
	Zone string
}

// String says the choice in words: "08:00 in Europe/Berlin".
func (c DigestChoice) String() string {
	zone := c.Zone
	if zone == "" {
		zone = "the team's time zone"
	}
	return fmt.Sprintf("%02d:00 in %s", c.Hour, zone)
}

// Location is the zone the digest's hour is read in: the person's, else
// team's.
func (c DigestChoice) Location(team *time.Location) *time.Location {
	if c.Zone != "" {
		if loc, err := time.LoadLocation(c.Zone); err == nil {
			return loc
		}
	}
	if team == nil {
		return time.UTC
	}
	return team
}

// ParseDigestChoice reads the profile's digest form: digest_hour is an
// hour from 0 to 23, or "off" (nil: no digest); digest_zone a time zone,
// empty for the team's.
func ParseDigestChoice(hour, zone string) (*DigestChoice, error) {
	hour, zone = strings.TrimSpace(hour), strings.TrimSpace(zone)
	p := Problems{}
	if hour == "off" || hour == "" {
		return nil, nil
	}
	h, err := strconv.Atoi(hour)
	if err != nil || h < 0 || h > 23 {
		p.Add("digest_hour", "choose an hour from 00:00 to 23:00, or off")
	}
	if zone != "" {
		if _, err := time.LoadLocation(zone); err != nil || strings.Contains(zone, "..") || len(zone) > 64 {
			p.Add("digest_zone", "%q is not a time zone; use a name such as Europe/Berlin, or leave it empty for the team's", zone)
		}
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	return &DigestChoice{Hour: h, Zone: zone}, nil
}

// ChooseDigest is actor's digest going from was to next (nil: none): its
// audit, or nil when nothing changes.
func ChooseDigest(actor Actor, was, next *DigestChoice) (*Audit, error) {
	if actor.UserID == 0 {
		return nil, Errorf(EFORBIDDEN, "sign in to choose a digest")
	}
	switch {
	case was == nil && next == nil, was != nil && next != nil && *was == *next:
		return nil, nil
	case next == nil:
		a := audit(ActionDigest, "turned the daily digest off")
		return &a, nil
	}
	a := audit(ActionDigest, "chose a daily digest at %s", next)
	return &a, nil
}

// DigestDue says whether c's digest is due at now, and the local day it
// is for ("2026-03-29"): once the chosen hour has come on the person's
// day, unless the digest of that day went (lastDay). On the day clocks
// spring forward past the hour, it comes at the first moment after the
// gap; on the day they fall back through it, once, at its first pass.
func DigestDue(c DigestChoice, team *time.Location, lastDay string, now time.Time) (string, bool) {
	loc := c.Location(team)
	local := now.In(loc)
	y, m, d := local.Date()
	day := local.Format(time.DateOnly)
	at := time.Date(y, m, d, c.Hour, 0, 0, 0, loc)
	return day, lastDay < day && !now.Before(at)
}

// DigestRelease is a release in review, with the roles it still awaits.
type DigestRelease struct {
	Release Release
	Waiting []Role
}

// DigestItem is a checklist item of an active release that is open or
// failed.
type DigestItem struct {
	Release Release
	Item    Item
}

// DigestLine is one thing waiting on a person, with where to act on it.
type DigestLine struct {
	Text string
	Link string
}

// Digest is what waits on a person: sign-offs, items their roles own,
// conditions given to their roles.
type Digest struct {
	SignOffs, Items, Conditions []DigestLine
}

// MaxDigestLines bounds each part of a digest; the rest are counted.
const MaxDigestLines = 20

// Empty reports whether nothing waits.
func (d Digest) Empty() bool { return len(d.SignOffs)+len(d.Items)+len(d.Conditions) == 0 }

// Text is the digest in a few sentences, for the inbox and the email:
// each part counted, with its first lines named.
func (d Digest) Text() string {
	var parts []string
	add := func(lines []DigestLine, one, many string) {
		if len(lines) == 0 {
			return
		}
		texts := make([]string, 0, len(lines))
		for _, l := range lines {
			texts = append(texts, l.Text)
		}
		parts = append(parts, fmt.Sprintf("%s: %s.", Plural(len(lines), one, many), strings.Join(head(texts, 5), "; ")+more(len(texts), 5)))
	}
	add(d.SignOffs, "sign-off awaited", "sign-offs awaited")
	add(d.Items, "checklist item", "checklist items")
	add(d.Conditions, "condition", "conditions")
	return "Waiting on you today. " + strings.Join(parts, " ")
}

func head(s []string, n int) []string { return s[:min(n, len(s))] }

func more(total, shown int) string {
	if total <= shown {
		return ""
	}
	return fmt.Sprintf("; and %d more", total-shown)
}

// BuildDigest is what waits on p at now, of the releases in review and
// the open or failed items of active releases: the sign-offs of roles p
// holds for the release's product (in their own right or as a deputy in
// force); the items those roles own that are failed, or open while they
// matter (readiness in review, verification while deploying or
// verifying); the open conditions given to those roles. Each part at
// most MaxDigestLines.
func BuildDigest(p Person, releases []DigestRelease, items []DigestItem, now time.Time) Digest {
	active, _ := SplitDeputyships(p.Deputies, now)
	grants := NewGrants(append(slices.Clone(p.Grants), DeputyGrants(active)...)...)
	var d Digest
	add := func(lines *[]DigestLine, l DigestLine) {
		if len(*lines) < MaxDigestLines {
			*lines = append(*lines, l)
		}
	}
	for _, r := range releases {
		held := grants.On(r.Release.Product)
		for _, role := range r.Waiting {
			if held.Has(role) && r.Release.State == Review {
				add(&d.SignOffs, DigestLine{Text: fmt.Sprintf("sign off %s as %s", r.Release.Name(), role.InText()),
					Link: fmt.Sprintf("/releases/%d#role-%s", r.Release.ID, role)})
			}
		}
	}
	for _, di := range items {
		it, rel := di.Item, di.Release
		if !grants.On(rel.Product).Has(it.OwnerRole) {
			continue
		}
		link := fmt.Sprintf("/releases/%d#item-%d", rel.ID, it.ID)
		switch {
		case it.IsCondition() && it.Status == ItemOpen:
			add(&d.Conditions, DigestLine{Text: fmt.Sprintf("on %s for %s: %s", rel.Name(), it.OwnerRole.InText(), Excerpt(it.Title)), Link: link})
		case it.Status == ItemFailed:
			add(&d.Items, DigestLine{Text: fmt.Sprintf("“%s” failed on %s", Excerpt(it.Title), rel.Name()), Link: link})
		case it.Status == ItemOpen && itemMatters(rel.State, it.Phase):
			add(&d.Items, DigestLine{Text: fmt.Sprintf("“%s” is open on %s", Excerpt(it.Title), rel.Name()), Link: link})
		}
	}
	return d
}

// itemMatters says whether an open item of phase waits on its owner while
// its release is in state: readiness items during the review, the
// verification list while the release is deployed and checked.
func itemMatters(state State, phase Phase) bool {
	switch phase {
	case Readiness:
		return state == Review
	case Verification:
		return state == Deploying || state == Verifying
	}
	return false
}

// DigestStates are the states of the releases whose items a digest reads.
var DigestStates = []State{Review, Go, Deploying, Verifying}
