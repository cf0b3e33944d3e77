package gonogo

import "slices"

// DefaultTemplate is the checklist a new installation starts with: readiness
// items drawn from the three pillars, a post-deploy verification list and a
// rollback list. Admins edit the template; edits apply to releases created
// afterwards.
func DefaultTemplate() []ItemInput {
	tech := func(title, guidance string, owner Role, key string) ItemInput {
		return ItemInput{Phase: Readiness, Pillar: Technical, Title: title, Guidance: guidance, OwnerRole: owner, Required: true, CheckKey: key}
	}
	ops := func(title, guidance string, owner Role, key string) ItemInput {
		return ItemInput{Phase: Readiness, Pillar: Operational, Title: title, Guidance: guidance, OwnerRole: owner, Required: true, CheckKey: key}
	}
	biz := func(title, guidance string, owner Role) ItemInput {
		return ItemInput{Phase: Readiness, Pillar: Business, Title: title, Guidance: guidance, OwnerRole: owner, Required: true}
	}
	// Publishing the release notes completes this item, found by its check key.
	notes := biz("Release notes written", "Customer-facing release notes are written and published.", ProductOwner)
	notes.CheckKey = NotesCheckKey
	verify := func(title, guidance string, owner Role) ItemInput {
		return ItemInput{Phase: Verification, Title: title, Guidance: guidance, OwnerRole: owner, Required: true}
	}
	// The pipeline's smoke test in production settles this one (see ReportEvent).
	smoke := verify("Smoke test passes in production", "The automated smoke test passes against production after deploying; the pipeline reports it.", QALead)
	smoke.CheckKey = ProductionSmokeCheckKey
	// A firing alert fails this one, found by its check key (see ReceiveAlert).
	dashboards := verify("Dashboards healthy", "Error rates, latency and saturation are normal for 30 minutes.", Ops)
	dashboards.CheckKey = DashboardsCheckKey
	// A person closes this one, looking at the pilot's tally (pilot.go).
	pilot := verify("Pilot users confirm the feature works", "The pilot group tried the release and says it works; close it looking at their tally.", ProductOwner)
	pilot.CheckKey = PilotCheckKey
	rollback := func(title, guidance string, owner Role) ItemInput {
		return ItemInput{Phase: Rollback, Title: title, Guidance: guidance, OwnerRole: owner, Required: true}
	}
	items := []ItemInput{
		tech("Definition of done met", "Every story in the release meets the team's definition of done.", EngineeringLead, ""),
		tech("Static analysis clean", "Linters and static analysis pass with no new findings.", EngineeringLead, "static-analysis"),
		tech("Unit test coverage at threshold", "Coverage meets the agreed threshold; link the report.", EngineeringLead, "unit-coverage"),
		tech("Integration tests pass", "The integration suite passes against the release build.", QALead, "integration-tests"),
		tech("Performance thresholds met", "Load test results within the agreed latency and throughput budgets.", QALead, "performance"),
		tech("Security scan clean", "No open high or critical findings in the dependency and code scans.", EngineeringLead, "security-scan"),
		tech("Privacy review done", "Changes to personal data handling reviewed.", ProductOwner, ""),
		tech("Technical documentation updated", "Architecture notes, API docs and runbooks reflect the change.", EngineeringLead, ""),
		ops("Deployment scripts reviewed", "Scripts and pipeline for this release reviewed and tested in staging.", Ops, ""),
		ops("Smoke test passes in staging", "The automated smoke test passes in staging; the pipeline reports it as the check smoke-test before the Go.", QALead, "smoke-test"),
		ops("Rollback plan written", "How to undo the release, tested in staging.", Ops, ""),
		ops("Monitoring dashboards and alerts ready", "Dashboards show the new feature; alerts are set for its failure modes.", Ops, ""),
		ops("Support hand-off done", "Support knows what changes, what can go wrong and whom to call.", SupportLead, ""),
		biz("Acceptance criteria met", "The product owner accepted every story against its criteria.", ProductOwner),
		biz("User stories complete", "Every story planned for the release is complete or explicitly moved out.", ProductOwner),
		notes,
		biz("Knowledge base updated", "Help articles and support macros cover the change.", SupportLead),
		biz("Schedule agreed", "The release window is agreed with the business and support.", ReleaseManager),
		smoke,
		verify("Users reach the feature without errors", "Spot-check the main user journeys in production.", QALead),
		dashboards,
		verify("No spike in support tickets", "Support sees no rise in tickets about the changed areas.", SupportLead),
		pilot,
		rollback("Rollback steps written and rehearsed", "The steps are written down and were rehearsed in staging.", Ops),
		rollback("Data changes reversible", "Every migration has a tested way back, or the risk is accepted in writing.", EngineeringLead),
		rollback("Who calls the rollback is agreed", "One named person decides to roll back, with a deputy.", ReleaseManager),
	}
	// Knowledge base and technical documentation help but need not hold a release.
	for i := range items {
		if items[i].Title == "Technical documentation updated" || items[i].Title == "Knowledge base updated" {
			items[i].Required = false
		}
	}
	return items
}

// TemplateItemAdded is the audit of in added to the template.
func TemplateItemAdded(in ItemInput) Audit {
	return audit(ActionTemplateAdd, "added template item %q (%s, %s)", in.Title, in.Phase, in.OwnerRole.Label())
}

// TemplateItemChanged is the audit of a template item changed to in.
// Releases created before keep their own copy.
func TemplateItemChanged(in ItemInput) Audit {
	return audit(ActionTemplateUpdate, "changed template item %q", in.Title)
}

// TemplateItemRemoved is the audit of the template item titled title
// taken away.
func TemplateItemRemoved(title string) Audit {
	return audit(ActionTemplateRemove, "removed template item %q", title)
}

// MoveTemplateItem moves the item id of the template's order one place up
// (delta -1) or down (+1) and returns the new order with its audit; false
// when the item is already at that end, which is no change.
func MoveTemplateItem(order []int64, id int64, delta int) ([]int64, Audit, bool, error) {
	i := slices.Index(order, id)
	if i < 0 {
		return nil, Audit{}, false, Errorf(ENOTFOUND, "no template item with id %d", id)
	}
	j := i + delta
	if j < 0 || j >= len(order) {
		return order, Audit{}, false, nil
	}
	order = slices.Clone(order)
	order[i], order[j] = order[j], order[i]
	return order, audit(ActionTemplateMove, "moved template item %d", id), true, nil
}

// TemplateName is how people call the template of product: the global
// one for "", the product's own otherwise.
func TemplateName(product string) string {
	if product == "" {
		return "the global checklist template"
	}
	return "the checklist template of " + product
}

// InTemplate is au, an edit of a template item, saying which template it
// was: a product's own template says so; the global one stays as it read.
func InTemplate(au Audit, product string) Audit {
	if product != "" {
		au.Detail += " in " + TemplateName(product)
	}
	return au
}

// CustomizeTemplate is the change that gives p a template of its own, a
// copy of the global one's n items; a product that has one already is a
// conflict.
func CustomizeTemplate(p Product, n int) (Audit, error) {
	if p.OwnTemplate {
		return Audit{}, Errorf(ECONFLICT, "%s has its own checklist template already", p.Key)
	}
	return audit(ActionTemplateCustomize, "customized the checklist of %s: a copy of the global template (%d items)", p.Key, n), nil
}

// RevertTemplate is the change that removes p's own template, of n items,
// so that its new releases start with the global one again; a product
// without one is a conflict.
func RevertTemplate(p Product, n int) (Audit, error) {
	if !p.OwnTemplate {
		return Audit{}, Errorf(ECONFLICT, "%s uses the global checklist template already", p.Key)
	}
	return audit(ActionTemplateRevert, "put %s back on the global checklist template: its own checklist (%d items) removed", p.Key, n), nil
}

// CheckTemplateEdit refuses to edit a product's template while the
// product still uses the global one: it is customized first, on purpose.
func CheckTemplateEdit(p Product) error {
	if !p.OwnTemplate {
		return Errorf(ECONFLICT, "%s uses the global checklist template: customize its checklist first", p.Key)
	}
	return nil
}
