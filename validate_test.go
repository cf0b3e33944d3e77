package gonogo_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gonogo/gonogo"
)

// invisibles are the characters that change how text around them is shown
// without being seen themselves: bidi embeddings, overrides and isolates,
// direction marks, and zero-width characters. In a name, title, version or
// email they make one thing look like another ("gnp.exe" shown for
// "exe.png"), so they are refused there.
var invisibles = []rune{
	0x202A, 0x202B, 0x202C, 0x202D, 0x202E, // embeddings and overrides
	0x2066, 0x2067, 0x2068, 0x2069, // isolates
	0x200E, 0x200F, 0x061C, // marks
	0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, // zero-width
}

// lineFields are the single-line fields people name things with, each with
// a valid input to spoil and the field its problem is reported on.
var lineFields = []struct {
	name  string
	field string
	check func(s string) error
}{
	{"person's name", "name", func(s string) error {
		u := gonogo.NewUser{Email: "quinn@example.com", Name: "Quinn " + s, Password: "correct horse battery"}
		u.Normalize()
		return u.Validate()
	}},
	{"person's name, changed", "name", func(s string) error { return gonogo.ValidateName("Quinn " + s) }},
	{"email", "email", func(s string) error {
		u := gonogo.NewUser{Email: "quinn" + s + "@example.com", Name: "Quinn", Password: "correct horse battery"}
		u.Normalize()
		return u.Validate()
	}},
	{"product", "product", func(s string) error {
		return gonogo.ReleaseInput{Product: "pay" + s, Version: "2.4.0", Title: "Apple Pay"}.Validate()
	}},
	{"version", "version", func(s string) error {
		return gonogo.ReleaseInput{Product: "payments", Version: "2.4.0" + s, Title: "Apple Pay"}.Validate()
	}},
	{"release title", "title", func(s string) error {
		return gonogo.ReleaseInput{Product: "payments", Version: "2.4.0", Title: "Apple " + s + "Pay"}.Validate()
	}},
	{"item title", "title", func(s string) error {
		return gonogo.ItemInput{Phase: gonogo.Readiness, Pillar: gonogo.Technical, Title: "Smoke " + s + "test", OwnerRole: gonogo.Ops}.Validate()
	}},
	{"defect title", "title", func(s string) error {
		in := gonogo.DefectInput{Title: "Crash " + s + "on start", Severity: gonogo.Minor}
		in.Normalize()
		return in.Validate()
	}},
	{"freeze name", "name", func(s string) error {
		return gonogo.FreezeInput{Name: "Black " + s + "Friday", Once: gonogo.Window{
			Start: time.Date(2099, 11, 27, 0, 0, 0, 0, time.UTC), End: time.Date(2099, 11, 30, 0, 0, 0, 0, time.UTC)}}.Validate()
	}},
	{"notes title", "title", func(s string) error {
		_, err := gonogo.NotesInput{Title: "What " + s + "is new", Highlights: "Faster."}.Content()
		return err
	}},
	{"token name", "name", func(s string) error { return gonogo.TokenInput{Name: "payments-" + s + "deploy"}.Validate() }},
}

func TestInvisibleCharactersAreRefusedInNames(t *testing.T) {
	for _, f := range lineFields {
		t.Run(f.name, func(t *testing.T) {
			if err := f.check(""); err != nil {
				t.Fatalf("the valid input is refused: %v", err)
			}
			for _, r := range invisibles {
				code := fmt.Sprintf("U+%04X", r)
				msg := gonogo.ErrorFields(f.check(string(r)))[f.field]
				if !strings.Contains(msg, "invisible") || !strings.Contains(msg, code) {
					t.Errorf("%s: %s says %q, want it refused as invisible, naming %s", f.name, f.field, msg, code)
				}
			}
		})
	}
}

// TestVisibleTextIsKept: right-to-left scripts, accents and emoji are text
// people write; only the invisible formatting characters are refused, and
// free text (a summary, notes, a comment) keeps them, since joined emoji
// and some scripts need them.
func TestVisibleTextIsKept(t *testing.T) {
	for _, name := range []string{"דנה כהן", "محمد", "Zoë Ångström", "李小龍", "Quinn 🚀"} {
		if err := gonogo.ValidateName(name); err != nil {
			t.Errorf("%q refused: %v", name, err)
		}
	}
	in := gonogo.ReleaseInput{Product: "payments", Version: "2.4.0", Title: "Apple Pay",
		Summary: "Family emoji 👨\u200d👩\u200d👧 and a Persian word می\u200cخواهم."}
	if err := in.Validate(); err != nil {
		t.Errorf("a summary with joiners refused: %v", err)
	}
}

// TestSurrogatesAsUTF8AreRefused: a form can carry a lone surrogate only
// as its three-byte encoding, which is not UTF-8 and refused as such.
func TestSurrogatesAsUTF8AreRefused(t *testing.T) {
	msg := gonogo.ErrorFields(gonogo.ValidateName("Quinn \xed\xa0\x80"))["name"]
	if msg != "Name must be valid text" {
		t.Fatalf("a lone surrogate in a name: %q", msg)
	}
}
