package db

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gonogo/gonogo"
)

// DemoAccounts are the accounts -demo creates, one per role plus an admin.
var DemoAccounts = []struct {
	Email, Name string
	Role        gonogo.Role // "" for the admin
}{
	{"admin@example.com", "Avery Admin", ""},
	{"po@example.com", "Priya Owner", gonogo.ProductOwner},
	{"eng@example.com", "Eli Engineer", gonogo.EngineeringLead},
	{"qa@example.com", "Quinn Tester", gonogo.QALead},
	{"ops@example.com", "Oskar Ops", gonogo.Ops},
	{"support@example.com", "Sam Support", gonogo.SupportLead},
	{"rm@example.com", "Rita Manager", gonogo.ReleaseManager},
}

// demoRelease is one release of the demo board and how far along it is.
type demoRelease struct {
	product, version, title, summary string
	state                            gonogo.State
	readinessDone                    int // how many readiness items are settled, in template order
	failed                           int // how many of the next are failed
	verificationDone                 int
	windowIn                         time.Duration // from now to the window's start; 0 for none
	age                              time.Duration // how long ago it was last changed
}

var demoReleases = []demoRelease{
	{"payments", "2.4.0", "Apple Pay in checkout", "Adds Apple Pay as a payment method in the web checkout for EU and US customers.",
		gonogo.Review, 14, 0, 0, 3*24*time.Hour + 20*time.Hour, 2 * time.Hour},
	{"payments", "2.5.0", "Multi-currency payouts", "Merchants can receive payouts in EUR, GBP and USD.",
		gonogo.Draft, 2, 0, 0, 0, 26 * time.Hour},
	{"payments", "2.3.1", "Refund rounding fix", "Fixes a one-cent rounding error on partial refunds in JPY.",
		gonogo.Released, 18, 0, 3, 0, 5 * 24 * time.Hour},
	{"storefront", "5.12.0", "New search ranking", "Search results ranked by a learned model instead of keyword match.",
		gonogo.Draft, 5, 0, 0, 10*24*time.Hour + 21*time.Hour, 3 * time.Hour},
	{"storefront", "5.11.0", "Holiday campaign banner", "Seasonal banner and landing page for the December campaign.",
		gonogo.Go, 18, 0, 0, 20 * time.Hour, 30 * time.Minute},
	{"storefront", "5.10.0", "Wishlist sharing", "Shoppers share a wishlist by link.",
		gonogo.RolledBack, 18, 0, 1, 0, 2 * 24 * time.Hour},
	{"mobile", "3.8.0", "Offline mode", "The app keeps working without a connection and syncs when back online.",
		gonogo.Review, 11, 2, 0, 6*24*time.Hour + 19*time.Hour, 5 * time.Hour},
	{"mobile", "3.7.2", "Crash fix on Android 15", "Fixes a crash at start-up on some Android 15 devices.",
		gonogo.Deploying, 18, 0, 0, -30 * time.Minute, 20 * time.Minute},
	{"mobile", "3.7.1", "Faster cold start", "Cuts cold-start time by deferring analytics set-up.",
		gonogo.Verifying, 18, 0, 2, -26 * time.Hour, 25 * time.Hour},
}

// demoDefects are the demo board's known problems: every severity and
// status, and a blocker that holds payments 2.4.0 back.
var demoDefects = map[string][]gonogo.Defect{
	"payments 2.4.0": {
		{Title: "Apple Pay sheet does not open on Safari 17", Severity: gonogo.Blocker, Status: gonogo.DefectOpen,
			TrackerURL: "https://acme.atlassian.net/browse/PAY-142", Notes: "Reproduced on macOS 14.2; fine on iOS."},
		{Title: "Double charge when the customer retries", Severity: gonogo.Critical, Status: gonogo.DefectVerified,
			TrackerURL: "https://acme.atlassian.net/browse/PAY-139"},
		{Title: "Receipt email shows the wrong currency symbol", Severity: gonogo.Major, Status: gonogo.DefectInProgress,
			TrackerURL: "https://acme.atlassian.net/browse/PAY-150"},
		{Title: "Pay button misaligned on iPad", Severity: gonogo.Minor, Status: gonogo.DefectFixed, Key: "PAY-151"},
	},
	"mobile 3.8.0": {
		{Title: "Edits made offline are lost after a conflict", Severity: gonogo.Critical, Status: gonogo.DefectInProgress,
			TrackerURL: "https://github.com/acme/mobile/issues/318"},
		{Title: "Offline banner flickers when the signal is weak", Severity: gonogo.Major, Status: gonogo.DefectDeferred,
			Reason: "cosmetic; fix planned for 3.8.1", TrackerURL: "https://github.com/acme/mobile/issues/322"},
		{Title: "Sync spinner uses the old brand colour", Severity: gonogo.Minor, Status: gonogo.DefectWontFix,
			Reason: "the spinner goes away with the redesign"},
	},
	"storefront 5.11.0": {
		{Title: "Banner overlaps the cookie notice on 320px screens", Severity: gonogo.Critical, Status: gonogo.DefectDeferred,
			Reason: "under 0.5% of traffic; fixed in 5.11.1 within the week", TrackerURL: "https://gitlab.com/acme/storefront/-/issues/77"},
	},
	"storefront 5.12.0": {
		{Title: "Quoted queries return no results", Severity: gonogo.Blocker, Status: gonogo.DefectOpen,
			TrackerURL: "https://gitlab.com/acme/storefront/-/issues/81"},
		{Title: "Ranking ignores stock level", Severity: gonogo.Major, Status: gonogo.DefectOpen},
	},
	"mobile 3.7.1": {
		{Title: "Analytics consent asked twice on first start", Severity: gonogo.Minor, Status: gonogo.DefectFixed},
	},
}

// SeedDemo fills an empty database with a realistic board and one account
// per role, all with password. It changes nothing, and says so by returning
// false, when the database already has users or releases.
func (s *Store) SeedDemo(ctx context.Context, password string) (bool, error) {
	if msg := gonogo.PasswordProblem(password); msg != "" {
		return false, gonogo.Errorf(gonogo.EINVALID, "demo password: %s", msg)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	if err != nil {
		return false, err
	}
	seeded := false
	err = s.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM releases)`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		users := map[gonogo.Role]gonogo.Actor{}
		for _, acc := range DemoAccounts {
			in := gonogo.NewUser{Email: acc.Email, Name: acc.Name}
			if acc.Role == "" {
				in.Admin = true
			} else {
				in.Roles = gonogo.RoleSet{acc.Role}
			}
			id, err := tx.createUser(in, string(hash))
			if err != nil {
				return err
			}
			if acc.Role != "" {
				users[acc.Role] = gonogo.Actor{UserID: id, Name: acc.Name, Roles: in.Roles, RemoteAddr: "demo"}
			}
			if err := tx.audit(gonogo.SystemActor, "user.create", 0, "created demo user %s", acc.Email); err != nil {
				return err
			}
		}
		for _, d := range demoReleases {
			if err := tx.seedRelease(d, users); err != nil {
				return fmt.Errorf("demo release %s %s: %w", d.product, d.version, err)
			}
		}
		seeded = true
		return nil
	})
	return seeded, err
}

func (tx *Tx) seedRelease(d demoRelease, users map[gonogo.Role]gonogo.Actor) error {
	rm := users[gonogo.ReleaseManager]
	in := gonogo.ReleaseInput{Product: d.product, Version: d.version, Title: d.title, Summary: d.summary, ManagerID: rm.UserID}
	if d.windowIn != 0 {
		start := tx.now.Add(d.windowIn).Truncate(time.Hour)
		in.Window = gonogo.Window{Start: start, End: start.Add(2 * time.Hour)}
	}
	id, err := tx.createRelease(rm, in, d.state)
	if err != nil {
		return err
	}
	changed := tx.now.Add(-d.age)
	items, err := tx.releaseItems(id)
	if err != nil {
		return err
	}
	readiness, verification := 0, 0
	for _, it := range items {
		var status gonogo.ItemStatus
		switch {
		case it.Phase == gonogo.Readiness && readiness < d.readinessDone:
			status, readiness = gonogo.ItemDone, readiness+1
		case it.Phase == gonogo.Readiness && readiness < d.readinessDone+d.failed:
			status, readiness = gonogo.ItemFailed, readiness+1
		case it.Phase == gonogo.Verification && verification < d.verificationDone:
			status, verification = gonogo.ItemDone, verification+1
		default:
			continue
		}
		who := users[it.OwnerRole]
		evidence := ""
		if it.CheckKey != "" {
			evidence = fmt.Sprintf("https://ci.example.com/%s/%s/%s", d.product, d.version, it.CheckKey)
		}
		if _, err := tx.Exec(`UPDATE items SET status = ?, evidence = ?, updated_by = ?, updated_at = ? WHERE id = ?`,
			string(status), evidence, who.Name, fmtTime(changed), it.ID); err != nil {
			return err
		}
		if err := tx.audit(who, "item.status", id, "set %q %s (was open)", it.Title, status); err != nil {
			return err
		}
	}
	qa := users[gonogo.QALead]
	for _, d := range demoDefects[d.product+" "+d.version] {
		if _, err := tx.Exec(`INSERT INTO defects (release_id, title, severity, status, key, tracker_url, notes, reason, updated_by, updated_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, d.Title, string(d.Severity), string(d.Status), d.Key, d.TrackerURL,
			d.Notes, d.Reason, qa.Name, fmtTime(changed), fmtTime(changed)); err != nil {
			return err
		}
		if err := tx.audit(qa, "defect.add", id, "added %s defect %q (%s)", d.Severity, d.Title, d.Status); err != nil {
			return err
		}
	}
	_, err = tx.Exec(`UPDATE releases SET updated_at = ? WHERE id = ?`, fmtTime(changed), id)
	return err
}

func (tx *Tx) releaseItems(releaseID int64) ([]gonogo.Item, error) {
	rows, err := tx.Query(`SELECT `+itemColumns+` FROM items i WHERE i.release_id = ? ORDER BY i.position, i.id`, releaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []gonogo.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
