package gonogo

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Limits on what a sign-off carries.
const (
	MaxCommentLen   = 2000
	MaxConditionLen = 300
	MaxConditions   = 10
)

// VoteValue is a role's answer: Go or No-Go.
type VoteValue string

const (
	VoteGo   VoteValue = "go"
	VoteNoGo VoteValue = "no-go"
)

// Valid reports whether v is Go or No-Go.
func (v VoteValue) Valid() bool { return v == VoteGo || v == VoteNoGo }

// Label is the vote's name for people.
func (v VoteValue) Label() string {
	if v == VoteNoGo {
		return "No-Go"
	}
	return "Go"
}

// Vote is one sign-off: a person answering for one role, in one review cycle.
// Votes are never changed; a role that changes its mind casts a new one and
// the latest counts.
type Vote struct {
	ID         int64
	ReleaseID  int64
	Cycle      int
	Role       Role
	UserID     int64
	UserName   string
	Value      VoteValue
	Comment    string
	Conditions []Condition
	At         time.Time
	// Support is what the support lead confirmed with a Go: nil for any
	// other vote. Kept with the vote, it is frozen with it in a decision.
	Support *SupportConfirmation `json:",omitempty"`
}

// Condition is a "yes, but": something that must hold for the Go to stand,
// owned by a role. Each becomes a required post-deploy verification item.
type Condition struct {
	Text  string
	Owner Role
}

// Waiver records that a role need not sign off this release, and why.
type Waiver struct {
	Role   Role
	Reason string
	By     string
	At     time.Time
}

// VoteInput is what a person submits to sign off.
type VoteInput struct {
	Role       Role
	Value      VoteValue
	Comment    string
	Conditions string // one per line; "ops: text" gives the condition to another role
}

// VoteSnapshot is what a sign-off is judged on, read inside the write
// transaction: the release, the votes of its current cycle and the items
// that are conditions of votes. It is small on purpose: a sign-off looks at
// the release alone, so that votes stay quick while many arrive at once.
type VoteSnapshot struct {
	Release Release
	Votes   []Vote // the current cycle's, at least those with conditions on the checklist
	Items   []Item // the conditions of votes
}

// VoteResult is the whole change a sign-off makes: the vote to store, the
// conditions of the role's earlier votes in this cycle it drops, the items
// its own conditions become (linked to the vote once stored), and the audit.
type VoteResult struct {
	Vote      Vote
	DropItems []int64
	AddItems  []Item
	Audit     Audit
}

// CastVote checks that actor may sign for the role on the snapshot's
// release and returns the change a sign-off makes. A sign-off looks at the
// release alone: what it holds is judged by the gate, not by who may sign.
// A role's new vote replaces its earlier conditions in the cycle.
func CastVote(actor Actor, s VoteSnapshot, in VoteInput, now time.Time) (VoteResult, error) {
	rel := s.Release
	if !in.Role.Valid() {
		return VoteResult{}, FieldErrorf("role", "choose the role you sign for")
	}
	if !AbilitiesOf(actor, Snapshot{Release: rel}).Holds(in.Role) {
		why := "you do not hold that role"
		if lapsed := actor.lapsedFor(in.Role, rel.Product, now); lapsed != "" {
			why = lapsed
		}
		return VoteResult{}, Errorf(EFORBIDDEN, "you cannot sign for %s: %s", in.Role.InText(), why)
	}
	if !ActSign.OpenIn(rel.State) {
		return VoteResult{}, Errorf(ECONFLICT, "sign-offs are taken while the release is in review; it is %s", rel.State.InText())
	}
	p := Problems{}
	if !in.Value.Valid() {
		p.Add("value", "choose Go or No-Go")
	}
	comment := strings.TrimSpace(in.Comment)
	validateText(p, "comment", "Comment", comment, MaxCommentLen, in.Value == VoteNoGo)
	if in.Value == VoteNoGo && comment == "" {
		p["comment"] = "A No-Go needs a comment: say what must change"
	}
	conds, err := ParseConditions(in.Conditions, in.Role)
	if err != nil {
		p.Add("conditions", "%s", ErrorMessage(err))
	}
	if err := p.Err(); err != nil {
		return VoteResult{}, err
	}
	v := Vote{
		ReleaseID: rel.ID, Cycle: rel.Cycle, Role: in.Role, UserID: actor.UserID, UserName: actor.Name,
		Value: in.Value, Comment: comment, Conditions: conds, At: now,
	}
	holder := ""
	if d, ok := actor.StandsInFor(in.Role, rel.Product); ok {
		v.UserName, holder = d.Signer(), d.HolderName
	}
	a := voteAudit(v, holder)
	a.Causes = conditionsGiven(rel, actor.Name, SourceVote, conds)
	return VoteResult{Vote: v, DropItems: earlierConditions(s, v), AddItems: conditionItems(SourceVote, conds), Audit: a}, nil
}

// earlierConditions are the condition items of the role's earlier votes
// in v's cycle: they give way to v's.
func earlierConditions(s VoteSnapshot, v Vote) []int64 {
	earlier := map[int64]bool{}
	for _, o := range s.Votes {
		if o.Cycle == v.Cycle && o.Role == v.Role {
			earlier[o.ID] = true
		}
	}
	var out []int64
	for _, it := range s.Items {
		if it.Source == SourceVote && earlier[it.SourceID] {
			out = append(out, it.ID)
		}
	}
	return out
}

// voteAudit is the sentence of a sign-off; holder names the person whose
// role a deputy signed for, if one did.
func voteAudit(v Vote, holder string) Audit {
	detail := fmt.Sprintf("signed %s for %s", v.Value.Label(), v.Role.Label())
	if holder != "" {
		detail += " as deputy for " + holder
	}
	if v.Comment != "" {
		detail += ": " + v.Comment
	}
	if len(v.Conditions) > 0 {
		detail += fmt.Sprintf(" (conditions: %s)", conditionsText(v.Conditions))
	}
	a := audit(ActionVote, "%s", detail)
	a.Topics = []Topic{TopicVote}
	return a
}

// ParseConditions reads conditions one per line. A line may start with a
// role's handle and a colon ("ops: deploy off-peak") to give the condition to
// that role; otherwise it belongs to owner.
func ParseConditions(text string, owner Role) ([]Condition, error) {
	var out []Condition
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "-*•"))
		if line == "" {
			continue
		}
		c := Condition{Text: line, Owner: owner}
		if head, rest, ok := strings.Cut(line, ":"); ok {
			if r, err := ParseRole(head); err == nil && strings.TrimSpace(rest) != "" {
				c = Condition{Text: strings.TrimSpace(rest), Owner: r}
			}
		}
		p := Problems{}
		validateLine(p, "c", "A condition", c.Text, MaxConditionLen, true)
		if msg, bad := p["c"]; bad {
			return nil, Errorf(EINVALID, "line %d: %s", i+1, msg)
		}
		out = append(out, c)
	}
	if len(out) > MaxConditions {
		return nil, Errorf(EINVALID, "at most %d conditions; merge some", MaxConditions)
	}
	return out, nil
}

// FormatConditions writes conditions back as the text ParseConditions reads.
func FormatConditions(cs []Condition, owner Role) string {
	var lines []string
	for _, c := range cs {
		if c.Owner != owner && c.Owner.Handle() != "" {
			lines = append(lines, c.Owner.Handle()+": "+c.Text)
		} else {
			lines = append(lines, c.Text)
		}
	}
	return strings.Join(lines, "\n")
}

// CurrentVotes returns the vote that counts for each role: its latest in the
// release's current cycle.
func CurrentVotes(rel Release, votes []Vote) map[Role]Vote {
	out := map[Role]Vote{}
	for _, v := range votes {
		if v.Cycle != rel.Cycle {
			continue
		}
		if cur, ok := out[v.Role]; !ok || v.At.After(cur.At) || (v.At.Equal(cur.At) && v.ID > cur.ID) {
			out[v.Role] = v
		}
	}
	return out
}

// RequiredRoles lists the roles that must sign off: all of them, but those
// waived for this release.
func RequiredRoles(waivers []Waiver) []Role {
	var out []Role
	for _, r := range Roles {
		if _, waived := waiverFor(waivers, r); !waived {
			out = append(out, r)
		}
	}
	return out
}

func waiverFor(ws []Waiver, r Role) (Waiver, bool) {
	for _, w := range ws {
		if w.Role == r {
			return w, true
		}
	}
	return Waiver{}, false
}

// WaiverFor returns the waiver of role r, if it has one.
func (s Snapshot) WaiverFor(r Role) (Waiver, bool) { return waiverFor(s.Waivers, r) }

// WaiverChange marks a role required again, or not required with a reason.
type WaiverChange struct {
	Role     Role
	Required bool
	Reason   string
}

// ChangeWaiver checks that actor may change whether a role must sign off.
func ChangeWaiver(actor Actor, s Snapshot, c WaiverChange) (WaiverChange, error) {
	if !AbilitiesOf(actor, s).Granted(ActWaive) {
		return c, Errorf(EFORBIDDEN, "only the release manager decides which roles must sign off")
	}
	if !c.Role.Valid() {
		return c, Errorf(ENOTFOUND, "no role %q", c.Role)
	}
	if !ActWaive.OpenIn(s.Release.State) {
		return c, Errorf(ECONFLICT, "which roles sign off is settled before the decision; the release is %s", s.Release.State.InText())
	}
	c.Reason = strings.TrimSpace(c.Reason)
	if c.Required {
		c.Reason = ""
		return c, nil
	}
	p := Problems{}
	validateText(p, "reason", "Reason", c.Reason, MaxReasonLen, true)
	if c.Reason == "" {
		p["reason"] = fmt.Sprintf("Say why %s need not sign off", c.Role.InText())
	}
	return c, p.Err()
}

// WaiverResult is the whole change of whether a role must sign off: the
// role's waiver to store, or none to remove it, and the audit; no audit
// when nothing changes (the role was required already).
type WaiverResult struct {
	Role   Role
	Waiver *Waiver
	Audit  *Audit
}

// Waive checks the change c and returns what it does to the snapshot's
// release, recorded as made by actor at now.
func Waive(actor Actor, s Snapshot, c WaiverChange, now time.Time) (WaiverResult, error) {
	c, err := ChangeWaiver(actor, s, c)
	if err != nil {
		return WaiverResult{}, err
	}
	res := WaiverResult{Role: c.Role}
	if c.Required {
		if _, waived := s.WaiverFor(c.Role); waived {
			a := audit(ActionRoleRequired, "%s must sign off again", c.Role.Label())
			res.Audit = &a
		}
		return res, nil
	}
	res.Waiver = &Waiver{Role: c.Role, Reason: c.Reason, By: actor.Name, At: now}
	a := audit(ActionRoleWaived, "%s need not sign off: %s", c.Role.Label(), c.Reason)
	res.Audit = &a
	return res, nil
}

// Waiting returns the required roles that have not signed off in the
// current cycle and that someone holds for the release's product, in the
// order of the board: the roles a reminder could reach.
func Waiting(s Snapshot) []Role {
	return unsigned(s, true)
}

// Unstaffed returns the required roles that have not signed off and that
// nobody holds for the release's product: waiting on them would wait for
// ever, so the page says who must act instead (an admin, on the product).
func Unstaffed(s Snapshot) []Role {
	return unsigned(s, false)
}

func unsigned(s Snapshot, staffed bool) []Role {
	votes := CurrentVotes(s.Release, s.Votes)
	var out []Role
	for _, r := range s.Required() {
		if _, ok := votes[r]; !ok && s.Staffed.Has(r) == staffed {
			out = append(out, r)
		}
	}
	return out
}

// Nudge checks that actor may remind role to sign off the snapshot's
// release: the release manager may, while the review is open and the role
// has yet to sign.
func Nudge(actor Actor, s Snapshot, role Role) error {
	if !AbilitiesOf(actor, s).Granted(ActNudge) {
		return Errorf(EFORBIDDEN, "only the release manager nudges the roles")
	}
	if !role.Valid() {
		return Errorf(ENOTFOUND, "no role %q", role)
	}
	if !ActNudge.OpenIn(s.Release.State) {
		return Errorf(ECONFLICT, "nudges are for a release in review; it is %s", s.Release.State.InText())
	}
	if slices.Contains(Unstaffed(s), role) {
		p := s.Release.Product
		return Errorf(ECONFLICT, "no one holds the %s role for %s, so a nudge would reach nobody: add one under Products → %s", role.Label(), p, p)
	}
	if slices.Contains(Waiting(s), role) {
		return nil
	}
	return Errorf(ECONFLICT, "no sign-off is awaited from %s: it has signed or need not sign", role.InText())
}
