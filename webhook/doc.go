// Package webhook sends the board's changes to the webhooks admins
// registered: in the background, signed, retried with backoff, and logged.
// cmd/web starts its Dispatcher beside the HTTP server; the handlers only
// register webhooks, and check their targets with CheckTarget.
//
// Where a webhook may go is decided here twice: when it is registered
// (CheckTarget, so the admin hears at once) and at every delivery, by the
// dialer (guard), since what a name resolves to can change. Both refuse the
// special-purpose addresses of ForbiddenAddr unless private targets are
// allowed. Sign and SignAt are the signatures receivers check.
package webhook
