package gonogo

// State is where a release stands in its life:
//
//	draft → review → go → deploying → verifying → released
//	review → no-go;  deploying, verifying → rolled-back
//	no-go, rolled-back → review (new cycle);  any state before deploying → cancelled
type State string

const (
	Draft      State = "draft"
	Review     State = "review"
	Go         State = "go"
	NoGo       State = "no-go"
	Deploying  State = "deploying"
	Verifying  State = "verifying"
	Released   State = "released"
	RolledBack State = "rolled-back"
	Cancelled  State = "cancelled"
)

// States lists every state in the order of a release's life.
var States = []State{Draft, Review, Go, Deploying, Verifying, Released, NoGo, RolledBack, Cancelled}

// ActiveStates are the board's columns: releases still on their way.
var ActiveStates = []State{Draft, Review, Go, Deploying, Verifying}

// ClosedStates end a cycle or a release; the board keeps them in the
// "recently closed" lane.
var ClosedStates = []State{NoGo, Released, RolledBack, Cancelled}

var stateLabels = map[State]string{
	Draft: "Draft", Review: "In review", Go: "Go", NoGo: "No-Go",
	Deploying: "Deploying", Verifying: "Verifying", Released: "Released",
	RolledBack: "Rolled back", Cancelled: "Cancelled",
}

// stateWords say where a release stands after "the release is": "the
// release is in review", "it is a draft".
var stateWords = map[State]string{
	Draft: "a draft", Review: "in review", Go: "cleared to Go", NoGo: "stopped at No-Go",
	Deploying: "deploying", Verifying: "verifying", Released: "released",
	RolledBack: "rolled back", Cancelled: "cancelled",
}

// Valid reports whether s is a known state.
func (s State) Valid() bool { _, ok := stateLabels[s]; return ok }

// Label is the state's name for people.
func (s State) Label() string {
	if l, ok := stateLabels[s]; ok {
		return l
	}
	return string(s)
}

// InText is the state in a sentence, after "is": "the release is in
// review". Labels are for badges and columns; they start with a capital.
func (s State) InText() string {
	if w, ok := stateWords[s]; ok {
		return w
	}
	return string(s)
}

// Active reports whether a release in s is still on its way to production.
func (s State) Active() bool {
	for _, a := range ActiveStates {
		if a == s {
			return true
		}
	}
	return false
}

// ParseState returns the state named s.
func ParseState(s string) (State, error) {
	st := State(s)
	if !st.Valid() {
		return "", Errorf(EINVALID, "unknown state %q", s)
	}
	return st, nil
}
