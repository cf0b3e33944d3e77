package handlers

// Builds counts how often a page or feed of kind ("calendar", "ics",
// "atom") was built rather than answered from what was kept.
func (h *Handler) Builds(kind string) int64 { return h.builds.get(kind) }
