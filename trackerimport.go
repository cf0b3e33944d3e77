package gonogo

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// A backfill: a tracker's current issues, imported once from an export
// pasted into gonogo (CSV from Jira, GitLab or a GitHub issue list, or the
// tab-separated file a GitHub project's view exports), read into tracker
// items and applied through the tracker's mapping as its webhook's would
// be.

// Limits of one import: within the server's 1 MB form, and a release's
// worth of issues, not a tracker's whole history.
const (
	MaxImportBytes = 512 << 10
	MaxImportRows  = 500
)

// ExportUndated is the time of an issue whose export says not when it last
// changed: older than anything the tracker's webhook tells, so a delivery
// always wins over the import, and the import never over a delivery.
var ExportUndated = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// ImportRow is one issue read from an export, with the line it starts on.
type ImportRow struct {
	Line int
	Item TrackerItem
}

// exportColumns are the columns an export is read by, each under the names
// the trackers give it (compared without regard to case); a column named
// more than once (Jira's Fix Version/s, Labels) is read whole.
var exportColumns = map[string][]string{
	"title":     {"summary", "title"},
	"key":       {"issue key", "key"},
	"number":    {"number", "issue id", "iid", "#"},
	"url":       {"url", "link"},
	"type":      {"issue type", "type"},
	"state":     {"state"},
	"status":    {"status"},
	"category":  {"status category"},
	"reason":    {"state reason", "statereason"},
	"priority":  {"priority"},
	"resolved":  {"resolution"},
	"versions":  {"fix version/s", "fix versions", "fix version"},
	"milestone": {"milestone"},
	"labels":    {"labels", "label"},
	"updated":   {"updated", "updated at", "updated at (utc)", "updatedat", "updated_at"},
}

// exportHeader is where each column is in an export, and whether its
// times are UTC (GitLab says so in the column's name).
type exportHeader struct {
	at      map[string][]int
	utcTime bool
}

func readHeader(names []string) exportHeader {
	h := exportHeader{at: map[string][]int{}}
	for i, n := range names {
		n = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(n, "\ufeff")))
		for col, aliases := range exportColumns {
			if slices.Contains(aliases, n) {
				h.at[col] = append(h.at[col], i)
				if col == "updated" && strings.Contains(n, "utc") {
					h.utcTime = true
				}
			}
		}
	}
	return h
}

// one is the first non-empty value of a column in rec.
func (h exportHeader) one(rec []string, col string) string {
	for _, i := range h.at[col] {
		if i < len(rec) && strings.TrimSpace(rec[i]) != "" {
			return strings.TrimSpace(rec[i])
		}
	}
	return ""
}

// all is every value of a column in rec, a cell holding a comma-separated
// list (GitHub's and GitLab's labels) read as its items.
func (h exportHeader) all(rec []string, col string) []string {
	var out []string
	for _, i := range h.at[col] {
		if i >= len(rec) {
			continue
		}
		for _, v := range strings.Split(rec[i], ",") {
			if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// ReadExport reads an export of k's issues, by its header's column names:
// Jira's Summary, Issue key, Issue Type, Status, Priority, Resolution, Fix
// Version/s, Labels and Updated; GitHub's and GitLab's Title, Number (or
// Issue ID, or the issue's URL), State or Status, Labels, Milestone and
// Updated. Times without a zone are read in zone. It returns every issue
// it could read and every line it could not; a caller imports nothing
// unless errs is empty.
func ReadExport(k TrackerKind, text string, zone *time.Location) (rows []ImportRow, errs []PasteError) {
	switch {
	case len(text) > MaxImportBytes:
		return nil, []PasteError{{1, fmt.Sprintf("an export may be at most %d KB; export fewer issues, such as one release's", MaxImportBytes>>10)}}
	case !utf8.ValidString(text):
		return nil, []PasteError{{1, "the export is not UTF-8 text; export it again as CSV"}}
	case strings.TrimSpace(text) == "":
		return nil, []PasteError{{1, "paste an export: its first line names the columns"}}
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	r.FieldsPerRecord = -1
	if first, _, _ := strings.Cut(text, "\n"); strings.Count(first, "\t") > strings.Count(first, ",") {
		r.Comma = '\t' // a GitHub project's view exports tab-separated values
	}
	names, err := r.Read()
	if err != nil {
		return nil, []PasteError{{1, "the first line is not a CSV header: " + csvProblem(err)}}
	}
	h := readHeader(names)
	if msg := h.missing(k); msg != "" {
		return nil, []PasteError{{1, msg}}
	}
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			errs = append(errs, PasteError{line, csvProblem(err)})
			if len(errs) >= MaxImportRows {
				break
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rows)+len(errs) >= MaxImportRows {
			errs = append(errs, PasteError{line, fmt.Sprintf("an import may hold at most %d issues; export fewer, such as one release's", MaxImportRows)})
			break
		}
		it, msg := h.item(k, rec, zone)
		if msg == "" {
			if first, dup := seen[strings.ToUpper(it.Key)]; dup {
				msg = fmt.Sprintf("%s is already on line %d", it.Key, first)
			}
		}
		if msg != "" {
			errs = append(errs, PasteError{line, msg})
			continue
		}
		seen[strings.ToUpper(it.Key)] = line
		rows = append(rows, ImportRow{line, it})
	}
	if len(rows) == 0 && len(errs) == 0 {
		errs = append(errs, PasteError{1, "the export lists no issues"})
	}
	return rows, errs
}

func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func blank(rec []string) bool {
	return !slices.ContainsFunc(rec, func(v string) bool { return strings.TrimSpace(v) != "" })
}

// missing names the columns an export of k lacks, "" when it has them.
func (h exportHeader) missing(k TrackerKind) string {
	if k == Jira {
		if h.at["title"] == nil || h.at["key"] == nil {
			return "a Jira export needs its Summary and Issue key columns: export with all fields, or add them to the view"
		}
		return ""
	}
	if h.at["title"] == nil || h.at["number"] == nil && h.at["url"] == nil {
		return fmt.Sprintf("a %s export needs its Title column, and its Number or URL column", k.Label())
	}
	return ""
}

// item reads one record as a tracker item, or says what is wrong with it.
func (h exportHeader) item(k TrackerKind, rec []string, zone *time.Location) (TrackerItem, string) {
	it := TrackerItem{Type: TrackedIssue, Title: h.one(rec, "title"), State: TrackedOpen, Labels: h.all(rec, "labels")}
	if it.Title == "" {
		return it, "the issue has no title"
	}
	if h.utcTime {
		zone = time.UTC
	}
	at, ok := exportTime(h.one(rec, "updated"), zone)
	if !ok {
		return it, fmt.Sprintf("the time %q is not one gonogo reads, such as 2026-11-29 16:40 or 29/Nov/26 4:40 PM", h.one(rec, "updated"))
	}
	it.UpdatedAt = at
	if k == Jira {
		return h.jiraItem(it, rec)
	}
	return h.repoItem(k, it, rec)
}

var jiraIssueKey = regexp.MustCompile(`^[A-Z][A-Z0-9_]*-[0-9]+$`)

// notPlanned are the Jira resolutions that close an issue without fixing it.
var notPlanned = []string{"won't do", "won't fix", "duplicate", "cannot reproduce", "declined", "rejected", "not a bug", "obsolete"}

func (h exportHeader) jiraItem(it TrackerItem, rec []string) (TrackerItem, string) {
	it.Key = strings.ToUpper(h.one(rec, "key"))
	if !jiraIssueKey.MatchString(it.Key) {
		return it, fmt.Sprintf("%q is not a Jira issue key such as PAY-142", h.one(rec, "key"))
	}
	it.IssueType, it.Status, it.Priority = h.one(rec, "type"), h.one(rec, "status"), h.one(rec, "priority")
	it.FixVersions = h.all(rec, "versions")
	category := strings.ToLower(h.one(rec, "category"))
	resolution := strings.ToLower(h.one(rec, "resolved"))
	switch {
	case resolution != "" && resolution != "unresolved":
		it.State, it.NotPlanned = TrackedClosed, slices.Contains(notPlanned, resolution)
	case category == "done":
		it.State = TrackedClosed
	case category == "in progress" || category == "" && strings.EqualFold(it.Status, "in progress"):
		it.Started = true
	}
	return it, ""
}

func (h exportHeader) repoItem(k TrackerKind, it TrackerItem, rec []string) (TrackerItem, string) {
	it.Milestone = h.one(rec, "milestone")
	it.URL = h.one(rec, "url")
	kind, num := issueInURL(it.URL)
	if n := strings.TrimPrefix(h.one(rec, "number"), "#"); n != "" {
		num = n
	}
	if num == "" || strings.Trim(num, "0123456789") != "" {
		return it, "the issue has no number or link to read its key from"
	}
	it.Key = "#" + num
	if kind == "change" {
		it.Type = TrackedChange
		if k == GitLab {
			it.Key = "!" + num
		}
	}
	state := strings.ToLower(h.one(rec, "state"))
	if state == "" {
		state = strings.ToLower(h.one(rec, "status"))
	}
	switch state {
	case "closed", "done", "resolved", "merged":
		it.State = TrackedClosed
	case "in progress", "in review":
		it.Started = true
	}
	it.NotPlanned = it.State == TrackedClosed && strings.Contains(strings.ToLower(h.one(rec, "reason")), "not")
	return it, ""
}

// issueInURL reads an issue's or a change's number from its link: GitHub's
// /issues/318 or /pull/512, GitLab's /-/issues/5 or /-/merge_requests/12.
func issueInURL(link string) (kind, num string) {
	u, err := url.Parse(link)
	if err != nil || link == "" {
		return "", ""
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		switch parts[i] {
		case "issues":
			return "issue", parts[i+1]
		case "pull", "merge_requests":
			return "change", parts[i+1]
		}
	}
	return "", ""
}

// exportLayouts are the times the trackers' exports write: with a zone,
// then without (read in the team's zone, Jira's user time zone).
var exportLayouts = []string{time.RFC3339, "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 MST"}
var exportLocalLayouts = []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04",
	"02/Jan/06 3:04 PM", "2/Jan/06 3:04 PM", "02/Jan/06 15:04", "02/Jan/2006 3:04 PM", "02/Jan/2006 15:04", "2006-01-02"}

func exportTime(s string, zone *time.Location) (time.Time, bool) {
	if s == "" {
		return ExportUndated, true
	}
	for _, l := range exportLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	if zone == nil {
		zone = time.UTC
	}
	for _, l := range exportLocalLayouts {
		if t, err := time.ParseInLocation(l, s, zone); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
