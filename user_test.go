package gonogo_test

import (
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestNewPasswordProblem(t *testing.T) {
	const email = "quinn.tester@example.com"
	tests := []struct {
		name    string
		pw      string
		current string // "" when the current password is not known
		want    string // a word of the message, "" for none
	}{
		{"long enough", "correct horse battery", "", ""},
		{"twelve characters", "123456789012", "", ""},
		{"twelve multi-byte runes", strings.Repeat("密", 11) + "码", "", ""},
		{"eleven characters", "12345678901", "", "at least 12"},
		{"the demo password is too short for a person's own", "gonogo-demo", "", "at least 12"},
		{"empty", "", "", "at least 12"},
		{"73 bytes", strings.Repeat("xy", 36) + "z", "", "72 bytes"},
		{"control character", "correct horse\x00battery", "", "control"},
		{"invalid UTF-8", strings.Repeat("\xff", 14), "", "valid text"},
		{"the email", email, "", "email"},
		{"the email in capitals with spaces", "  QUINN.Tester@Example.com ", "", "email"},
		{"the email's name", "Quinn.Tester", "", "email"},
		{"the email's name among other words", "quinn.tester likes tea", "", ""},
		{"one character repeated", "aaaaaaaaaaaaaaa", "", "repeated"},
		{"one multi-byte character repeated", strings.Repeat("é", 13), "", "repeated"},
		{"two characters alternating", "abababababab", "", ""},
		{"the current password again", "correct horse battery", "correct horse battery", "current"},
		{"the current password in other case", "Correct Horse Battery", "correct horse battery", ""},
		{"a different password", "a brand new secret", "correct horse battery", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := gonogo.NewPasswordProblem(tc.pw, email, tc.current)
			switch {
			case tc.want == "" && msg != "":
				t.Errorf("NewPasswordProblem = %q, want none", msg)
			case tc.want != "" && !strings.Contains(msg, tc.want):
				t.Errorf("NewPasswordProblem = %q, want a message about %q", msg, tc.want)
			}
		})
	}
}

// A new account's password meets the whole policy, checked against its own email.
func TestNewUserPasswordPolicy(t *testing.T) {
	for _, pw := range []string{"quinn@example.com", "zzzzzzzzzzzzzz", "elevenchars"} {
		u := gonogo.NewUser{Email: "quinn@example.com", Name: "Quinn Tester", Password: pw}
		err := u.Validate()
		wantCode(t, err, gonogo.EINVALID)
		wantFields(t, err, "password")
	}
}

// A password a person chooses on a form is typed twice, and the two must
// agree; one nobody typed (the demo's, a test's) has no repeat to check.
func TestNewUserPasswordTypedTwice(t *testing.T) {
	same, other, empty := "correct horse battery", "correct horse batery", ""
	tests := []struct {
		name   string
		repeat *string
		want   []string // fields at fault
	}{
		{"typed twice alike", &same, nil},
		{"a typo the second time", &other, []string{"repeat"}},
		{"the repeat left empty", &empty, []string{"repeat"}},
		{"not typed by a person", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := gonogo.NewUser{Email: "quinn@example.com", Name: "Quinn Tester", Password: same, Repeat: tc.repeat}
			err := u.Validate()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			wantFields(t, err, tc.want...)
			if msg := gonogo.ErrorFields(err)["repeat"]; msg != "The two passwords differ: type the same password in both fields" {
				t.Fatalf("message %q", msg)
			}
		})
	}
	if err := gonogo.CheckRepeat(same, &other); gonogo.ErrorFields(err)["repeat"] == "" {
		t.Fatalf("CheckRepeat = %v, want a message beside the repeat", err)
	}
	if err := gonogo.CheckRepeat(same, &same); err != nil {
		t.Fatalf("CheckRepeat of the same = %v", err)
	}
}
