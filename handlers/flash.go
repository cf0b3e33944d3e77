package handlers

import "github.com/gonogo/gonogo"

// A flash is a one-off message a page shows after a redirect, such as
// "Changes saved." after a plain form post.

// flashText is the message a redirect asks the page to show with code: one
// of flashes, or what a transition did, named by the transition.
func flashText(code string) string {
	if msg, ok := flashes[code]; ok {
		return msg
	}
	return gonogo.Transition(code).Outcome()
}

// flashes are the messages a redirect may ask a page to show once, by code
// in the ?notice= query parameter (an address people may have kept, so its
// name stays). Only these codes are accepted, so a link cannot put words in
// gonogo's mouth. (A live notice, gonogo.Notice, is another thing: a change
// someone else made, as it happens.)
var flashes = map[string]string{
	"created":  "Release created with the checklist template's items.",
	"saved":    "Changes saved.",
	"added":    "Item added.",
	"removed":  "Item removed.",
	"welcome":  "Welcome! Your admin account is ready. Add your team under Admin.",
	"password": "Password changed.",
	"prefs":    "Saved what you hear about, and how.",
	"digest":   "Saved your daily digest.",
	"defect":   "Defect added.",
	"pasted":   "Defects added.",
	"nudged":   "Nudged: the release's history says who was told and how.",
	"revoked":  "Token revoked. Pipelines using it are refused from now on.",
	"webhook":  "Webhook registered. Changes of the chosen kinds are sent to it from now on.",
	"unhooked": "Webhook removed.",
	// Feed addresses
	"feed-revoked": "Your feed address was revoked: feed readers and calendars using it are refused from now on.",
	// Release notes
	"notes-saved": "Draft saved. Readers see nothing until it is published.",
	"published":   "Release notes published.",
	"amended":     "Amendment published: the page now shows it as updated.",
	"unchanged":   "Nothing changed, so nothing was saved.",
	// Products
	"product":    "Product added. It takes releases from now on.",
	"archived":   "Product archived: its releases stay readable; it takes no new releases.",
	"unarchived": "Product back in use: it takes new releases again.",
	"customized": "The product has its own checklist now, a copy of the global one: edit it here.",
	"reverted":   "The product uses the global checklist template again.",
	// Trackers
	"imported":          "Issues imported: each release's defects and history show them.",
	"tracker-connected": "Tracker connected. Register its webhook there with the address and secret shown.",
	"tracker-saved":     "Mapping saved. Deliveries from now on are read by it.",
	"tracker-secret":    "New secret made. Paste it into the tracker's webhook: until then its deliveries are refused.",
	"tracker-removed":   "Tracker disconnected. Its defects stay, kept by hand from now on.",
	// The pilot
	"pilot-invited": "Invitations on their way: each tester gets a personal link by email.",
	"pilot-revoked": "Link revoked: it opens nothing from now on.",
}
