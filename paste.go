package gonogo

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxPasteLines bounds one paste, so a slip of the clipboard cannot file a
// thousand defects.
const MaxPasteLines = 200

// PasteError points at one line of a paste that could not be read.
type PasteError struct {
	Line    int // 1-based
	Message string
}

func (e PasteError) String() string { return fmt.Sprintf("line %d: %s", e.Line, e.Message) }

// PastedDefect is one defect read from a paste, with the line it came from.
type PastedDefect struct {
	Line int
	DefectInput
}

// ParsePaste reads defects pasted one per line, fields separated by "|":
//
//	severity | title
//	severity | key | title
//	severity | title | url
//	severity | key | title | url
//
// Blank lines are skipped. It returns every defect it could read and every
// line it could not; a caller adds nothing unless errs is empty.
func ParsePaste(text string) (defects []PastedDefect, errs []PasteError) {
	if !utf8.ValidString(text) {
		return nil, []PasteError{{1, "the paste is not valid text"}}
	}
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	seen := map[string]int{}
	for i, line := range lines {
		n := i + 1
		if strings.TrimSpace(line) == "" {
			continue
		}
		if len(defects)+len(errs) >= MaxPasteLines {
			errs = append(errs, PasteError{n, fmt.Sprintf("a paste may hold at most %d defects", MaxPasteLines)})
			break
		}
		in, err := parsePasteLine(line)
		if err != "" {
			errs = append(errs, PasteError{n, err})
			continue
		}
		if in.Key != "" {
			if first, dup := seen[strings.ToUpper(in.Key)]; dup {
				errs = append(errs, PasteError{n, fmt.Sprintf("%s is already on line %d", in.Key, first)})
				continue
			}
			seen[strings.ToUpper(in.Key)] = n
		}
		defects = append(defects, PastedDefect{n, in})
	}
	if len(defects) == 0 && len(errs) == 0 {
		errs = append(errs, PasteError{1, "paste at least one defect, e.g. blocker | PAY-142 | Checkout fails on Safari"})
	}
	return defects, errs
}

func parsePasteLine(line string) (DefectInput, string) {
	fields := strings.Split(line, "|")
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	var in DefectInput
	switch len(fields) {
	case 2:
		in = DefectInput{Severity: Severity(fields[0]), Title: fields[1]}
	case 3:
		if looksLikeURL(fields[2]) {
			in = DefectInput{Severity: Severity(fields[0]), Title: fields[1], TrackerURL: fields[2]}
		} else {
			in = DefectInput{Severity: Severity(fields[0]), Key: fields[1], Title: fields[2]}
		}
	case 4:
		in = DefectInput{Severity: Severity(fields[0]), Key: fields[1], Title: fields[2], TrackerURL: fields[3]}
	default:
		return in, "expected severity | key | title | link, separated by | (key and link are optional)"
	}
	in.Normalize()
	if !in.Severity.Valid() {
		return in, fmt.Sprintf("unknown severity %q: use blocker, critical, major or minor", truncate(fields[0], 40))
	}
	if err := in.Validate(); err != nil {
		return in, ErrorMessage(err)
	}
	return in, ""
}

func looksLikeURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
