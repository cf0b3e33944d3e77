package handlers

// OccupyPasswordSlots takes every slot for checking or hashing passwords,
// as a burst of sign-ins would, until release is called.
func (h *Handler) OccupyPasswordSlots() (release func()) {
	n := cap(h.hashes.slots)
	for range n {
		h.hashes.slots <- struct{}{}
	}
	return func() {
		for range n {
			<-h.hashes.slots
		}
	}
}

// DefectPageSize is how many defects a page of /defects shows.
const DefectPageSize = defectPageSize

// UserPageSize and TokenPageSize are how many people and tokens a page of
// the administration shows.
const (
	UserPageSize  = userPageSize
	TokenPageSize = tokenPageSize
)

// NotesPageSize and NotesPageText bound a page of a product's notes: so
// many notes, and so many characters of their text.
const (
	NotesPageSize = notesPageSize
	NotesPageText = notesPageText
)

// FreezePageSize is how many freezes a page of /freezes shows.
const FreezePageSize = freezePageSize

// OccupyRequestSlots takes every slot for working on a request, as a
// crowd of slow pages would, until release is called.
func (h *Handler) OccupyRequestSlots() (release func()) {
	n := cap(h.admission.slots)
	for range n {
		h.admission.slots <- struct{}{}
	}
	return func() {
		for range n {
			<-h.admission.slots
		}
	}
}

// RequestsWaiting is how many requests wait for a slot.
func (h *Handler) RequestsWaiting() int64 { return h.admission.waiting.Load() }
