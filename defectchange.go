package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// DefectResult is the whole change to one defect: the defect as it is to
// be stored, and the audit; a defect that starts blocking is heard under
// TopicBlockingDefect.
type DefectResult struct {
	Defect Defect
	Audit  Audit
}

// SetDefectStatus is a defect's move to another status (see
// ChangeDefectStatus), with its audit.
func SetDefectStatus(actor Actor, rel Release, d Defect, c DefectChange, now time.Time) (DefectResult, error) {
	next, err := ChangeDefectStatus(actor, rel, d, c, now)
	if err != nil {
		return DefectResult{}, err
	}
	return defectResult(d, next), nil
}

// ReviseDefect is a change of a defect's description (see EditDefect),
// with its audit.
func ReviseDefect(actor Actor, rel Release, d Defect, in DefectInput, now time.Time) (DefectResult, error) {
	next, err := EditDefect(actor, rel, d, in, now)
	if err != nil {
		return DefectResult{}, err
	}
	return defectResult(d, next), nil
}

// AddDefects are defects added to rel by actor at now, each with its audit:
// all of them, or none when the release's defects may not change.
func AddDefects(actor Actor, rel Release, ins []DefectInput, now time.Time) ([]DefectResult, error) {
	if err := DefectsEditable(rel.State); err != nil {
		return nil, err
	}
	var out []DefectResult
	for _, in := range ins {
		d := Defect{
			ReleaseID: rel.ID, Title: in.Title, Severity: in.Severity, Status: in.Status, Key: in.Key, TrackerURL: in.TrackerURL,
			Notes: in.Notes, UpdatedBy: actor.Name, UpdatedAt: now, CreatedAt: now,
		}
		key := ""
		if k := d.TrackerKey(); k != "" {
			key = k + " "
		}
		a := audit(ActionDefectAdd, "added %s defect %s%q (%s)", in.Severity, key, in.Title, in.Status)
		if Blocking(d) {
			a.Topics = []Topic{TopicBlockingDefect}
		}
		out = append(out, DefectResult{Defect: d, Audit: a})
	}
	return out, nil
}

func defectResult(old, d Defect) DefectResult {
	action := ActionDefectEdit
	if old.Status != d.Status {
		action = ActionDefectStatus
	}
	a := audit(action, "%s", describeDefectChange(old, d))
	if Blocking(d) && !Blocking(old) {
		a.Topics = []Topic{TopicBlockingDefect}
	}
	return DefectResult{Defect: d, Audit: a}
}

func describeDefectChange(old, d Defect) string {
	name := fmt.Sprintf("%q", d.Title)
	if k := d.TrackerKey(); k != "" {
		name = k + " " + name
	}
	var parts []string
	if old.Status != d.Status {
		part := fmt.Sprintf("%s → %s", old.Status, d.Status)
		if d.Reason != "" {
			part += ": " + d.Reason
		}
		parts = append(parts, part)
	} else if old.Reason != d.Reason && d.Reason != "" {
		// Deferred stays deferred, for a new reason: the trail must say which.
		parts = append(parts, "reason: "+d.Reason)
	}
	if old.Severity != d.Severity {
		parts = append(parts, fmt.Sprintf("severity %s → %s", old.Severity, d.Severity))
	}
	if old.Title != d.Title {
		parts = append(parts, fmt.Sprintf("title was %q", old.Title))
	}
	if old.TrackerURL != d.TrackerURL || old.Key != d.Key {
		parts = append(parts, "tracker link")
	}
	if old.Notes != d.Notes {
		parts = append(parts, "notes")
	}
	if len(parts) == 0 {
		return "saved defect " + name + " unchanged"
	}
	return "defect " + name + ": " + strings.Join(parts, ", ")
}
