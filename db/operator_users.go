package db

import (
	"context"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo"
)

// CreateUserWithOperatorPassword adds a user as CreateUser does, except
// that the password is one the operator set rather than one a person
// chose: the demo's accounts share the one given by -demo-password, which
// need only pass gonogo.PasswordProblem (README: ten characters will do),
// not gonogo.NewPasswordProblem.
func (s *Store) CreateUserWithOperatorPassword(ctx context.Context, a gonogo.Actor, in gonogo.NewUser) (gonogo.User, error) {
	in.Normalize()
	if err := operatorUserProblems(in); err != nil {
		return gonogo.User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), BcryptCost)
	if err != nil {
		return gonogo.User{}, fmt.Errorf("hash password: %w", err)
	}
	var id int64
	err = s.inTx(ctx, func(tx *Tx) error {
		id, err = tx.createUser(in, string(hash))
		if err != nil {
			return err
		}
		return tx.record(a, 0, gonogo.UserCreated(in))
	})
	if err != nil {
		return gonogo.User{}, err
	}
	return s.FindUser(ctx, id)
}

// operatorUserProblems is in.Validate with the operator's rule for the
// password in place of a person's.
func operatorUserProblems(in gonogo.NewUser) error {
	p := gonogo.Problems{}
	for field, msg := range gonogo.ErrorFields(in.Validate()) {
		if field != "password" {
			p.Add(field, "%s", msg)
		}
	}
	if msg := gonogo.PasswordProblem(in.Password); msg != "" {
		p.Add("password", "%s", msg)
	}
	return p.Err()
}
