package gonogo_test

import (
	"testing"

	"github.com/gonogo/gonogo"
)

func TestPlural(t *testing.T) {
	tests := []struct {
		name string
		n    int
		want string
	}{
		{"none", 0, "0 defects"},
		{"one", 1, "1 defect"},
		{"two", 2, "2 defects"},
		{"eleven", 11, "11 defects"},
		{"twenty-one is still many", 21, "21 defects"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := gonogo.Plural(tc.n, "defect", "defects"); got != tc.want {
				t.Fatalf("Plural(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
	if got := gonogo.Plural(2, "person", "people"); got != "2 people" {
		t.Fatalf("an irregular plural: %q", got)
	}
}

func TestList(t *testing.T) {
	tests := []struct {
		name  string
		items []string
		max   int
		want  string
	}{
		{"nothing", nil, 5, ""},
		{"one", []string{"Ops"}, 5, "Ops"},
		{"two", []string{"Ops", "QA lead"}, 5, "Ops and QA lead"},
		{"three", []string{"a", "b", "c"}, 5, "a, b and c"},
		{"exactly the most", []string{"a", "b", "c"}, 3, "a, b and c"},
		{"more than the most", []string{"a", "b", "c", "d", "e"}, 2, "a, b and 3 more"},
		{"one more than the most", []string{"a", "b", "c"}, 2, "a, b and 1 more"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := gonogo.ListMax(tc.items, tc.max)
			if got != tc.want {
				t.Fatalf("ListMax(%q, %d) = %q, want %q", tc.items, tc.max, got, tc.want)
			}
			if len(tc.items) <= tc.max && gonogo.List(tc.items) != tc.want {
				t.Fatalf("List(%q) = %q, want %q", tc.items, gonogo.List(tc.items), tc.want)
			}
		})
	}
	for i, want := range []string{"", ", ", " and ", ""} {
		if got := gonogo.ListSeparator(i, 3); got != want {
			t.Errorf("ListSeparator(%d, 3) = %q, want %q", i, got, want)
		}
	}
	items := []string{"a", "b", "c", "d"}
	gonogo.ListMax(items, 2)
	if items[2] != "c" {
		t.Fatalf("ListMax changed the caller's slice: %q", items)
	}
}

// Messages give their own words a capital, never a value a person typed.
func TestMessagesCapitaliseOnlyOurWords(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"our words", gonogo.Errorf(gonogo.EINVALID, "choose the role you sign for"), "Choose the role you sign for"},
		{"a value first", gonogo.Errorf(gonogo.ECONFLICT, "%s already has an account", "rita@acme.test"), "rita@acme.test already has an account"},
		{"a field's message", gonogo.FieldErrorf("version", "%s %s already exists", "payments", "2.4.0"), "payments 2.4.0 already exists"},
		{"a field's own words", gonogo.FieldErrorf("title", "say what ships"), "Say what ships"},
		{"a quoted value", gonogo.Errorf(gonogo.EINVALID, "%q is not a date", "tomorrow"), `"tomorrow" is not a date`},
		{"a capital already", gonogo.Errorf(gonogo.EINVALID, "API token %q was revoked", "ci"), `API token "ci" was revoked`},
		{"a letter beyond ASCII", gonogo.Errorf(gonogo.EINVALID, "über alles"), "Über alles"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := gonogo.ErrorMessage(tc.err); got != tc.want {
				t.Fatalf("message %q, want %q", got, tc.want)
			}
			for _, msg := range gonogo.ErrorFields(tc.err) {
				if msg != tc.want {
					t.Fatalf("field message %q, want %q", msg, tc.want)
				}
			}
		})
	}
	p := gonogo.Problems{}
	p.Add("email", "%s is taken", "rita@acme.test")
	p.Add("name", "name is required")
	if p["email"] != "rita@acme.test is taken" || p["name"] != "Name is required" {
		t.Fatalf("problems %q", p)
	}
	if got := gonogo.ErrorMessage(p.Err()); got != "Please correct the highlighted fields" {
		t.Fatalf("several problems: %q", got)
	}
}

func TestRolesAndStatesInText(t *testing.T) {
	roles := map[gonogo.Role]string{
		gonogo.ProductOwner: "the product owner", gonogo.EngineeringLead: "the engineering lead", gonogo.QALead: "the QA lead",
		gonogo.Ops: "ops", gonogo.SupportLead: "the support lead", gonogo.ReleaseManager: "the release manager",
	}
	for _, r := range gonogo.Roles {
		if got := r.InText(); got != roles[r] {
			t.Errorf("%s in text: %q, want %q", r, got, roles[r])
		}
	}
	for _, st := range gonogo.States {
		got := st.InText()
		if got == "" || got == st.Label() {
			t.Errorf("%s in text: %q", st, got)
		}
	}
	if got := gonogo.Review.InText(); got != "in review" {
		t.Fatalf("review in text: %q", got)
	}
}
