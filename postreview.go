package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// Limits of a post-release review.
const (
	MaxReviewSummaryLen = 8000
	MaxReviewLinks      = 10
	MaxReviewLinkLen    = 500
	MaxFollowUps        = 10
)

// ReviewOutcome is how a release turned out once it reached production,
// as its post-release review says.
type ReviewOutcome string

const (
	ReviewClean      ReviewOutcome = "clean"       // nobody noticed anything
	ReviewDegraded   ReviewOutcome = "degraded"    // it worked, worse than it should
	ReviewIncident   ReviewOutcome = "incident"    // it caused an incident
	ReviewRolledBack ReviewOutcome = "rolled-back" // it was taken back out
)

// ReviewOutcomes lists the outcomes in the order of the form and of insights.
var ReviewOutcomes = []ReviewOutcome{ReviewClean, ReviewDegraded, ReviewIncident, ReviewRolledBack}

var reviewOutcomeLabels = map[ReviewOutcome]string{
	ReviewClean: "Clean", ReviewDegraded: "Degraded", ReviewIncident: "Incident", ReviewRolledBack: "Rolled back",
}

// Valid reports whether o is a known outcome.
func (o ReviewOutcome) Valid() bool { _, ok := reviewOutcomeLabels[o]; return ok }

// Label is the outcome's name for people.
func (o ReviewOutcome) Label() string {
	if l, ok := reviewOutcomeLabels[o]; ok {
		return l
	}
	return string(o)
}

// PostReview is the record of how a release turned out: its outcome, what
// happened, the links that tell more (an incident ticket) and the
// follow-ups it asks of the product's next release. Like a decision it is
// never edited once recorded.
type PostReview struct {
	ID           int64
	ReleaseID    int64
	Outcome      ReviewOutcome
	Summary      string // Markdown
	Links        []string
	RecordedByID int64
	RecordedBy   string
	At           time.Time
	FollowUps    []FollowUp
}

// FollowUp is an action a post-release review asks for: a required
// readiness item of the product's next release, owned by Owner. It waits
// (ReleaseID 0) until the product has a release to carry it.
type FollowUp struct {
	ID        int64
	Text      string
	Owner     Role
	ReleaseID int64 // the release that carries it; 0 while it waits
	ItemID    int64 // its item there; 0 while it waits, or once the item was removed
	// Where it went and how it stands, for the record's readers.
	Release    string     // "product version" of ReleaseID
	ItemStatus ItemStatus // "" without an item
}

// Waiting reports whether the follow-up waits for the product's next release.
func (f FollowUp) Waiting() bool { return f.ReleaseID == 0 }

// PostReviewInput is what the release manager submits. Links and
// follow-ups are one a line; a follow-up may start with a role's handle
// and a colon ("ops: add an alert on queue depth") to give it to that role.
type PostReviewInput struct {
	Outcome   ReviewOutcome
	Summary   string
	Links     string
	FollowUps string
}

// PostReviewPath is the address of a release's post-release review: the
// evidence of the items it closes.
func PostReviewPath(releaseID int64) string {
	return fmt.Sprintf("/releases/%d/post-release-review", releaseID)
}

// PostReviewOpen reports whether a release in st may have its review
// recorded: once it reached production and ended there (released or
// rolled back), or while it is verifying, as a hotfix may be when its
// review falls due.
func PostReviewOpen(st State) bool { return st == Verifying || st == Released || st == RolledBack }

// PostReviewResult is the whole change recording a review makes: the
// review, the items of the release it closes (its post-release-review
// conditions) with their audits, and its own audit.
type PostReviewResult struct {
	Review     PostReview
	CloseItems []ItemResult
	Audit      Audit
}

// RecordPostReview checks that actor may record the review of the
// snapshot's release and returns the change it makes. A release has one
// review: the store refuses a second.
func RecordPostReview(actor Actor, s Snapshot, in PostReviewInput, now time.Time) (PostReviewResult, error) {
	rel := s.Release
	if !AbilitiesOf(actor, s).Granted(ActPostReview) {
		return PostReviewResult{}, Errorf(EFORBIDDEN, "only the release manager records the post-release review")
	}
	if !ActPostReview.OpenIn(rel.State) {
		return PostReviewResult{}, Errorf(ECONFLICT, "a post-release review is recorded once the release is verifying, released or rolled back; it is %s", rel.State.InText())
	}
	rev, err := in.review(rel)
	if err != nil {
		return PostReviewResult{}, err
	}
	rev.ReleaseID, rev.RecordedByID, rev.RecordedBy, rev.At = rel.ID, actor.UserID, actor.Name, now
	res := PostReviewResult{Review: rev}
	for _, it := range s.Items {
		if it.CheckKey != PostReleaseReviewKey || it.Status == ItemDone {
			continue
		}
		next := ItemChange{Status: ItemDone, Evidence: PostReviewPath(rel.ID)}.Apply(it, actor.Name, now)
		res.CloseItems = append(res.CloseItems, ItemResult{Item: next,
			Audit: audit(ActionItemStatus, "set %q %s (was %s), evidence %s: the post-release review is recorded", it.Title, next.Status, it.Status, next.Evidence)})
	}
	detail := fmt.Sprintf("recorded the post-release review: %s", rev.Outcome.Label())
	if n := len(rev.FollowUps); n > 0 {
		detail += fmt.Sprintf(" (%d follow-up%s: %s)", n, plural(n), followUpsText(rev.FollowUps))
	}
	res.Audit = audit(ActionPostReview, "%s", detail)
	res.Audit.Topics = []Topic{TopicReviewed}
	return res, nil
}

// review validates the input into a review of rel, reporting every
// problem at once.
func (in PostReviewInput) review(rel Release) (PostReview, error) {
	p := Problems{}
	if !in.Outcome.Valid() {
		p.Add("outcome", "choose how the release turned out: clean, degraded, incident or rolled back")
	} else if rel.State == RolledBack && in.Outcome != ReviewRolledBack {
		p.Add("outcome", "the release was rolled back: its outcome is Rolled back")
	}
	summary := strings.TrimSpace(strings.ReplaceAll(in.Summary, "\r\n", "\n"))
	validateText(p, "summary", "What happened", summary, MaxReviewSummaryLen, true)
	var links []string
	for i, line := range lines(in.Links) {
		switch {
		case len(line) > MaxReviewLinkLen:
			p.Add("links", "line %d: a link must be at most %d characters", i+1, MaxReviewLinkLen)
		case !isHTTPURL(line) || strings.ContainsAny(line, " \t"):
			p.Add("links", "line %d: %q is not an http or https link", i+1, line)
		}
		links = append(links, line)
	}
	if len(links) > MaxReviewLinks {
		p.Add("links", "at most %d links; keep the ones that tell the most", MaxReviewLinks)
	}
	var follow []FollowUp
	conds, err := ParseConditions(in.FollowUps, ReleaseManager)
	switch {
	case err != nil:
		p.Add("follow_ups", "%s", strings.Replace(ErrorMessage(err), "condition", "follow-up", 1))
	case len(conds) > MaxFollowUps:
		p.Add("follow_ups", "at most %d follow-ups; merge some", MaxFollowUps)
	}
	for i, c := range conds {
		// A follow-up becomes an item's title.
		if n := len([]rune(c.Text)); n > MaxItemTitleLen {
			p.Add("follow_ups", "line %d: a follow-up must be at most %d characters", i+1, MaxItemTitleLen)
		}
		follow = append(follow, FollowUp{Text: c.Text, Owner: c.Owner})
	}
	if err := p.Err(); err != nil {
		return PostReview{}, err
	}
	return PostReview{Outcome: in.Outcome, Summary: summary, Links: links, FollowUps: follow}, nil
}

// lines are the text's non-empty lines, trimmed.
func lines(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(l), "-*•")); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func followUpsText(fs []FollowUp) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, fmt.Sprintf("%q for %s", f.Text, f.Owner.Label()))
	}
	return strings.Join(parts, "; ")
}

// FollowUpTarget reports whether a release in st can take follow-ups: its
// readiness is still being worked (draft, in review, or stopped at No-Go).
// A release cleared to Go has passed its readiness; the one after it
// carries them.
func FollowUpTarget(st State) bool { return st == Draft || st == Review || st == NoGo }

// NextRelease is the release that carries the follow-ups of a review of
// reviewed: the earliest created of the same product, other than it,
// whose readiness is still being worked (FollowUpTarget). candidates may
// hold any releases.
func NextRelease(reviewed Release, candidates []Release) (Release, bool) {
	var best Release
	for _, r := range candidates {
		if r.ID == reviewed.ID || r.Product != reviewed.Product || !FollowUpTarget(r.State) {
			continue
		}
		if best.ID == 0 || r.CreatedAt.Before(best.CreatedAt) || r.CreatedAt.Equal(best.CreatedAt) && r.ID < best.ID {
			best = r
		}
	}
	return best, best.ID != 0
}

// FollowUpItem is the required readiness item a follow-up of the review
// of from becomes on the release that carries it.
func FollowUpItem(from Release, f FollowUp) Item {
	return Item{
		Phase: Readiness, Pillar: Operational, Title: f.Text, OwnerRole: f.Owner, Required: true, Custom: true, Status: ItemOpen,
		Guidance: fmt.Sprintf("A follow-up of the post-release review of %s (%s); close it once it is done.", from.Name(), PostReviewPath(from.ID)),
	}
}

// FollowUpAdded is the audit, on the release that carries it, of a
// follow-up placed on its checklist.
func FollowUpAdded(from Release, f FollowUp) Audit {
	return audit(ActionItemAdd, "added required readiness item %q (%s), a follow-up of the post-release review of %s", f.Text, f.Owner.Label(), from.Name())
}
