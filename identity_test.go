package gonogo_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/gonogo/gonogo"
)

func TestPlanSignIn(t *testing.T) {
	id := gonogo.Identity{Issuer: "https://idp.example.com", Subject: "s-1", Email: "ana@example.com", EmailVerified: true}
	ana := &gonogo.User{ID: 1, Email: "ana@example.com"}
	gone := &gonogo.User{ID: 2, Email: "ana@example.com", Disabled: true}
	for _, tc := range []struct {
		name            string
		linked, byEmail *gonogo.User
		other           string
		want            gonogo.SignInStep
		code            string
	}{
		{name: "new person", want: gonogo.SignInCreate},
		{name: "account with the email", byEmail: ana, want: gonogo.SignInLink},
		{name: "linked already", linked: ana, byEmail: ana, other: "s-1", want: gonogo.SignInLinked},
		{name: "linked, the email now someone else's", linked: ana, byEmail: &gonogo.User{ID: 3}, want: gonogo.SignInLinked},
		{name: "linked but disabled", linked: gone, code: gonogo.EFORBIDDEN},
		{name: "email of a disabled account", byEmail: gone, code: gonogo.EFORBIDDEN},
		{name: "email of an account linked to another subject", byEmail: ana, other: "s-0", code: gonogo.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := gonogo.PlanSignIn(id, tc.linked, tc.byEmail, tc.other)
			if gonogo.ErrorCode(err) != tc.code || (tc.code == "" && got != tc.want) {
				t.Errorf("got %v, %v; want %v, code %q", got, err, tc.want, tc.code)
			}
		})
	}
}

func TestIdentityValidate(t *testing.T) {
	ok := gonogo.Identity{Issuer: "https://idp.example.com", Subject: "s-1", Email: " Ana@Example.com ", EmailVerified: true}
	for _, tc := range []struct {
		name   string
		change func(*gonogo.Identity)
		says   string
	}{
		{"verified", func(*gonogo.Identity) {}, ""},
		{"unverified", func(id *gonogo.Identity) { id.EmailVerified = false }, "has not verified your email address ana@example.com"},
		{"no email", func(id *gonogo.Identity) { id.Email = "" }, "did not tell gonogo your email"},
		{"not an address", func(id *gonogo.Identity) { id.Email = "ana" }, "gave an email gonogo cannot use"},
		{"no subject", func(id *gonogo.Identity) { id.Subject = "" }, "names nobody"},
		{"subject too long", func(id *gonogo.Identity) { id.Subject = strings.Repeat("s", 256) }, "names nobody"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := ok
			tc.change(&id)
			id.Normalize()
			err := id.Validate()
			if (tc.says == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.says)) {
				t.Errorf("Validate: %v, want %q", err, tc.says)
			}
			if err != nil && gonogo.ErrorCode(err) != gonogo.EFORBIDDEN {
				t.Errorf("code %q, want forbidden", gonogo.ErrorCode(err))
			}
		})
	}
}

func TestIdentityNormalizeBoundsGroups(t *testing.T) {
	id := gonogo.Identity{Groups: []string{"qa", "", "qa", strings.Repeat("g", gonogo.MaxGroupLen+1), "ops\x00", "ops"}}
	for i := 0; i < gonogo.MaxGroups+10; i++ {
		id.Groups = append(id.Groups, "g"+strings.Repeat("x", i%50)+string(rune('a'+i%26))+strings.Repeat("y", i/26))
	}
	id.Normalize()
	if len(id.Groups) != gonogo.MaxGroups || !slices.Equal(id.Groups[:2], []string{"qa", "ops"}) {
		t.Errorf("kept %d groups, starting %q", len(id.Groups), id.Groups[:2])
	}
}

func TestIdentityDisplayName(t *testing.T) {
	for _, tc := range []struct{ name, email, want string }{
		{"Ana Payments", "ana@example.com", "Ana Payments"},
		{"", "ana@example.com", "ana"},
		{"Ana\u202eEvil", "ana@example.com", "ana"},
		{strings.Repeat("a", gonogo.MaxNameLen+1), "ana@example.com", "ana"},
	} {
		if got := (gonogo.Identity{Name: tc.name, Email: tc.email}).DisplayName(); got != tc.want {
			t.Errorf("name %q: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestPasswordSignIn(t *testing.T) {
	admin := gonogo.User{Email: "root@example.com", Admin: true}
	for _, tc := range []struct {
		name       string
		u          gonogo.User
		on         bool
		breakGlass string
		ok         bool
	}{
		{"passwords on", gonogo.User{Email: "ana@example.com"}, true, "", true},
		{"passwords off", gonogo.User{Email: "ana@example.com"}, false, "root@example.com", false},
		{"break-glass admin", admin, false, "Root@Example.com", true},
		{"break-glass email, not an admin", gonogo.User{Email: "root@example.com"}, false, "root@example.com", false},
		{"no break-glass admin named", admin, false, "", false},
	} {
		err := gonogo.PasswordSignIn(tc.u, tc.on, tc.breakGlass, "Okta")
		if (err == nil) != tc.ok || (err != nil && gonogo.ErrorCode(err) != gonogo.EFORBIDDEN) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
