package gonogo

import (
	"fmt"
	"strings"
)

// Snapshot is everything the gate looks at for one release at one moment.
type Snapshot struct {
	Release Release
	Items   []Item
	Defects []Defect
}

// ReasonKind says what sort of thing blocks a release.
type ReasonKind string

const (
	ReasonItem   ReasonKind = "item"   // a required readiness item is open or failed
	ReasonDefect ReasonKind = "defect" // a blocking defect
)

// Reason is one thing that stands between a release and a Go, written so that
// it names what to fix. Anchor is the id of the element on the release page
// where it can be fixed.
type Reason struct {
	Kind   ReasonKind
	Text   string
	Anchor string
}

// Gate is the verdict on a snapshot.
type Gate struct {
	Ready   bool
	Reasons []Reason
}

// Evaluate returns whether the snapshot is ready for a Go and, if not, every
// reason why. It is a pure function: same snapshot, same verdict.
func Evaluate(s Snapshot) Gate {
	var reasons []Reason
	for _, it := range s.Items {
		if it.Phase != Readiness || !it.Required {
			continue
		}
		switch it.Status {
		case ItemDone, ItemNA:
			// settled
		case ItemFailed:
			reasons = append(reasons, Reason{ReasonItem,
				fmt.Sprintf("%s: “%s” failed (%s)", it.Pillar.Label(), it.Title, it.OwnerRole.Label()),
				fmt.Sprintf("item-%d", it.ID)})
		default:
			// Open, or a status the gate does not know: not settled, so it
			// blocks. The gate fails closed.
			reasons = append(reasons, Reason{ReasonItem,
				fmt.Sprintf("%s: “%s” is still open (%s)", it.Pillar.Label(), it.Title, it.OwnerRole.Label()),
				fmt.Sprintf("item-%d", it.ID)})
		}
	}
	for _, d := range s.Defects {
		if Blocking(d) {
			reasons = append(reasons, Reason{ReasonDefect,
				fmt.Sprintf("%s defect %s“%s” is %s", d.Severity.Label(), keyPrefix(d), d.Title, strings.ToLower(d.Status.Label())),
				fmt.Sprintf("defect-%d", d.ID)})
		}
	}
	return Gate{Ready: len(reasons) == 0, Reasons: reasons}
}

func keyPrefix(d Defect) string {
	if k := d.TrackerKey(); k != "" {
		return k + " "
	}
	return ""
}
