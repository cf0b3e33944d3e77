package gonogo

import (
	"fmt"
	"slices"
	"time"
)

// Snapshot is everything the gate looks at for one release at one moment.
type Snapshot struct {
	Release Release
	Items   []Item
	Defects []Defect
	Votes   []Vote   // every vote of the release; the current cycle's latest per role count
	Waivers []Waiver // roles that need not sign off
	// Staffed is the roles some enabled person holds for the release's
	// product, or for every product: a required role outside it is a gap
	// that no vote can fill until someone is given the role.
	Staffed RoleSet
	Notes   NotesStatus
	// Policy is the product's policy for the release's kind; the zero
	// Policy is the kind's default (see Snapshot.Policy).
	KindPolicy Policy
	// Scope is the pull and merge requests still open in the release's
	// milestone while it watches them (WatchesScope), the required ones
	// first, at most MaxScopeShown; ScopeMore counts those left out. The
	// board's snapshots hold only the required ones, which the gate reads.
	Scope     []ScopeChange
	ScopeMore int
	Freezes   []Freeze
	// Exceptions are the release's freeze exceptions, revoked ones too:
	// one in force lifts its freeze from the gate (exception.go).
	Exceptions []FreezeException
	Zone       *time.Location // the team's time zone, where weekly freezes recur
	// Comments is the current cycle's discussion: not judged by the gate,
	// but frozen into the record of the decision.
	Comments []Comment
	// Decisions is the number of the release's latest decision, 0 if none:
	// read inside a write that records one, to number the next.
	Decisions int
	// Stages is the release's rollout, in order; empty when it deploys in
	// one step (see PromotionCheck).
	Stages []Stage
	// Alerts names the alerts firing now on the release, as the alert
	// webhooks reported them: each one holds a rollout where it stands.
	// The store reads them for releases with stages only.
	Alerts []string
}

// ReasonKind says what sort of thing blocks a release.
type ReasonKind string

const (
	ReasonNoGo   ReasonKind = "no-go"  // a role voted No-Go
	ReasonDefect ReasonKind = "defect" // a blocking defect
	ReasonItem   ReasonKind = "item"   // a required readiness item is open or failed
	ReasonNotes  ReasonKind = "notes"  // the release notes are not published
	ReasonRole   ReasonKind = "role"   // a required role has not voted Go
	ReasonGap    ReasonKind = "gap"    // a required role nobody holds for the product
	ReasonQuorum ReasonKind = "quorum" // fewer than two people voted Go
	ReasonFreeze ReasonKind = "freeze" // the window falls in a freeze
	ReasonScope  ReasonKind = "scope"  // a pull or merge request labelled as required is still open
)

// Reason is one thing that stands between a release and a Go, written so that
// it names what to fix. Anchor is the id of the element on the release page
// where it can be fixed.
type Reason struct {
	Kind   ReasonKind
	Text   string
	Anchor string
}

// Gate is the verdict on a snapshot. Warnings are worth knowing before
// the decision and never block it.
type Gate struct {
	Ready    bool
	Reasons  []Reason
	Warnings []Warning
}

// MinGoVoters is how many distinct people must vote Go: nobody approves a
// release alone, whatever roles they hold.
const MinGoVoters = 2

// Evaluate returns whether the snapshot is ready for a Go and, if not, every
// reason why: No-Go votes first, then blocking defects, required pull or
// merge requests still open in the release's milestone, open or failed
// readiness items, unpublished release notes, a window inside a freeze,
// roles still to sign (or that nobody holds for the product, so nobody
// can sign), and too few people behind the Go. It is a pure
// function: same snapshot, same verdict.
func Evaluate(s Snapshot) Gate {
	var reasons []Reason
	votes := CurrentVotes(s.Release, s.Votes)
	for _, r := range Roles {
		if v, ok := votes[r]; ok && v.Value == VoteNoGo {
			reasons = append(reasons, Reason{ReasonNoGo,
				fmt.Sprintf("%s (%s) voted No-Go: %s", r.Label(), v.UserName, v.Comment), "role-" + string(r)})
		}
	}
	for _, d := range s.Defects {
		if Blocking(d) {
			reasons = append(reasons, Reason{ReasonDefect,
				fmt.Sprintf("%s defect %s“%s” is %s", d.Severity.Label(), keyPrefix(d), d.Title, d.Status.InText()),
				fmt.Sprintf("defect-%d", d.ID)})
		}
	}
	reasons = append(reasons, scopeReasons(s)...)
	reasons = append(reasons, itemReasons(s.Items)...)
	if text := notesReason(s.Notes); text != "" {
		reasons = append(reasons, Reason{ReasonNotes, text, "notes"})
	}
	var lifted []Warning
	for _, hit := range FreezesOver(s.Release.Window, s.Release.Product, s.Freezes, s.Zone) {
		r, w := freezeVerdict(s, hit)
		if r != nil {
			reasons = append(reasons, *r)
		} else {
			lifted = append(lifted, *w)
		}
	}
	goVoters := map[int64]string{}
	for _, r := range s.Required() {
		v, ok := votes[r]
		switch {
		case ok && v.Value == VoteGo:
			goVoters[v.UserID] = v.UserName
		case !s.Staffed.Has(r):
			// Waiting on the role would wait for ever: say who must act.
			reasons = append(reasons, gapReason(r, s.Release.Product))
		case !ok:
			reasons = append(reasons, Reason{ReasonRole, fmt.Sprintf("%s has not signed off", r.Label()), "role-" + string(r)})
		}
	}
	if need := s.Policy().Voters(); len(goVoters) < need {
		reasons = append(reasons, Reason{ReasonQuorum, quorumText(goVoters, need), "signoffs"})
	}
	return Gate{Ready: len(reasons) == 0, Reasons: reasons, Warnings: append(gateWarnings(s.Release), lifted...)}
}

// gapReason is a required role that no enabled person holds for product:
// nobody can sign it until an admin gives someone the role. The page links
// it to the product's team.
func gapReason(r Role, product string) Reason {
	return Reason{ReasonGap,
		fmt.Sprintf("No one can sign as %s for %s: add one under Products → %s", r.Label(), product, product), "role-" + string(r)}
}

// gateWarnings are what the gate warns of: a release in review with no
// window, since a Go recorded then says nothing of when it goes out.
func gateWarnings(rel Release) []Warning {
	if rel.State == Review && rel.Window.IsZero() {
		return []Warning{{"no-window", "No release window is set: a Go now says nothing of when the release goes out"}}
	}
	return nil
}

func itemReasons(items []Item) []Reason {
	var out []Reason
	for _, it := range items {
		if it.Phase != Readiness || !it.Required {
			continue
		}
		if it.Status.Settled() {
			continue
		}
		state := "is still open"
		if it.Status == ItemFailed {
			state = "failed"
		}
		out = append(out, Reason{ReasonItem,
			fmt.Sprintf("%s: “%s” %s (%s)", it.Pillar.Label(), it.Title, state, it.OwnerRole.Label()),
			fmt.Sprintf("item-%d", it.ID)})
	}
	return out
}

func quorumText(goVoters map[int64]string, need int) string {
	at := fmt.Sprintf("A Go needs Go votes from at least %s people", numberWord(need))
	switch len(goVoters) {
	case 0:
		return at + "; nobody has voted Go yet"
	case 1:
		for _, name := range goVoters {
			return fmt.Sprintf("%s; only %s has voted Go", at, name)
		}
	}
	names := make([]string, 0, len(goVoters))
	for _, n := range goVoters {
		names = append(names, n)
	}
	slices.Sort(names)
	return fmt.Sprintf("%s; only %s have voted Go", at, List(names))
}

// numberWord writes small counts as words, as the gate's sentences do.
func numberWord(n int) string {
	words := []string{"zero", "one", "two", "three", "four", "five", "six"}
	if n >= 0 && n < len(words) {
		return words[n]
	}
	return fmt.Sprint(n)
}

// Policy is the product's policy for the release's kind: the one read
// with the snapshot, or the kind's default when none was read.
func (s Snapshot) Policy() Policy {
	if s.KindPolicy.Kind != "" {
		return s.KindPolicy
	}
	k := s.Release.Kind
	if !k.Valid() {
		k = KindStandard
	}
	return DefaultPolicy(s.Release.Product, k)
}

// Required lists the roles that must sign off the snapshot's release: the
// roles its kind's policy requires, but those waived for this release.
func (s Snapshot) Required() []Role {
	pol := s.Policy()
	var out []Role
	for _, r := range RequiredRoles(s.Waivers) {
		if pol.Requires(r) {
			out = append(out, r)
		}
	}
	return out
}

func keyPrefix(d Defect) string {
	if k := d.TrackerKey(); k != "" {
		return k + " "
	}
	return ""
}
