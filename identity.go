package gonogo

import (
	"strings"
	"unicode/utf8"
)

// Limits on what an OpenID provider may hand us about a person: the token
// is the provider's, but what we keep of it is bounded like anything typed.
const (
	MaxSubjectLen = 255 // OpenID Connect Core §2: sub is at most 255 ASCII characters
	MaxIssuerLen  = 2000
	// MaxGroups is how many of a person's groups a sign-in keeps, and
	// MaxGroupLen how long each may be. Microsoft Entra ID stops listing
	// groups in the token past 200 (it sends an "overage" claim instead),
	// so a real list never nears the cap; the cap keeps a hostile or broken
	// provider from filling the database.
	MaxGroups   = 500
	MaxGroupLen = 256
)

// Identity is a person as an OpenID provider vouches for them in a verified
// ID token: who they are there (Issuer and Subject, which never change),
// their email and whether the provider checked it, their name, and the
// groups the provider says they belong to.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Groups        []string
}

// Normalize trims and lower-cases the email, trims the name, and keeps the
// groups that fit the limits, once each, in the provider's order.
func (id *Identity) Normalize() {
	id.Email = NormalizeEmail(id.Email)
	id.Name = strings.TrimSpace(id.Name)
	seen := map[string]bool{}
	var groups []string
	for _, g := range id.Groups {
		if g == "" || len(g) > MaxGroupLen || !utf8.ValidString(g) || hasControl(g) || seen[g] || len(groups) == MaxGroups {
			continue
		}
		seen[g] = true
		groups = append(groups, g)
	}
	id.Groups = groups
}

// Validate refuses an identity gonogo cannot take a person's word for: no
// subject, an email that is no address, or one the provider has not
// verified. Anyone who can register at a provider can type any address;
// only a verified one may name, and so reach, an account here.
func (id Identity) Validate() error {
	switch {
	case id.Issuer == "" || len(id.Issuer) > MaxIssuerLen || id.Subject == "" || len(id.Subject) > MaxSubjectLen:
		return Errorf(EFORBIDDEN, "the identity provider's answer names nobody gonogo can keep apart; ask your administrator")
	case id.Email == "":
		return Errorf(EFORBIDDEN, "your identity provider did not tell gonogo your email address; ask your administrator to send the email claim")
	case !id.EmailVerified:
		return Errorf(EFORBIDDEN, "your identity provider has not verified your email address %s, so gonogo cannot tell that it is yours; verify it there and sign in again", id.Email)
	}
	p := Problems{}
	validateEmail(p, "email", id.Email)
	if err := p.Err(); err != nil {
		return Errorf(EFORBIDDEN, "your identity provider gave an email gonogo cannot use: %s", ErrorMessage(err))
	}
	return nil
}

// DisplayName is the name an account made from id starts with: the
// provider's, when it is a name gonogo would take from an admin, else the
// part of the email before the @.
func (id Identity) DisplayName() string {
	if ValidateName(id.Name) == nil {
		return id.Name
	}
	name, _, _ := strings.Cut(id.Email, "@")
	if ValidateName(name) != nil {
		return id.Email
	}
	return name
}

// SignInStep is what a sign-in through a provider does to the accounts.
type SignInStep int

const (
	// SignInLinked: the identity is linked to an account already.
	SignInLinked SignInStep = iota
	// SignInLink: an account has the identity's email; link it.
	SignInLink
	// SignInCreate: nobody has the email; make the account just in time.
	SignInCreate
)

// PlanSignIn decides what a verified identity's sign-in does. linked is the
// account the identity is linked to, if any; byEmail the account with the
// identity's email, if any; linkedSubject the subject at the same provider
// that byEmail is linked to already, "" if none. A disabled account is
// refused however it is found. An account linked to another person at the
// same provider is not handed to whoever has its email now: providers
// give a departed person's address to someone new.
func PlanSignIn(id Identity, linked, byEmail *User, linkedSubject string) (SignInStep, error) {
	switch {
	case linked != nil && linked.Disabled, linked == nil && byEmail != nil && byEmail.Disabled:
		return 0, Errorf(EFORBIDDEN, "your gonogo account is disabled; ask an admin to enable it")
	case linked != nil:
		return SignInLinked, nil
	case byEmail != nil && linkedSubject != "" && linkedSubject != id.Subject:
		return 0, Errorf(ECONFLICT, "the gonogo account of %s belongs to another person at your identity provider; ask an admin", id.Email)
	case byEmail != nil:
		return SignInLink, nil
	}
	return SignInCreate, nil
}

// NewUserFrom is the account a first sign-in makes for id: its email and
// name, no roles, no admin, and no password anyone knows (the store keeps
// none), so the provider is the one way in.
func NewUserFrom(id Identity) NewUser {
	return NewUser{Email: id.Email, Name: id.DisplayName()}
}

// JoinedWith is the audit of an account made at a first sign-in.
func JoinedWith(id Identity) Audit {
	return audit(ActionUserCreate, "created user %s at the first sign-in with %s", id.Email, id.Issuer)
}

// LinkedTo is the audit of an existing account linked to id.
func LinkedTo(u User, id Identity) Audit {
	return audit(ActionUserLink, "linked %s to subject %q at %s, which verified the email", u.Email, id.Subject, id.Issuer)
}

// SignedInWith is the audit of a person signing in through a provider.
func SignedInWith(issuer string) Audit { return audit(ActionUserSignIn, "signed in with %s", issuer) }

// PasswordSignIn decides whether u, who gave the right password, may sign
// in with it. When passwords are off, the provider is the one way in for
// everyone but the break-glass admin: an admin account named by the
// operator, for the day the provider is down or misconfigured. provider is
// what the sign-in button calls the provider.
func PasswordSignIn(u User, passwordsOn bool, breakGlass, provider string) error {
	if passwordsOn || (breakGlass != "" && u.Admin && NormalizeEmail(breakGlass) == u.Email) {
		return nil
	}
	return Errorf(EFORBIDDEN, "passwords are turned off on this board: sign in with %s", provider)
}
