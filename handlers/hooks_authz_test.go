package handlers_test

import "net/http"

// The trackers' webhooks in the authorization tables (authz_test.go): a
// delivery without a signature is refused with 401 whoever sends it, a
// browser's cookies and CSRF token included.
func init() {
	for _, kind := range []string{"github", "gitlab", "jira"} {
		publicTable["POST /hooks/"+kind+"/:product"] = publicCase{"/hooks/" + kind + "/authz", nil, http.StatusUnauthorized, http.StatusUnauthorized}
	}
}
