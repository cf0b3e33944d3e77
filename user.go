package gonogo

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on what people type, so no field can grow without bound.
const (
	MaxNameLen     = 100
	MaxEmailLen    = 254
	MaxPasswordLen = 72 // bcrypt ignores anything longer
	// MinPasswordLen is the shortest password a person may choose. Sign-ins
	// are throttled, but a stolen database can be guessed at offline, where
	// only the length and bcrypt's cost stand in the way.
	MinPasswordLen = 12
	// minAnyPasswordLen is the floor under every password, the demo
	// accounts' too: theirs comes from the command line, and its documented
	// default, gonogo-demo, has 11 characters.
	minAnyPasswordLen = 10
)

// User is a person who signs in to the board.
type User struct {
	ID        int64
	Email     string
	Name      string
	Roles     RoleSet // every role held, for some product or for all
	Grants    Grants  // each role held, with the product it is held for
	Admin     bool
	Disabled  bool
	CreatedAt time.Time
}

// RolesOn returns the roles u holds for product.
func (u User) RolesOn(product string) RoleSet {
	if u.Grants == nil {
		return u.Roles
	}
	return u.Grants.On(product)
}

// NewUser is what an admin (or the setup page) gives to create a user.
type NewUser struct {
	Email    string
	Name     string
	Password string
	// Repeat is the password typed a second time, by a person choosing
	// it on a form, where the field hides what is typed; nil when nobody
	// typed it twice (the demo accounts, a script).
	Repeat *string
	Roles  RoleSet // held for every product
	// Products are roles held for some products only.
	Products Grants
	Admin    bool
	// OperatorSet says the operator, not the person, set the password (the
	// demo's accounts share the one -demo-password gives): it need only
	// pass PasswordProblem, not NewPasswordProblem.
	OperatorSet bool
}

// Normalize trims the fields, lower-cases the email, which is the sign-in
// name, and puts the roles in canonical form (known, once each, in order).
func (u *NewUser) Normalize() {
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	u.Roles = NewRoleSet(u.Roles...)
	u.Products = NewGrants(u.Products...)
}

// Grants returns every role u is to hold, each with its products.
func (u NewUser) Grants() Grants { return NewGrants(append(Everywhere(u.Roles), u.Products...)...) }

// Validate reports every problem with u at once.
func (u NewUser) Validate() error {
	p := Problems{}
	validateEmail(p, "email", u.Email)
	validateLine(p, "name", "Name", u.Name, MaxNameLen, true)
	msg := NewPasswordProblem(u.Password, u.Email, "")
	if u.OperatorSet {
		msg = PasswordProblem(u.Password)
	}
	if msg != "" {
		p.Add("password", "%s", msg)
	}
	if err := CheckRepeat(u.Password, u.Repeat); err != nil {
		p.Add("repeat", "%s", ErrorMessage(err))
	}
	return p.Err()
}

// CheckRepeat checks that a password typed twice was typed alike: a typo
// in a hidden field would lock its owner out. repeat is nil when nobody
// typed the password twice, and then there is nothing to check.
func CheckRepeat(pw string, repeat *string) error {
	if repeat != nil && *repeat != pw {
		return FieldErrorf("repeat", "the two passwords differ: type the same password in both fields")
	}
	return nil
}

// NormalizeEmail trims and lower-cases an address. An address that is not
// UTF-8 is left as it came, for validation to refuse: lower-casing would
// mend it into a different address.
func NormalizeEmail(s string) string {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return s
	}
	return strings.ToLower(s)
}

// PasswordProblem says what keeps pw from being a password at all, or ""
// if nothing: it must be text that bcrypt reads whole, and not trivially
// short. A password a person chooses must also pass NewPasswordProblem;
// this alone is for the demo accounts, whose password the operator sets.
func PasswordProblem(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < minAnyPasswordLen:
		return fmt.Sprintf("password must be at least %d characters", minAnyPasswordLen)
	case len(pw) > MaxPasswordLen:
		return fmt.Sprintf("password must be at most %d bytes", MaxPasswordLen)
	case !utf8.ValidString(pw):
		return "password must be valid text"
	case hasControl(pw):
		return "password must not contain control characters"
	}
	return ""
}

// NewPasswordProblem says what is wrong with pw as the password a person
// chooses for the account with email, or "" if nothing. current is the
// account's password now, when it is known ("" when it is not): the new one
// must differ, or changing it changes nothing. The email and one character
// repeated are the first guesses anyone tries.
func NewPasswordProblem(pw, email, current string) string {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return fmt.Sprintf("password must be at least %d characters", MinPasswordLen)
	}
	if msg := PasswordProblem(pw); msg != "" {
		return msg
	}
	switch {
	case isEmailOf(pw, email):
		return "password must not be the email address or the part before its @"
	case oneCharacter(pw):
		return "password must not be one character repeated"
	case current != "" && pw == current:
		return "new password must differ from the current one"
	}
	return ""
}

// isEmailOf reports whether pw is email, or its part before the @, give
// or take case and surrounding spaces.
func isEmailOf(pw, email string) bool {
	pw = strings.TrimSpace(pw)
	name, _, _ := strings.Cut(email, "@")
	return email != "" && (strings.EqualFold(pw, email) || strings.EqualFold(pw, name))
}

// oneCharacter reports whether s is one character, repeated.
func oneCharacter(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}

// DisplayName is the name shown for the user, falling back to the email.
func (u User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

func validateEmail(p Problems, field, email string) {
	switch {
	case email == "":
		p.Add(field, "email is required")
	case len(email) > MaxEmailLen:
		p.Add(field, "email must be at most %d characters", MaxEmailLen)
	case !utf8.ValidString(email) || hasControl(email):
		p.Add(field, "email must be valid text")
	case invisible(email) != 0:
		p.Add(field, "email must not contain invisible characters (%U)", invisible(email))
	default:
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email || !strings.Contains(email, "@") {
			p.Add(field, "%q is not an email address", email)
		}
	}
}

// validateLine checks a single-line field: as validateText, no line breaks
// or tabs, and no invisible formatting characters. Single-line fields name
// things (people, releases, items, versions), and a name must look like
// what it is.
func validateLine(p Problems, field, label, s string, max int, required bool) {
	validateText(p, field, label, s, max, required)
	if strings.ContainsAny(s, "\n\r\t") {
		p.Add(field, "%s must be on one line", label)
	}
	if r := invisible(s); r != 0 {
		p.Add(field, "%s must not contain invisible characters (%U): they change how the text around them is shown", label, r)
	}
}

// invisible returns the first character of s that changes how text is
// shown without being seen itself, or 0 if there is none: the bidi
// embeddings, overrides and isolates, the direction marks, and the
// zero-width characters. With them "exe.png" can be shown as "gnp.exe", or
// two names that look alike differ. Free text (a summary, notes, a
// comment) keeps them: joined emoji and some scripts need them there, and
// the page shows that text as a block of its own.
func invisible(s string) rune {
	for _, r := range s {
		switch {
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069,
			r == 0x200E, r == 0x200F, r == 0x061C,
			r >= 0x200B && r <= 0x200D, r == 0x2060, r == 0xFEFF:
			return r
		}
	}
	return 0
}

// validateText checks a single-line or multi-line text field: valid UTF-8,
// no NUL or other control characters except newlines and tabs, within max
// runes, and present when required.
func validateText(p Problems, field, label, s string, max int, required bool) {
	switch {
	case !utf8.ValidString(s):
		p.Add(field, "%s must be valid text", label)
	case required && strings.TrimSpace(s) == "":
		p.Add(field, "%s is required", label)
	case utf8.RuneCountInString(s) > max:
		p.Add(field, "%s must be at most %d characters", label, max)
	case hasControl(s):
		p.Add(field, "%s must not contain control characters", label)
	}
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			return true
		}
	}
	return false
}

// ValidateName checks a person's name as typed by an admin.
func ValidateName(name string) error {
	p := Problems{}
	validateLine(p, "name", "Name", name, MaxNameLen, true)
	return p.Err()
}
