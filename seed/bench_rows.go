package seed

import (
	"fmt"
	"strings"

	"github.com/gonogo/gonogo"
)

// benchProduct is a generated product and the words its releases are made of.
type benchProduct struct {
	name, key string
	features  []string
}

var benchProducts = []benchProduct{
	{"payments", "PAY", []string{"refunds", "payouts", "Apple Pay", "currency rounding", "chargebacks", "invoices"}},
	{"storefront", "SHOP", []string{"search ranking", "wishlists", "gift cards", "product pages", "campaign banners", "reviews"}},
	{"mobile", "APP", []string{"offline mode", "push notifications", "cold start", "dark mode", "biometric sign-in", "widgets"}},
	{"checkout", "CHK", []string{"address lookup", "one-page checkout", "coupons", "tax estimates", "saved cards", "guest checkout"}},
	{"billing", "BIL", []string{"usage metering", "proration", "dunning emails", "annual plans", "credit notes", "tax invoices"}},
	{"identity", "IDP", []string{"single sign-on", "passkeys", "session limits", "audit exports", "SCIM provisioning", "password rules"}},
	{"analytics", "ANA", []string{"funnels", "cohort charts", "CSV exports", "dashboards", "retention reports", "event sampling"}},
	{"messaging", "MSG", []string{"read receipts", "attachments", "threads", "mentions", "message search", "delivery retries"}},
	{"catalog", "CAT", []string{"bulk import", "variants", "price lists", "stock sync", "image resizing", "category trees"}},
	{"support", "SUP", []string{"ticket routing", "macros", "satisfaction surveys", "SLA timers", "chat hand-off", "help centre search"}},
}

var benchVerbs = []string{"Faster", "Simpler", "Safer", "New", "Redesigned", "Smarter"}

func benchTitle(p benchProduct, k int) string {
	return benchVerbs[mod(k, len(benchVerbs))] + " " + p.features[mod(k/len(benchVerbs)+k, len(p.features))]
}

// benchProductOf is product p: the ten above, then the same again with a
// number, so that any number of products have names and keys of their own
// (payments, ..., support, payments-2, ..., support-2, payments-3, ...).
func benchProductOf(p int) benchProduct {
	b := benchProducts[p%len(benchProducts)]
	if n := p / len(benchProducts); n > 0 {
		b.name, b.key = fmt.Sprintf("%s-%d", b.name, n+1), fmt.Sprintf("%s%d", b.key, n+1)
	}
	return b
}

func (r *benchRelease) product() benchProduct { return benchProductOf(r.p) }

// seq numbers release k from 0, the History's included: defect keys are
// made of it.
func (r *benchRelease) seq() int { return r.k + r.spec.History }

// addItem adds one of the custom readiness items every release here has
// beside the template's: a quarter of them advisory.
func (r *benchRelease) addItem(w *writer, i int) error {
	in := gonogo.ItemInput{
		Phase: gonogo.Readiness, Pillar: gonogo.Pillars[i%len(gonogo.Pillars)], Required: i%4 != 0,
		Title:     fmt.Sprintf("%s checked (%d)", r.product().features[i%len(r.product().features)], i+1),
		Guidance:  "A check this product's team added for its releases.",
		OwnerRole: gonogo.Roles[i%len(gonogo.Roles)],
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	_, err := w.store.AddItem(w.ctx, r.people[gonogo.ReleaseManager], r.id, in)
	return err
}

// addDefect files defect i: one blocker, two critical, five major, the rest
// minor, with tracker keys and links as teams paste them.
func (r *benchRelease) addDefect(w *writer, i int) error {
	p := r.product()
	in := gonogo.DefectInput{
		Title:    fmt.Sprintf("%s: %s", p.features[mod(i+r.k, len(p.features))], benchDefectTitles[i%len(benchDefectTitles)]),
		Severity: gonogo.Minor, Status: []gonogo.DefectStatus{gonogo.DefectVerified, gonogo.DefectFixed, gonogo.DefectOpen}[i%3],
		Key: fmt.Sprintf("%s-%d", p.key, 100+r.seq()*r.spec.Defects+i),
	}
	switch {
	case i == 0:
		in.Severity, in.Status = gonogo.Blocker, gonogo.DefectOpen
	case i < 3:
		in.Severity, in.Status = gonogo.Critical, gonogo.DefectInProgress
	case i < 8:
		in.Severity = gonogo.Major
	}
	if i%2 == 0 {
		in.TrackerURL, in.Key = "https://tracker.example.com/browse/"+in.Key, ""
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return err
	}
	ids, err := w.store.CreateDefects(w.ctx, r.people[gonogo.QALead], r.id, []gonogo.DefectInput{in})
	r.defects, r.ids = append(r.defects, in), append(r.ids, ids...)
	return err
}

var benchDefectTitles = []string{
	"fails when the session expires", "shows the wrong total", "times out under load", "misaligned on small screens",
	"email arrives twice", "ignores the user's language", "slow with many rows", "crashes on empty input",
}

// resolveDefects has QA verify the fixes of every blocker and critical
// defect, as a release on its way to a Go needs.
func (r *benchRelease) resolveDefects(w *writer) error {
	if r.fate == gonogo.Review || r.fate == gonogo.NoGo {
		return nil // their blockers still stand
	}
	qa := r.people[gonogo.QALead]
	for i, in := range r.defects {
		if !in.Severity.Grave() {
			continue
		}
		_, err := w.store.SetDefectStatus(w.ctx, qa, r.id, r.ids[i], gonogo.DefectChange{Status: gonogo.DefectVerified})
		if err != nil {
			return err
		}
	}
	return nil
}

// settle has the owner of the phase's item i settle it: done with evidence,
// or n/a for some advisory ones. A draft, or a release to be cancelled,
// gets halfway, with one failure.
// The release notes item is left to the publishing of the notes.
func (r *benchRelease) settle(w *writer, phase gonogo.Phase, i int) error {
	if i == 0 {
		all, err := w.store.FindItems(w.ctx, r.id)
		if err != nil {
			return err
		}
		r.items = r.items[:0]
		for _, it := range all {
			if it.Phase == phase && it.CheckKey != gonogo.NotesCheckKey {
				r.items = append(r.items, it)
			}
		}
	}
	half := len(r.items) / 2
	unfinished := r.fate == gonogo.Draft || r.fate == gonogo.Cancelled
	if i >= len(r.items) || (unfinished && i > half) {
		return nil
	}
	it := r.items[i]
	change := gonogo.ItemChange{Status: gonogo.ItemDone, Evidence: fmt.Sprintf("https://ci.example.com/%s/%d/%d", r.product().name, r.k, i)}
	switch {
	case unfinished && i == half:
		change.Status = gonogo.ItemFailed
	case !it.Required && i%2 == 0:
		change = gonogo.ItemChange{Status: gonogo.ItemNA, Reason: "Nothing in this release touches it."}
	}
	who := r.people[it.OwnerRole]
	_, err := w.store.UpdateItem(w.ctx, who, r.id, it.ID, change)
	return err
}

// publishNotes has the product owner publish the release's notes: the
// text support searches.
func (r *benchRelease) publishNotes(w *writer) error {
	po := r.people[gonogo.ProductOwner]
	p := r.product()
	f1, f2 := p.features[mod(r.k, len(p.features))], p.features[mod(r.k+2, len(p.features))]
	in := gonogo.NotesInput{
		Title:      benchTitle(p, r.k),
		Highlights: fmt.Sprintf("**%s** for every %s customer, and %s that keep up with busy days.", benchTitle(p, r.k), p.name, f2),
		Changes: strings.Join([]string{
			fmt.Sprintf("- %s now work the same on the web and in the app.", upperFirst(f1)),
			fmt.Sprintf("- Admins can switch %s on per team.", f2),
			"- Pages that list many rows load in half the time.",
			"- Error messages say what to do next.",
		}, "\n"),
		Fixes: fmt.Sprintf("- %s-%d: %s %s.\n- %s-%d: the export no longer stops at 1,000 rows.",
			p.key, 100+r.seq()*r.spec.Defects, f1, benchDefectTitles[mod(r.k, len(benchDefectTitles))], p.key, 101+r.seq()*r.spec.Defects),
		Internal: "Escalate anything about " + f1 + " to the " + p.name + " on-call channel.",
		Links:    fmt.Sprintf("About %s | https://help.example.com/%s/%d", f1, p.name, r.k),
	}
	if r.k%4 == 0 {
		in.KnownIssues = fmt.Sprintf("Some %s made before this release show the old layout. *Workaround:* open and save them again.", f2)
	}
	_, err := w.store.SaveNotes(w.ctx, po, r.id, in, true)
	return err
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
