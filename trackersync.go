package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// Kept is a defect a tracker keeps, in the release it belongs to.
type Kept struct {
	Defect  Defect
	Release Release
}

// DefectWrite is one change a tracker's delivery makes to a defect: a new
// defect (New), or the defect as it is to be stored, with its audit.
type DefectWrite struct {
	New bool
	// Quiet is a write of the tracker's time alone, with no audit:
	// nothing the defect shows changed.
	Quiet bool
	DefectResult
}

// SyncDefects is what one delivery about issue it does to the defects it
// keeps: kept are the defects the issue already is, one per release; rel
// is the release the issue names now (nil when gonogo has none of its
// versions). The tracker owns title, severity and status, and the issue
// becomes or stays a defect of rel while its mapping makes it one. A
// defect in a release the issue left, or of an issue deleted or no longer
// marked as a defect, is set aside there with the reason. A delivery no
// newer than what a defect last heard changes nothing (trackers send out
// of order), nor does one for a release whose defects may not change.
//
// A QA lead's verified or deferred in gonogo stands while the tracker's
// status stays what it was; a newer change of that status overrides it.
func SyncDefects(t Tracker, it TrackerItem, kept []Kept, rel *Release, now time.Time) []DefectWrite {
	sev, isDefect := t.Severity(it)
	var out []DefectWrite
	found := false
	for _, k := range kept {
		if rel != nil && k.Release.ID == rel.ID {
			found = true
		}
		if DefectsEditable(k.Release.State) != nil || !it.UpdatedAt.After(k.Defect.Source.At) {
			continue
		}
		var next Defect
		switch {
		case it.State == TrackedDeleted:
			next = setAside(k.Defect, DefectWontFix, fmt.Sprintf("deleted in %s", t.Kind.Label()))
		case rel == nil || rel.ID != k.Release.ID:
			next = setAside(k.Defect, DefectDeferred, movedReason(t, k.Release, rel))
		case !isDefect:
			next = setAside(k.Defect, DefectDeferred, fmt.Sprintf("no longer marked as a defect in %s", t.Kind.Label()))
		default:
			next = follow(t, it, k.Defect, sev)
		}
		if next == k.Defect {
			// Nothing the defect shows changed; the tracker's time is
			// kept all the same, so an older delivery changes nothing.
			next.Source.At = it.UpdatedAt
			out = append(out, DefectWrite{Quiet: true, DefectResult: DefectResult{Defect: next}})
			continue
		}
		next.Source.At = it.UpdatedAt
		next.UpdatedBy, next.UpdatedAt = t.Kind.Actor().Name, now
		out = append(out, DefectWrite{DefectResult: defectResult(k.Defect, next)})
	}
	if !found && rel != nil && isDefect && it.State != TrackedDeleted && DefectsEditable(rel.State) == nil {
		out = append(out, DefectWrite{New: true, DefectResult: newSynced(t, it, *rel, sev, now)})
	}
	return out
}

// follow is d as the tracker now says it is. The tracker's status wins
// when it changed since the tracker last spoke; otherwise the status in
// gonogo stands.
func follow(t Tracker, it TrackerItem, d Defect, sev Severity) Defect {
	d.Title, d.Severity, d.Key, d.TrackerURL = syncedTitle(it), sev, it.Key, syncedURL(it)
	status := t.Status(it)
	if status != d.Source.Status {
		d.Status, d.Reason = status, ""
		if status.SetsAside() {
			d.Reason = fmt.Sprintf("closed as not planned in %s", t.Kind.Label())
		}
	}
	if d.Severity.Grave() && d.Status.SetsAside() && d.Reason == "" {
		// A defect that became grave while set aside in gonogo keeps a
		// reason on record, as the rules for grave defects ask.
		d.Reason = fmt.Sprintf("set aside in gonogo; raised to %s in %s", sev, t.Kind.Label())
	}
	d.Source.Status = status
	return d
}

// setAside is d no longer in its release, with why; the tracker's last
// status becomes status, so the return to the release reopens it.
func setAside(d Defect, status DefectStatus, reason string) Defect {
	if d.Status.SetsAside() && d.Source.Status == status {
		return d
	}
	d.Status, d.Reason, d.Source.Status = status, reason, status
	return d
}

func movedReason(t Tracker, from Release, to *Release) string {
	if to != nil {
		return fmt.Sprintf("moved to %s in %s", to.Version, t.Kind.Label())
	}
	return fmt.Sprintf("taken out of %s in %s", from.Version, t.Kind.Label())
}

func newSynced(t Tracker, it TrackerItem, rel Release, sev Severity, now time.Time) DefectResult {
	status := t.Status(it)
	d := Defect{
		ReleaseID: rel.ID, Title: syncedTitle(it), Severity: sev, Status: status, Key: it.Key,
		TrackerURL: syncedURL(it), UpdatedBy: t.Kind.Actor().Name, UpdatedAt: now, CreatedAt: now,
		Source: Synced{TrackerID: t.ID, Kind: t.Kind, Status: status, At: it.UpdatedAt},
	}
	if status.SetsAside() {
		d.Reason = fmt.Sprintf("closed as not planned in %s", t.Kind.Label())
	}
	a := audit(ActionDefectAdd, "added %s defect %s %q (%s) from %s", sev, it.Key, d.Title, status, t.Name())
	if Blocking(d) {
		a.Topics = []Topic{TopicBlockingDefect}
	}
	return DefectResult{Defect: d, Audit: a}
}

// syncedTitle is an item's title as a defect's: cut to the length gonogo
// keeps, and never empty.
func syncedTitle(it TrackerItem) string {
	if strings.TrimSpace(it.Title) == "" {
		return "(untitled " + it.Key + ")"
	}
	return clip(strings.TrimSpace(it.Title), MaxDefectTitleLen)
}

// syncedURL is an item's link, when it is one gonogo keeps.
func syncedURL(it TrackerItem) string {
	if len(it.URL) > MaxURLLen || !isHTTPURL(it.URL) {
		return ""
	}
	return it.URL
}
