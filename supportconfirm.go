package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// ActionSupportConfirm is the audit of what the support lead confirmed
// with a Go. It is part of the sign-offs (its area is "vote").
const ActionSupportConfirm Action = "vote.support"

// BriefsSupport reports whether signing for role is support's sign-off:
// its form shows what support needs to know, and its Go records what the
// signer confirmed.
func BriefsSupport(role Role) bool { return role == SupportLead }

// SupportConfirmation is what the support lead saw and confirmed when they
// signed Go: the release notes as they stood, the known issues and the
// conditions given to support. It is kept with the vote, and so frozen in
// the decision's record with it.
type SupportConfirmation struct {
	NotesStatus    NotesStatus
	NotesTitle     string    `json:",omitempty"`
	NotesUpdatedAt time.Time // when the notes they saw were last saved
	NotesRevision  int       `json:",omitempty"` // the published revision, 0 for a draft
	KnownIssues    []ConfirmedIssue
	Conditions     []string // the conditions given to support, open or not
}

// ConfirmedIssue is a known issue as support confirmed it.
type ConfirmedIssue struct {
	ID            int64
	Key           string `json:",omitempty"`
	Title         string
	HasWorkaround bool
}

// ConfirmSupport is what a vote confirms, or nil when it confirms nothing
// (not support's sign-off, or not a Go). items are the release's
// checklist; revision is the number of the notes' latest published
// revision, 0 if none.
func ConfirmSupport(v Vote, n Notes, revision int, issues []KnownIssue, items []Item) *SupportConfirmation {
	if !BriefsSupport(v.Role) || v.Value != VoteGo {
		return nil
	}
	c := &SupportConfirmation{NotesStatus: n.Status, NotesTitle: n.Title, NotesUpdatedAt: n.UpdatedAt, NotesRevision: revision,
		KnownIssues: []ConfirmedIssue{}, Conditions: []string{}}
	for _, k := range issues {
		c.KnownIssues = append(c.KnownIssues, ConfirmedIssue{ID: k.ID, Key: k.Key, Title: k.Title, HasWorkaround: k.Workaround != ""})
	}
	for _, it := range SupportConditions(items) {
		c.Conditions = append(c.Conditions, it.Title)
	}
	for _, cond := range v.Conditions {
		if cond.Owner == v.Role {
			c.Conditions = append(c.Conditions, cond.Text)
		}
	}
	return c
}

// SupportConditions are the condition items of votes and the decision
// that support owns.
func SupportConditions(items []Item) []Item {
	var out []Item
	for _, it := range items {
		if it.IsCondition() && BriefsSupport(it.OwnerRole) {
			out = append(out, it)
		}
	}
	return out
}

// NotesText says which notes support confirmed.
func (c SupportConfirmation) NotesText() string {
	switch {
	case c.NotesStatus == NotesNone:
		return "no release notes written"
	case c.NotesRevision > 0:
		return fmt.Sprintf("the published release notes %q, revision %d", c.NotesTitle, c.NotesRevision)
	}
	return fmt.Sprintf("the release notes draft %q", c.NotesTitle)
}

// IssuesText names the known issues support confirmed, and how many still
// lack a workaround.
func (c SupportConfirmation) IssuesText() string {
	if len(c.KnownIssues) == 0 {
		return "no known issues"
	}
	var names []string
	missing := 0
	for _, k := range c.KnownIssues {
		name := k.Key
		if name == "" {
			name = fmt.Sprintf("%q", k.Title)
		}
		names = append(names, name)
		if !k.HasWorkaround {
			missing++
		}
	}
	s := fmt.Sprintf("%s (%s)", Plural(len(c.KnownIssues), "known issue", "known issues"), strings.Join(names, ", "))
	if missing > 0 {
		s += fmt.Sprintf(", %d without a workaround", missing)
	}
	return s
}

// ConditionsText lists the conditions given to support.
func (c SupportConfirmation) ConditionsText() string {
	if len(c.Conditions) == 0 {
		return "no conditions for support"
	}
	return Plural(len(c.Conditions), "condition", "conditions") + ": " + strings.Join(c.Conditions, "; ")
}

// Text is the whole confirmation in one sentence, for the audit trail and
// the minutes.
func (c SupportConfirmation) Text() string {
	return c.NotesText() + "; " + c.IssuesText() + "; " + c.ConditionsText()
}

// SupportConfirmed is the audit of a confirmation.
func SupportConfirmed(c SupportConfirmation) Audit {
	return audit(ActionSupportConfirm, "support confirmed %s", c.Text())
}
