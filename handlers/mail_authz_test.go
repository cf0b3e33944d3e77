package handlers_test

import "net/http"

// The mail routes' entries of the authorization tables (authz_test.go).
func init() {
	authTable["GET /admin/email"] = authCase{"/admin/email", nil, http.StatusOK, []string{"admin"}}
	// No message has failed in the matrix: the admin's retry is not found.
	authTable["POST /admin/email/:id/retry"] = authCase{"/admin/email/999999/retry", nil, http.StatusNotFound, []string{"admin"}}
	// An unsubscribe link that gonogo did not sign is not found, for
	// anyone: the signature is its only authority.
	publicTable["GET /unsubscribe/:user/:kind/:sig"] = publicCase{"/unsubscribe/1/review/forged", nil, http.StatusNotFound, http.StatusNotFound}
	publicTable["POST /unsubscribe/:user/:kind/:sig"] = publicCase{"/unsubscribe/1/review/forged", nil, http.StatusNotFound, http.StatusNotFound}
}
