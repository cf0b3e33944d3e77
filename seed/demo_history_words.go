package seed

import "fmt"

// pastProduct is one demo product's past year: how its versions ran, what
// its releases shipped, how its defects were tracked, and the releases
// whose life took a turn, by their place in the year (0 for the first).
type pastProduct struct {
	key string
	// Its past versions run (major-1).x.0 up to (major-1).prevTop.0, then
	// major.0.0 up to major.lastMinor.0: all below today's board's.
	major, lastMinor, prevTop int
	week                      int // the week of each three its releases start in
	releases                  []pastShipped
	defects                   []string // majors and minors; the first is the one a QA No-Go is about
	criticals                 []string // found and fixed before a review
	deferrals                 []pastDeferral
	rollbackCause             string // what a rollback of it turned up
	firstIssue                int    // its defects' tracker numbers start here, below today's
	issueURL                  string // with the number's %d
	turns                     map[int]pastTurn
	// Who signs slowly beside support: the mobile app's ops wait on the
	// app stores' review.
	opsWait [2]int // minutes, least and most
}

// pastDeferral is a critical defect a past release shipped with, and why.
type pastDeferral struct{ title, reason string }

// blockerTitle is the blocker that stopped a storefront review in its
// last hour.
const blockerTitle = "Orders paid with a gift card lose their delivery address"

// pastShipped is what one past release shipped.
type pastShipped struct{ title, summary string }

// pastTurn is how a past release's life departs from the plain one
// (settled, reviewed, a Go, deployed and released).
type pastTurn struct {
	noGo          string // its first review ends in a No-Go: "qa", "ops", "defects", "checklist" or "notes"
	rollBack      bool   // its first deploy rolls back; it ships in a second cycle
	smokeFails    bool   // its smoke test fails in production and is fixed forward
	deferCritical bool   // a critical defect is deferred, with its reason, before the Go
	cancel        bool   // cancelled while a draft
}

// version is the version of the release back places before the product's
// last of the past.
func (p *pastProduct) version(back int) string {
	if back <= p.lastMinor {
		return fmt.Sprintf("%d.%d.0", p.major, p.lastMinor-back)
	}
	return fmt.Sprintf("%d.%d.0", p.major-1, p.prevTop-(back-p.lastMinor-1))
}

// pastProducts are the demo products' years. Payments is the product
// whose rollbacks follow deferred criticals: the two releases that
// shipped with a critical deferred rolled back first, and no other
// release of it failed. The storefront deferred criticals too and
// shipped cleanly, and rolled back for other reasons.
var pastProducts = []*pastProduct{
	{key: "payments", major: 2, lastMinor: 2, prevTop: 20, week: 0, firstIssue: 20,
		issueURL: "https://acme.atlassian.net/browse/PAY-%d", opsWait: [2]int{180, 900},
		turns: map[int]pastTurn{
			3:  {deferCritical: true, rollBack: true},
			6:  {noGo: "qa"},
			9:  {deferCritical: true, rollBack: true},
			11: {noGo: "checklist"},
		},
		releases: []pastShipped{
			{"Saved cards for returning customers", "Returning customers pay with a card they saved before."},
			{"SEPA direct debit", "Customers in the euro area pay by direct debit from their bank account."},
			{"Refunds API v2", "Merchants refund in part or in full through one call, with a reason."},
			{"Payout reports by currency", "The payout report groups payouts by currency."},
			{"3-D Secure 2 challenge flow", "Card payments that need a challenge show the bank's page in the checkout."},
			{"Chargeback evidence upload", "Merchants upload evidence for a chargeback from the dashboard."},
			{"Faster card tokenization", "Cards are tokenized in the browser, cutting a round trip."},
			{"Invoice payments", "Business customers pay by invoice within 30 days."},
			{"iDEAL for Dutch customers", "Customers in the Netherlands pay with iDEAL."},
			{"Fraud rules editor", "Risk analysts edit the fraud rules without a deploy."},
			{"Webhook retries", "Payment webhooks are retried for a day when the merchant is down."},
			{"Partial captures", "Merchants capture part of an authorized amount and release the rest."},
			{"Payment links", "Merchants send a link that opens a ready checkout."},
			{"Dispute notifications", "Merchants hear of a dispute by email the hour it opens."},
			{"Currency conversion at checkout", "Customers see the price in their own currency before paying."},
			{"Card account updater", "Saved cards are updated when the bank issues a new one."},
			{"PCI log redaction", "Card numbers never reach the logs, even in errors."},
			{"Refund reasons", "Every refund carries a reason the merchant picks."},
		},
		criticals: []string{"Payment confirmed twice after a gateway timeout", "Payout batch skips merchants with a new IBAN"},
		deferrals: []pastDeferral{
			{"3-D Secure fails for cards issued before 2019", "under 0.5% of payments by our sample; the fix waits on the card network's new API"},
			{"Wallet payment times out when the bank app is closed", "rare on our traffic; a retry succeeds, and the fix needs the wallet's next SDK"},
		},
		rollbackCause: "Declines spiked for older cards after the switch: the deferred defect hit far more payments than sampled",
		defects: []string{
			"Receipt shows the wrong VAT rate for Austria", "Payout CSV splits names with commas",
			"Refund button stays active while the refund runs", "Decline message is in English for every language",
			"Webhook signature fails for bodies over 1 MB", "Dashboard totals round each line",
			"Saved card list shows expired cards", "Timeout page offers to pay again",
		},
	},
	{key: "storefront", major: 5, lastMinor: 8, prevTop: 12, week: 1, firstIssue: 20,
		issueURL: "https://gitlab.com/acme/storefront/-/issues/%d", opsWait: [2]int{180, 900},
		turns: map[int]pastTurn{
			2:  {noGo: "defects"},
			4:  {rollBack: true},
			7:  {deferCritical: true},
			8:  {cancel: true},
			10: {noGo: "notes"},
			12: {rollBack: true},
			13: {deferCritical: true},
		},
		releases: []pastShipped{
			{"Faceted search filters", "Shoppers narrow search results by size, colour and price."},
			{"Product reviews with photos", "Reviews can carry up to three photos."},
			{"Recently viewed items", "The home page lists what the shopper looked at last."},
			{"Size guide", "Every clothing page links to its size guide."},
			{"Back-in-stock alerts", "Shoppers ask to hear when a product is back."},
			{"Black Friday landing page", "A landing page and banner for the Black Friday weekend."},
			{"Cart saved across devices", "A signed-in shopper's cart follows them to every device."},
			{"Spring campaign", "Banners and a landing page for the spring collection."},
			{"Store locator", "Shoppers find the nearest shop with the product in stock."},
			{"Accessible checkout forms", "Checkout forms work with screen readers and the keyboard alone."},
			{"Bundles and kits", "Products sold together at one price."},
			{"Image zoom", "Product photos zoom on hover and pinch."},
			{"Autocomplete in search", "Search suggests products as the shopper types."},
			{"Guest order tracking", "Shoppers without an account track an order by its number."},
			{"Coupon codes in the cart", "Shoppers apply a coupon code in the cart."},
			{"Summer sale banner", "Banners for the summer sale."},
			{"Product comparison", "Shoppers compare up to four products side by side."},
			{"Faster product pages", "Product pages load their images lazily."},
		},
		criticals: []string{"Cart empties after signing in", "Checkout button hidden behind the chat bubble on small phones"},
		deferrals: []pastDeferral{
			{"Banner covers the cart button on 320px screens", "under 0.5% of traffic; fixed in the next release"},
			{"Coupon field accepts expired codes on old Safari", "old Safari is 0.2% of orders; the discount is capped"},
		},
		rollbackCause: "Error rate doubled on product pages after the deploy",
		defects: []string{
			"Filter chips overlap on narrow screens", "Review photos upload twice on a slow connection",
			"Size guide opens behind the cookie notice", "Sort order resets after paging",
			"Banner text unreadable in dark mode", "Price shows without VAT on some product pages",
			"Search box loses focus after a suggestion", "Wishlist heart does not toggle back",
		},
	},
	{key: "mobile", major: 3, lastMinor: 7, prevTop: 14, week: 2, firstIssue: 150,
		issueURL: "https://github.com/acme/mobile/issues/%d", opsWait: [2]int{300, 1400},
		turns: map[int]pastTurn{
			1:  {noGo: "ops"},
			5:  {smokeFails: true},
			8:  {noGo: "qa"},
			9:  {cancel: true},
			11: {rollBack: true},
		},
		releases: []pastShipped{
			{"Push notification settings", "People choose which notifications the app sends."},
			{"Dark mode", "The app follows the phone's dark mode."},
			{"Biometric sign-in", "Sign in with a fingerprint or the face."},
			{"Order tracking widget", "A home-screen widget shows where the latest order is."},
			{"In-app chat with support", "Customers chat with support without leaving the app."},
			{"Barcode scanner", "Scan a product's barcode to find it in the shop."},
			{"Faster image loading", "Product images load from the nearest cache."},
			{"Tablet layout", "The app uses the whole screen of a tablet."},
			{"Deep links from email", "Links in emails open the right screen of the app."},
			{"Larger text", "The app follows the phone's text size."},
			{"Apple Pay in the app", "Customers pay with Apple Pay in the iOS app."},
			{"Reorder in one tap", "Past orders can be placed again with one tap."},
			{"Onboarding tour", "New users see a three-screen tour."},
			{"Android 14 support", "The app targets Android 14."},
			{"Offline cart", "The cart can be filled without a connection."},
			{"Crash fixes", "Fixes the most common crashes of the last release."},
			{"Smaller download", "The app is a third smaller to download."},
			{"Photo search", "Search the shop with a photo."},
		},
		criticals:     []string{"App crashes when the camera permission is denied", "Sign-in loops on Android 12"},
		rollbackCause: "Checkout calls from the new version time out behind the old gateway",
		defects: []string{
			"Widget shows yesterday's order after a restart", "Chat keyboard covers the send button",
			"Dark mode leaves the tab bar white", "Scanner does not focus on older phones",
			"Push opt-in asked twice", "Tablet layout cuts the price off in landscape",
			"Deep link opens the home screen instead", "Text overflows buttons at the largest size",
		},
	},
}

// naReasons are why items were set not applicable, by item: said in the
// words teams use, so that the reasons' common words say something.
var naReasons = map[string][]string{
	"Privacy review done": {
		"No personal data touched by this release.",
		"Only internal tooling changes; no personal data involved.",
		"No change to how personal data is stored or shared.",
	},
	"Performance thresholds met": {
		"Copy and styling only; no request path changed.",
		"No change to any request path or query.",
	},
	"Technical documentation updated": {
		"No API or architecture change.",
		"Internal refactoring only; no API change.",
	},
	"Knowledge base updated": {
		"Nothing customers see changes.",
		"Internal change; nothing for customers to read.",
	},
}

// failingItems are the readiness items that failed once on the way to a
// review and were fixed, with what the failure was.
var failingItems = []struct{ title, why string }{
	{"Integration tests pass", "flaky payment-provider sandbox; rerun green"},
	{"Security scan clean", "a high finding in an image library; bumped"},
	{"Unit test coverage at threshold", "coverage 78% against 80%; tests added"},
	{"Smoke test passes in staging", "staging login broken by an expired certificate; renewed"},
}

// conditionTexts are the conditions some Gos carried, as typed.
var conditionTexts = []string{
	"ops: watch the error rate for an hour after the switch",
	"support: brief the first-line team before the window opens",
	"ops: keep the previous version warm for an hour after the deploy",
}
