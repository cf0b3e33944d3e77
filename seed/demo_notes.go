package seed

import (
	"time"

	"github.com/gonogo/gonogo"
)

// demoNote is the release notes of one demo release: published for every
// release past its Go, a draft for one in review, and one amended after it
// shipped.
type demoNote struct {
	in         gonogo.NotesInput
	amend      *gonogo.NotesInput
	amendAfter time.Duration // after the release shipped
}

var demoNotes = map[string]demoNote{
	"payments 2.4.0": {in: gonogo.NotesInput{
		Title:      "Apple Pay in checkout",
		Highlights: "Customers in the EU and the US can pay with **Apple Pay** in the web checkout.",
		Changes:    "- Apple Pay shows as a payment method on Safari and on iOS.\n- TODO: screenshots of the new payment sheet",
		Internal:   "Draft: wait for PAY-142 before publishing.",
	}},
	"payments 2.3.1": {
		in: gonogo.NotesInput{
			Title:      "Refund rounding fix",
			Highlights: "Partial refunds in Japanese yen are now exact to the yen.",
			Changes: "- Refunds in zero-decimal currencies (JPY, KRW) are rounded once, on the total, instead of per line.\n" +
				"- The refund confirmation email shows the amount in the currency the customer paid in.",
			Fixes: "- A partial refund in JPY could be one yen short (PAY-131).\n" +
				"- Refund totals in the merchant dashboard now match the payout report.",
			KnownIssues: "Refunds made **before** this release keep their old amount.",
			Internal: "Affected merchants were emailed on release day. If a merchant asks about an older refund, check the " +
				"`refund_rounding` flag in the admin tool first; escalate anything over ¥1 to #payments-oncall.",
			Links: "Refunds in zero-decimal currencies | https://help.example.com/payments/refunds-zero-decimal\n" +
				"Making a manual adjustment | https://help.example.com/payments/adjustments",
		},
		amend: &gonogo.NotesInput{
			Title:      "Refund rounding fix",
			Highlights: "Partial refunds in Japanese yen are now exact to the yen.",
			Changes: "- Refunds in zero-decimal currencies (JPY, KRW) are rounded once, on the total, instead of per line.\n" +
				"- The refund confirmation email shows the amount in the currency the customer paid in.",
			Fixes: "- A partial refund in JPY could be one yen short (PAY-131).\n" +
				"- Refund totals in the merchant dashboard now match the payout report.",
			KnownIssues: "Refunds made **before** this release keep their old amount.\n\n" +
				"**Workaround:** issue a manual adjustment of ¥1 from the dashboard (*Payments → Adjustments*).",
			Internal: "Affected merchants were emailed on release day. If a merchant asks about an older refund, check the " +
				"`refund_rounding` flag in the admin tool first; escalate anything over ¥1 to #payments-oncall.",
			Links: "Refunds in zero-decimal currencies | https://help.example.com/payments/refunds-zero-decimal\n" +
				"Making a manual adjustment | https://help.example.com/payments/adjustments",
			Note: "Added the workaround for refunds made before the release",
		},
		amendAfter: 20 * time.Hour,
	},
	"payments 2.3.0": {in: gonogo.NotesInput{
		Title:      "Hourly payouts",
		Highlights: "Merchants are paid out **every hour** instead of once a day.",
		Changes: "- Payouts run at the top of every hour, for balances over the merchant's minimum.\n" +
			"- The payout report has one line per payout, with its exact time.",
		Fixes:       "- Payout emails no longer arrive before the money does.",
		KnownIssues: "Banks that batch incoming transfers may still credit payouts once a day.",
		Internal:    "Merchants on the legacy daily plan were not moved; switch them on request under *Billing → Payout schedule*.",
		Links:       "Payout schedules | https://help.example.com/payments/payout-schedules",
	}},
	"storefront 5.11.0": {in: gonogo.NotesInput{
		Title:      "Holiday campaign",
		Highlights: "A seasonal banner and a landing page for the December campaign, with the campaign codes.",
		Changes:    "- New landing page at `/holidays`.\n- The home page banner links to it until 31 December.",
		KnownIssues: "On screens narrower than 320 px the banner covers the cookie notice. " +
			"*Workaround:* scroll down a little; fixed in 5.11.1.",
		Internal: "Campaign codes: HOLIDAY10 and GIFT25. Chat team briefed on 1 December.",
	}},
	"storefront 5.10.0": {in: gonogo.NotesInput{
		Title:      "Wishlist sharing",
		Highlights: "Shoppers can share a wishlist with a link.",
		Changes:    "- A *Share* button on the wishlist page copies a link anyone can open.",
		Internal:   "Rolled back: shared links exposed the owner's e-mail address. Do not mention the feature to customers.",
	}},
	"mobile 3.7.2": {in: gonogo.NotesInput{
		Title: "Crash fix on Android 15",
		Fixes: "- The app no longer closes at start-up on some Android 15 devices (Pixel 8, Galaxy S24).",
		Links: "Troubleshooting start-up problems | https://help.example.com/mobile/start-up",
	}},
	"mobile 3.7.1": {in: gonogo.NotesInput{
		Title:      "Faster cold start",
		Highlights: "The app opens about **40% faster** from a cold start.",
		Changes:    "- Analytics start after the first screen is shown.",
		KnownIssues: "The analytics consent question can appear twice on the very first start. " +
			"*Workaround:* answer it again; the second answer counts.",
	}},
}

// seedNotes writes a demo release's notes as the product owner: published
// when the release is past its review, a draft otherwise.
func (w *writer) seedNotes(id int64, d demoRelease, users map[gonogo.Role]gonogo.Actor, publish bool) error {
	n, ok := demoNotes[d.product+" "+d.version]
	if !ok {
		return nil
	}
	return w.writeDemoNotes(id, users[gonogo.ProductOwner], n.in, publish)
}

// amendNotes amends a shipped demo release's notes.
func (w *writer) amendNotes(id int64, d demoRelease, users map[gonogo.Role]gonogo.Actor) error {
	n, ok := demoNotes[d.product+" "+d.version]
	if !ok || n.amend == nil {
		return nil
	}
	return w.writeDemoNotes(id, users[gonogo.ProductOwner], *n.amend, false)
}

// writeDemoNotes saves notes at the moment of the step that writes them.
func (w *writer) writeDemoNotes(id int64, po gonogo.Actor, in gonogo.NotesInput, publish bool) error {
	_, err := w.store.SaveNotes(w.ctx, po, id, in, publish)
	return err
}
