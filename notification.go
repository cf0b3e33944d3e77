package gonogo

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// NotificationKind is a sort of change a person hears about: each has a
// label for the profile and a channel it reaches people by until they
// choose another.
type NotificationKind string

const (
	NotifyReview     NotificationKind = "review"      // a review opened where you hold a required role
	NotifyNudge      NotificationKind = "nudge"       // the release manager nudged a role you hold
	NotifyMention    NotificationKind = "mention"     // a comment called on you or a role you hold
	NotifyItemFailed NotificationKind = "item-failed" // a checklist item you own failed
	NotifyCondition  NotificationKind = "condition"   // a condition was given to your role
	NotifyDecision   NotificationKind = "decision"    // a Go or No-Go on a release you signed
	NotifyWindow     NotificationKind = "window"      // the window moved on a release you signed
	NotifyShipped    NotificationKind = "shipped"     // a release you signed shipped or rolled back
	NotifyMeeting    NotificationKind = "meeting"     // the Go/No-Go meeting was scheduled, moved or cancelled
)

// NotificationKinds lists every kind in the order the profile shows them.
var NotificationKinds = []NotificationKind{NotifyReview, NotifyNudge, NotifyMention, NotifyItemFailed, NotifyCondition,
	NotifyDecision, NotifyWindow, NotifyShipped, NotifyReminder, NotifyEscalation, NotifyMeeting, NotifyAlert}

var kindLabels = map[NotificationKind]string{
	NotifyReview:     "Your sign-off is needed",
	NotifyNudge:      "You are nudged to sign off",
	NotifyMention:    "You or your role is mentioned",
	NotifyItemFailed: "A checklist item you own failed",
	NotifyCondition:  "A condition is given to your role",
	NotifyDecision:   "Go or No-Go on a release you signed",
	NotifyWindow:     "The window moved on a release you signed",
	NotifyShipped:    "A release you signed shipped or rolled back",
	NotifyReminder:   "Reminder: your sign-off is still awaited",
	NotifyEscalation: "Escalation: a required role is missing near the window",
	NotifyDigest:     "Daily digest of what waits on you",
	NotifyMeeting:    "The Go/No-Go meeting is scheduled, moved or cancelled",
	NotifyAlert:      "An alert fired on a release being deployed",
}

// Valid reports whether k is a known kind.
func (k NotificationKind) Valid() bool { _, ok := kindLabels[k]; return ok }

// Label is the kind's name for people.
func (k NotificationKind) Label() string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return string(k)
}

// Channel is how a person hears of a kind: in the inbox, by email (which
// keeps the inbox row too, so the bell and its link work alike), or not
// at all.
type Channel string

const (
	ChannelInbox Channel = "inbox"
	ChannelEmail Channel = "email"
	ChannelOff   Channel = "off"
)

// Channels lists the channels in the order the profile offers them.
var Channels = []Channel{ChannelInbox, ChannelEmail, ChannelOff}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return slices.Contains(Channels, c) }

// Label is the channel's name for people.
func (c Channel) Label() string {
	switch c {
	case ChannelInbox:
		return "Inbox"
	case ChannelEmail:
		return "Inbox and email"
	case ChannelOff:
		return "Off"
	}
	return string(c)
}

// Inbox reports whether c writes a row in the inbox.
func (c Channel) Inbox() bool { return c == ChannelInbox || c == ChannelEmail }

// DefaultChannel is how a person hears of k until they choose: by email
// what waits on them to act (sign, answer, fix, meet a condition), where
// a day without looking at the board would hold the release up; in the
// inbox what only tells them how a release they signed goes on.
func (k NotificationKind) DefaultChannel() Channel {
	switch k {
	case NotifyDecision, NotifyWindow, NotifyShipped:
		return ChannelInbox
	}
	return ChannelEmail
}

// Prefs are the channels a person chose, by kind; a kind not in it takes
// its default.
type Prefs map[NotificationKind]Channel

// For is the channel of kind k.
func (p Prefs) For(k NotificationKind) Channel {
	if c, ok := p[k]; ok && c.Valid() {
		return c
	}
	return k.DefaultChannel()
}

// ParsePrefs reads a profile form: a channel per kind, by the kind's name.
// A kind the form leaves out keeps its default; an unknown channel is a
// mistake, named with its kind.
func ParsePrefs(form map[string]string) (Prefs, error) {
	p := Prefs{}
	problems := Problems{}
	for _, k := range NotificationKinds {
		v, ok := form[string(k)]
		if !ok {
			continue
		}
		c := Channel(v)
		if !c.Valid() {
			problems.Add(string(k), "choose inbox, email or off for “%s”", k.Label())
			continue
		}
		p[k] = c
	}
	return p, problems.Err()
}

// MaxRecipients bounds the people one change notifies. Notifications are
// written inside the change's own transaction, which holds the board's
// one writer: 500 rows is a few milliseconds, a team far larger than any
// product's, and a change cannot stall every other write by reaching the
// whole company.
const MaxRecipients = 500

// MaxMentions bounds the people one comment may call on by name, for
// the same reason, and so that a pasted list is not a broadcast.
const MaxMentions = 20

// Cause is whom a change tells, and what: composed by the rule that made
// the change, beside its audit. The store finds the people (Person) and
// Recipients says which of them hear it.
type Cause struct {
	Kind NotificationKind
	// Roles are the roles whose holders for the release's product hear it
	// (a deputy in their period among them).
	Roles RoleSet
	// Handles are people called on by name in a comment (@alice: the
	// part of their email before the @).
	Handles []string
	// Signers says that whoever signed the release in Cycle hears it.
	Signers bool
	Cycle   int
	// People are people told by id (the release manager of an escalation).
	People []int64
	// Where it points on the release page: an item or a comment (the
	// store fills in ids it makes in the same change), a decision's page.
	ItemID, CommentID int64
	Decision          int
	// Text is what happened, in a sentence for the inbox.
	Text string
}

// Person is someone a change may reach, with what the store read about
// them: their grants, the deputyships naming them, whether they signed
// the release in the cause's cycle, and the channels they chose.
type Person struct {
	ID       int64
	Name     string
	Email    string
	Disabled bool
	Grants   Grants
	Deputies []Deputyship
	Signed   bool
	Prefs    Prefs
}

// Recipient is one person a cause reaches, by a channel, with the role
// it reaches them in ("" when they hear it as a signer or by name).
type Recipient struct {
	UserID  int64
	Channel Channel
	Role    Role
}

// Recipients says who of people hears of c, on a release of product, made
// by actorID at now: a holder of one of its roles for the product (in
// their own right, or as a deputy in force), a signer when it is for
// signers, a person called on by handle. Never the person who made the
// change, nor one who is disabled or switched the kind off. Each person
// once, in the order given, at most MaxRecipients.
func Recipients(c Cause, product string, actorID int64, people []Person, now time.Time) []Recipient {
	var out []Recipient
	seen := map[int64]bool{}
	for _, p := range people {
		if seen[p.ID] || p.ID == 0 || p.ID == actorID || p.Disabled {
			continue
		}
		seen[p.ID] = true
		role, ok := reaches(c, product, p, now)
		if !ok {
			continue
		}
		ch := p.Prefs.For(c.Kind)
		if ch == ChannelOff {
			continue
		}
		out = append(out, Recipient{UserID: p.ID, Channel: ch, Role: role})
		if len(out) == MaxRecipients {
			break
		}
	}
	return out
}

// reaches says whether c reaches p, and in which role.
func reaches(c Cause, product string, p Person, now time.Time) (Role, bool) {
	active, _ := SplitDeputyships(p.Deputies, now)
	held := NewGrants(append(slices.Clone(p.Grants), DeputyGrants(active)...)...).On(product)
	for _, r := range c.Roles {
		if held.Has(r) {
			return r, true
		}
	}
	if c.Signers && p.Signed || slices.Contains(c.People, p.ID) {
		return "", true
	}
	if h := MentionHandle(p.Email); h != "" && slices.Contains(c.Handles, h) {
		return "", true
	}
	return "", false
}

// Anchor is the place on the release page r's notification of c leads
// to: the item, the comment, or the sign-off of the role it reached
// them in.
func (c Cause) Anchor(r Recipient) string {
	switch {
	case c.ItemID != 0:
		return fmt.Sprintf("#item-%d", c.ItemID)
	case c.CommentID != 0:
		return fmt.Sprintf("#comment-%d", c.CommentID)
	case c.Decision != 0:
		return ""
	case c.Kind == NotifyMeeting:
		return "#meeting"
	case r.Role != "" && (c.Kind == NotifyReview || c.Kind == NotifyNudge || c.Kind == NotifyReminder):
		return "#role-" + string(r.Role)
	}
	return "#release-head"
}

// Link is the address of the place a notification leads to, on
// release id: the release page at its anchor, or a decision's page.
func (c Cause) Link(releaseID int64, r Recipient) string {
	if c.Decision != 0 {
		return fmt.Sprintf("/releases/%d/decisions/%d", releaseID, c.Decision)
	}
	return fmt.Sprintf("/releases/%d%s", releaseID, c.Anchor(r))
}

// Notification is one entry of a person's inbox.
type Notification struct {
	ID        int64
	UserID    int64
	Kind      NotificationKind
	ReleaseID int64
	Release   string // the release's name when it was written
	Text      string
	Link      string
	Actor     string
	At        time.Time
	ReadAt    time.Time // zero while unread
}

// Unread reports whether n is still to be read.
func (n Notification) Unread() bool { return n.ReadAt.IsZero() }

// MaxUnreadCounted bounds the unread count the bell reads on every page:
// past 99 it says "99+", so counting further would read a long unread
// inbox to show the same.
const MaxUnreadCounted = 100

// Inbox limits: what a person's inbox keeps. The newest InboxKeep stay
// whatever their state, so one busy person cannot grow the table without
// bound; a read one goes after ReadKept, when nobody looks back at it.
const (
	InboxKeep = 1000
	ReadKept  = 90 * 24 * time.Hour
)

// handlePattern finds @handles of people: the part of an email before
// the @ (letters, digits, dots, dashes, underscores, plus).
var handlePattern = regexp.MustCompile(`(?:^|[^\w@.])@([a-z0-9][a-z0-9._+-]*[a-z0-9])`)

// ParseHandles returns the people a text calls on by handle (@alice,
// @j.doe), each once, in order, at most MaxMentions. A handle that names
// a role (@qa, @qa-lead) calls on the role (ParseMentions), not a person.
func ParseHandles(text string) []string {
	var out []string
	for _, m := range handlePattern.FindAllStringSubmatch(strings.ToLower(text), -1) {
		h := m[1]
		if _, err := ParseRole(h); err == nil || slices.Contains(out, h) {
			continue
		}
		out = append(out, h)
		if len(out) == MaxMentions {
			break
		}
	}
	return out
}

// MentionHandle is the handle a comment calls a person by: the part of
// their email before the @, in lower case.
func MentionHandle(email string) string {
	local, _, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok {
		return ""
	}
	return local
}

// ActionNotifyPrefs is a person choosing how they hear of each kind.
const ActionNotifyPrefs Action = "notify.prefs"

// ChoosePrefs is actor choosing the channels next over was: its audit,
// naming each kind whose channel changes; nil when none does.
func ChoosePrefs(actor Actor, was, next Prefs) (*Audit, error) {
	if actor.UserID == 0 {
		return nil, Errorf(EFORBIDDEN, "sign in to choose what you hear about")
	}
	var changes []string
	for _, k := range NotificationKinds {
		if was.For(k) != next.For(k) {
			changes = append(changes, fmt.Sprintf("%s: %s", k.Label(), strings.ToLower(next.For(k).Label())))
		}
	}
	if len(changes) == 0 {
		return nil, nil
	}
	a := audit(ActionNotifyPrefs, "chose how to hear of %s", strings.Join(changes, "; "))
	return &a, nil
}
