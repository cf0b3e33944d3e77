package gonogo

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// MaxTokenNameLen bounds the name of an API token.
const MaxTokenNameLen = 60

// TokenPrefix starts every API token, so a leaked one is easy to recognise
// in a log or a secret scanner.
const TokenPrefix = "gng_"

// Token is an API token that a pipeline presents instead of signing in. Only
// a hash of the secret is kept; the secret is shown once, when it is made.
type Token struct {
	ID         int64
	Name       string
	Product    string // the one product it may act on; "" for every product
	Hint       string // the first characters of the secret, to tell tokens apart
	CreatedBy  string // the creator's name when they made it
	Creator    Creator
	CreatedAt  time.Time
	LastUsedAt time.Time // zero until first used
	RevokedAt  time.Time // zero while the token works
	RevokedBy  string
}

// Creator is the person who made a token, as they are now. A token made
// from the command line has none (ID 0).
type Creator struct {
	ID       int64
	Name     string
	Disabled bool
}

// CreatorDisabled reports whether the person who made the token can no
// longer sign in. The token still works: it belongs to the board, so a
// pipeline does not stop when someone leaves, and the tokens page flags
// it for an admin to keep or revoke.
func (t Token) CreatorDisabled() bool { return t.Creator.ID != 0 && t.Creator.Disabled }

// Revoked reports whether the token no longer opens anything.
func (t Token) Revoked() bool { return !t.RevokedAt.IsZero() }

// Permits checks that the token may act on a release of product: a token
// limited to one product may not see or touch another's releases.
func (t Token) Permits(product string) error {
	if t.Product != "" && t.Product != product {
		return Errorf(EFORBIDDEN, "token %q is limited to product %s", t.Name, t.Product)
	}
	return nil
}

// Actor is who the token acts as in the audit trail. A pipeline deploys, so
// it holds the Ops role: it may start, finish and roll back a deployment
// and nothing else a person decides.
func (t Token) Actor(remoteAddr string) Actor {
	return Actor{Name: t.Name + " (API token)", Roles: RoleSet{Ops}, RemoteAddr: remoteAddr}
}

// HashToken is what the store keeps of a token's secret. A plain SHA-256 is
// enough: the secret is random and long, so there is nothing to guess.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// TokenInput is what an admin gives to create a token.
type TokenInput struct {
	Name    string
	Product string
}

// Normalize trims the fields; products are lower case, as on releases.
func (in *TokenInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Product = strings.ToLower(strings.TrimSpace(in.Product))
}

// Validate reports every problem with the input at once.
func (in TokenInput) Validate() error {
	p := Problems{}
	validateLine(p, "name", "Name", in.Name, MaxTokenNameLen, true)
	if in.Product != "" {
		validateLine(p, "product", "Product", in.Product, MaxProductLen, false)
		if _, bad := p["product"]; !bad && !productPattern.MatchString(in.Product) {
			p.Add("product", "product may use lower-case letters, digits and dashes, starting with a letter or digit")
		}
	}
	return p.Err()
}

// TokenCreated is the audit of the API token in made.
func TokenCreated(in TokenInput) Audit {
	scope := "every product"
	if in.Product != "" {
		scope = "product " + in.Product
	}
	return audit(ActionTokenCreate, "created API token %q for %s", in.Name, scope)
}

// RevokeToken stops t for good: its audit, or a conflict when it was
// revoked already.
func RevokeToken(t Token) (Audit, error) {
	if t.Revoked() {
		return Audit{}, Errorf(ECONFLICT, "token %q is already revoked", t.Name)
	}
	return audit(ActionTokenRevoke, "revoked API token %q", t.Name), nil
}
