package gonogo

import (
	"fmt"
	"strings"
	"time"
)

// ImportAdd is an issue of an export that the import makes (or keeps) a
// defect of a release, with the severity and status the mapping gives it.
type ImportAdd struct {
	Line     int
	Item     TrackerItem
	Release  Release
	Severity Severity
	Status   DefectStatus
}

// ImportSkip is an issue of an export that the import leaves alone, and why.
type ImportSkip struct {
	Line   int
	Key    string
	Title  string
	Reason string
}

// ImportPlan is what importing an export would do: the issues it adds,
// and those it skips.
type ImportPlan struct {
	Adds  []ImportAdd
	Skips []ImportSkip
}

// Items are the tracker items the import applies.
func (p ImportPlan) Items() []TrackerItem {
	out := make([]TrackerItem, len(p.Adds))
	for i, a := range p.Adds {
		out[i] = a.Item
	}
	return out
}

// PlanImport is what importing rows through t's mapping would do: each
// issue that names a release of t's product (releases) and is a defect by
// the mapping is added there, as the tracker's webhook would add it; the
// rest are skipped with the reason. known is when the tracker last told
// gonogo of each issue, by key: an issue it told of since the export stays
// as it is.
func PlanImport(t Tracker, rows []ImportRow, releases []Release, known map[string]time.Time) ImportPlan {
	byVersion := map[string]Release{}
	for _, r := range releases {
		if was, ok := byVersion[r.Version]; !ok || was.State == Cancelled {
			byVersion[r.Version] = r
		}
	}
	var p ImportPlan
	for _, row := range rows {
		it := row.Item
		skip := func(format string, args ...any) {
			p.Skips = append(p.Skips, ImportSkip{row.Line, it.Key, it.Title, fmt.Sprintf(format, args...)})
		}
		if it.Type == TrackedChange {
			skip("a %s, not an issue", changeNoun(t.Kind))
			continue
		}
		versions := t.Versions(it)
		if len(versions) == 0 {
			skip("it names no release (%s)", releaseByNoun(t))
			continue
		}
		rel, found := Release{}, false
		for _, v := range versions {
			if rel, found = byVersion[v]; found {
				break
			}
		}
		if !found {
			skip("%s has no release %s", t.Product, strings.Join(versions, " or "))
			continue
		}
		sev, isDefect := t.Severity(it)
		if !isDefect {
			skip("%s", notDefectReason(t, it))
			continue
		}
		if err := DefectsEditable(rel.State); err != nil {
			skip("%s is %s: its defects no longer change", rel.Version, rel.State.InText())
			continue
		}
		if at, ok := known[it.Key]; ok && !it.UpdatedAt.After(at) {
			skip("%s told gonogo of it since: it stays as it is", t.Kind.Label())
			continue
		}
		p.Adds = append(p.Adds, ImportAdd{Line: row.Line, Item: it, Release: rel, Severity: sev, Status: t.Status(it)})
	}
	return p
}

func changeNoun(k TrackerKind) string {
	if k == GitLab {
		return "merge request"
	}
	return "pull request"
}

func releaseByNoun(t Tracker) string {
	switch t.ReleaseBy {
	case ByFixVersion:
		return "no fix version"
	case ByLabel:
		return "no " + t.LabelPrefix + " label"
	}
	return "no milestone"
}

func notDefectReason(t Tracker, it TrackerItem) string {
	if t.Kind == Jira {
		if len(t.DefectTypes) > 0 && !containsFold(t.DefectTypes, it.IssueType) {
			return fmt.Sprintf("a %s is not a defect here (%s)", it.IssueType, strings.Join(t.DefectTypes, ", "))
		}
		return fmt.Sprintf("its priority %q maps to no severity", it.Priority)
	}
	return "no label of it maps to a severity"
}

// ImportAudit is the audit of a person importing n issues of a kind's
// export into a release.
func ImportAudit(k TrackerKind, n int, rel Release) Audit {
	return audit(ActionDefectImport, "imported %s from a %s export into %s", Plural(n, "issue", "issues"), k.Label(), rel.Version)
}
