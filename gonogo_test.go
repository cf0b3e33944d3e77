package gonogo_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

// wantCode fails the test unless err carries code ("" for nil).
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := gonogo.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (err: %v), want %q", got, err, code)
	}
}

// wantFields fails the test unless err names exactly fields, in any order.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	got := slices.Sorted(maps.Keys(gonogo.ErrorFields(err)))
	want := slices.Sorted(slices.Values(fields))
	if !slices.Equal(got, want) {
		t.Fatalf("error fields = %v (err: %v), want %v", got, err, want)
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	domain := gonogo.Errorf(gonogo.ECONFLICT, "release %s is closed", "payments 2.4.0")
	tests := []struct {
		name        string
		err         error
		wantCode    string
		wantMessage string
		wantFields  map[string]string
	}{
		{"nil", nil, "", "internal error", nil},
		{"plain error is internal", errors.New("disk on fire at /var/lib/x"), gonogo.EINTERNAL, "internal error", nil},
		{"domain error", domain, gonogo.ECONFLICT, "Release payments 2.4.0 is closed", nil},
		{"wrapped domain error", fmt.Errorf("create: %w", domain), gonogo.ECONFLICT, "Release payments 2.4.0 is closed", nil},
		{"field error", gonogo.FieldErrorf("email", "%s is taken", "a@b.c"), gonogo.EINVALID, "a@b.c is taken",
			map[string]string{"email": "a@b.c is taken"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := gonogo.ErrorCode(tc.err); got != tc.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tc.wantCode)
			}
			if tc.err != nil {
				if got := gonogo.ErrorMessage(tc.err); got != tc.wantMessage {
					t.Errorf("ErrorMessage = %q, want %q", got, tc.wantMessage)
				}
			}
			if got := gonogo.ErrorFields(tc.err); !maps.Equal(got, tc.wantFields) {
				t.Errorf("ErrorFields = %v, want %v", got, tc.wantFields)
			}
		})
	}
}

func TestProblemsErr(t *testing.T) {
	t.Run("no problems is nil", func(t *testing.T) {
		if err := (gonogo.Problems{}).Err(); err != nil {
			t.Fatalf("Err() = %v, want nil", err)
		}
	})
	t.Run("one problem is its own message", func(t *testing.T) {
		p := gonogo.Problems{}
		p.Add("title", "%s is required", "Title")
		err := p.Err()
		wantCode(t, err, gonogo.EINVALID)
		wantFields(t, err, "title")
		if got := gonogo.ErrorMessage(err); got != "Title is required" {
			t.Errorf("message = %q, want %q", got, "Title is required")
		}
	})
	t.Run("several problems share a general message", func(t *testing.T) {
		p := gonogo.Problems{}
		p.Add("title", "title is required")
		p.Add("version", "version is required")
		err := p.Err()
		wantCode(t, err, gonogo.EINVALID)
		wantFields(t, err, "title", "version")
		if got := gonogo.ErrorMessage(err); got != "Please correct the highlighted fields" {
			t.Errorf("message = %q", got)
		}
	})
	t.Run("the first message of a field wins", func(t *testing.T) {
		p := gonogo.Problems{}
		p.Add("title", "first")
		p.Add("title", "second")
		if p["title"] != "First" {
			t.Errorf("title = %q, want %q", p["title"], "First")
		}
	})
}

func TestNewUserValidate(t *testing.T) {
	valid := gonogo.NewUser{Email: "quinn@example.com", Name: "Quinn Tester", Password: "correct horse battery"}
	tests := []struct {
		name   string
		edit   func(u *gonogo.NewUser)
		fields []string // nil means valid
	}{
		{"valid", func(u *gonogo.NewUser) {}, nil},
		{"valid with roles and admin", func(u *gonogo.NewUser) {
			u.Roles = gonogo.RoleSet{gonogo.QALead}
			u.Admin = true
		}, nil},
		{"empty email", func(u *gonogo.NewUser) { u.Email = "" }, []string{"email"}},
		{"not an email", func(u *gonogo.NewUser) { u.Email = "quinn" }, []string{"email"}},
		{"email with display name", func(u *gonogo.NewUser) { u.Email = "Quinn <quinn@example.com>" }, []string{"email"}},
		{"email too long", func(u *gonogo.NewUser) { u.Email = strings.Repeat("a", 250) + "@example.com" }, []string{"email"}},
		{"empty name", func(u *gonogo.NewUser) { u.Name = "" }, []string{"name"}},
		{"blank name", func(u *gonogo.NewUser) { u.Name = "   " }, []string{"name"}},
		{"name too long", func(u *gonogo.NewUser) { u.Name = strings.Repeat("n", gonogo.MaxNameLen+1) }, []string{"name"}},
		{"name at the limit in runes", func(u *gonogo.NewUser) { u.Name = strings.Repeat("é", gonogo.MaxNameLen) }, nil},
		{"name with NUL", func(u *gonogo.NewUser) { u.Name = "Quinn\x00" }, []string{"name"}},
		{"name with escape", func(u *gonogo.NewUser) { u.Name = "\x1b[31mQuinn" }, []string{"name"}},
		{"name invalid UTF-8", func(u *gonogo.NewUser) { u.Name = "Qu\xffinn" }, []string{"name"}},
		{"short password", func(u *gonogo.NewUser) { u.Password = "short" }, []string{"password"}},
		{"everything wrong", func(u *gonogo.NewUser) { *u = gonogo.NewUser{} }, []string{"email", "name", "password"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := valid
			tc.edit(&u)
			err := u.Validate()
			if tc.fields == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			wantCode(t, err, gonogo.EINVALID)
			wantFields(t, err, tc.fields...)
		})
	}
}

func TestNewUserNormalize(t *testing.T) {
	u := gonogo.NewUser{Email: "  Quinn@Example.COM ", Name: "  Quinn Tester\n",
		Roles: gonogo.RoleSet{gonogo.ReleaseManager, "admin", gonogo.QALead, gonogo.ReleaseManager}}
	u.Normalize()
	if u.Email != "quinn@example.com" || u.Name != "Quinn Tester" ||
		!slices.Equal(u.Roles, gonogo.RoleSet{gonogo.QALead, gonogo.ReleaseManager}) {
		t.Fatalf("normalized to %q, %q, %v", u.Email, u.Name, u.Roles)
	}
}

func TestPasswordProblem(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"empty", "", false},
		{"nine characters", "123456789", false},
		{"ten characters", "1234567890", true},
		{"ten multi-byte runes", strings.Repeat("密", 10), true},
		{"72 bytes", strings.Repeat("x", 72), true},
		{"73 bytes", strings.Repeat("x", 73), false},
		{"24 runes of 3 bytes is 72 bytes", strings.Repeat("密", 24), true},
		{"25 runes of 3 bytes is 75 bytes", strings.Repeat("密", 25), false},
		{"invalid UTF-8", strings.Repeat("\xff", 12), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := gonogo.PasswordProblem(tc.pw)
			if tc.ok && msg != "" {
				t.Errorf("PasswordProblem = %q, want none", msg)
			}
			if !tc.ok && msg == "" {
				t.Errorf("PasswordProblem = \"\", want a problem")
			}
		})
	}
}

func TestDefaultTemplate(t *testing.T) {
	items := gonogo.DefaultTemplate()
	if len(items) == 0 {
		t.Fatal("the default template is empty")
	}
	keys := map[string]string{}
	titles := map[string]bool{}
	phases := map[gonogo.Phase]int{}
	pillars := map[gonogo.Pillar]int{}
	for _, in := range items {
		t.Run(in.Title, func(t *testing.T) {
			if err := in.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
			norm := in
			norm.Normalize()
			if norm != in {
				t.Errorf("item changes when normalized: %+v became %+v", in, norm)
			}
		})
		if titles[in.Title] {
			t.Errorf("title %q appears twice", in.Title)
		}
		titles[in.Title] = true
		if in.CheckKey != "" {
			if other, dup := keys[in.CheckKey]; dup {
				t.Errorf("check key %q used by both %q and %q", in.CheckKey, other, in.Title)
			}
			keys[in.CheckKey] = in.Title
		}
		phases[in.Phase]++
		if in.Phase == gonogo.Readiness && in.Required {
			pillars[in.Pillar]++
		}
	}
	for _, ph := range gonogo.Phases {
		if phases[ph] == 0 {
			t.Errorf("no %s items", ph)
		}
	}
	for _, p := range gonogo.Pillars {
		if pillars[p] == 0 {
			t.Errorf("no required items for the %s pillar", p)
		}
	}
	for _, key := range []string{"smoke-test", "security-scan"} {
		if _, ok := keys[key]; !ok {
			t.Errorf("no item reports check %q", key)
		}
	}
}
