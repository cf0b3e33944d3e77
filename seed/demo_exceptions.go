package seed

import (
	"fmt"

	"github.com/gonogo/gonogo"
)

// demoExceptions are the demo's freeze exceptions: mobile 3.8.0's window
// lies in the app store's review batch and has an exception in force,
// approved by the QA lead and the release manager, so its gate warns
// instead of blocking; storefront 5.12.0's lies in the winter sale, and
// its exception waits on one more approval, so the sale still blocks it.
func (w *writer) seedExceptions(users map[gonogo.Role]gonogo.Actor) error {
	for _, x := range []struct {
		release, freeze string
		by              gonogo.Role
		reason          string
		approvals       []demoApproval
	}{
		{"mobile 3.8.0", "App store review batch", gonogo.EngineeringLead,
			"Offline mode is in the store listing approved last week: the binary must be in this batch or the listing goes out without it.",
			[]demoApproval{
				{gonogo.QALead, "Regression suite green on the release candidate; the two failed items are advisory."},
				{gonogo.ReleaseManager, "Agreed with the store contact; we submit at the start of the window and not after."},
			}},
		{"storefront 5.12.0", "Winter sale", gonogo.ProductOwner,
			"The ranking model fixes the empty results for gift searches, which the sale will bring in numbers.",
			[]demoApproval{{gonogo.Ops, "Rollback is one flag; ops will watch search latency through the window."}}},
	} {
		if err := w.seedException(users, x.release, x.freeze, x.by, x.reason, x.approvals); err != nil {
			return fmt.Errorf("%s: %w", x.release, err)
		}
	}
	return nil
}

type demoApproval struct {
	by      gonogo.Role
	comment string
}

// seedException asks, as by, for an exception to the freeze named freeze
// over the release named name, until the end of the freeze's occurrence
// its window hits, and has each of approvals approve it.
func (w *writer) seedException(users map[gonogo.Role]gonogo.Actor, name, freeze string, by gonogo.Role, reason string, approvals []demoApproval) error {
	var product, version string
	fmt.Sscanf(name, "%s %s", &product, &version)
	rel, err := w.store.FindReleaseByName(w.ctx, product, version)
	if err != nil {
		return err
	}
	snap, err := w.store.FindSnapshot(w.ctx, rel.ID)
	if err != nil {
		return err
	}
	for _, hit := range gonogo.FreezesOver(rel.Window, rel.Product, snap.Freezes, snap.Zone) {
		if hit.Freeze.Name != freeze {
			continue
		}
		id, err := w.store.RequestException(w.ctx, users[by], rel.ID, gonogo.ExceptionInput{FreezeID: hit.Freeze.ID, Reason: reason, Until: hit.When.End})
		if err != nil {
			return err
		}
		// At now, as the freezes were made: the demo's trail never runs
		// ahead of the clock nor back before what it follows.
		for _, a := range approvals {
			if err := w.store.ApproveException(w.ctx, users[a.by], rel.ID, id, a.comment); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("its window is not in the freeze %q", freeze)
}
