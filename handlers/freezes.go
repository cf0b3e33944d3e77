package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/db"
	"github.com/gonogo/gonogo/views"
)

// freezePageSize is how many freezes a page of /freezes lists: about 0.6
// KB each with its remove button, a page stays near 35 KB. A team keeps a
// weekly freeze or two and a few one-off ones a quarter, so the first page
// holds every freeze in force or to come; the list once held every freeze
// ever made.
const freezePageSize = 50

func (h *Handler) showFreezes(c echo.Context) error {
	return h.renderFreezes(c, http.StatusOK, views.FreezeForm{StartDay: "5", StartTime: "12:00", EndDay: "1", EndTime: "06:00"})
}

// renderFreezes shows the page of freezes the address asks for with the
// form f: those in force or to come, soonest first (?after= pages on), or
// with ?view=past those that ended, latest first (?before= pages back).
func (h *Handler) renderFreezes(c echo.Context, status int, f views.FreezeForm) error {
	pg, err := freezePageOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	now := h.store.Now()
	actor := h.actor(c)
	v := views.FreezesView{Past: pg.past, CanManage: gonogo.AppAbilitiesOf(actor).ManageFreezes, Form: f}
	if every, mine := gonogo.FreezeScope(actor); !every {
		v.Scope = mine
	}
	var found []gonogo.Freeze
	if pg.past {
		found, err = h.store.FindEndedFreezes(ctx, now, pg.at, freezePageSize+1)
		v.Other = "/freezes"
	} else {
		found, err = h.store.FindCurrentFreezes(ctx, now, pg.at, freezePageSize+1)
		if err == nil {
			var ended bool
			if ended, err = h.store.HasEndedFreezes(ctx, now); ended {
				v.Other = "/freezes?view=past"
			}
		}
	}
	if err != nil {
		return err
	}
	v.Freezes, v.Nav = freezesPage(found, pg)
	v.Removable = map[int64]bool{}
	for _, fr := range v.Freezes {
		v.Removable[fr.ID] = v.CanManage && gonogo.MayRemoveFreeze(actor, fr)
	}
	return render(c, status, views.FreezesPage(h.page(c, "Freezes", "calendar"), v))
}

// freezePage is which page of /freezes an address asks for.
type freezePage struct {
	past bool            // the ended freezes, latest first
	at   db.FreezeCursor // where the page starts
}

// freezePageOf reads the address of a page of /freezes.
func freezePageOf(c echo.Context) (freezePage, error) {
	q := c.QueryParams()
	var pg freezePage
	for _, name := range []string{"view", "after", "before"} {
		if vs, ok := q[name]; ok && (len(vs) != 1 || vs[0] == "") {
			return pg, gonogo.Errorf(gonogo.EINVALID, "?%s= takes one value, from a link of the freezes page", name)
		}
	}
	switch q.Get("view") {
	case "":
	case "past":
		pg.past = true
	default:
		return pg, gonogo.Errorf(gonogo.EINVALID, "?view= is past or nothing, not %q", q.Get("view"))
	}
	name := "after"
	if pg.past {
		name = "before"
	}
	if other := map[string]string{"after": "before", "before": "after"}[name]; q.Has(other) {
		return pg, gonogo.Errorf(gonogo.EINVALID, "?%s= pages the other list of freezes: use the page's own links", other)
	}
	var err error
	if s := q.Get(name); s != "" {
		if pg.at, err = parseFreezeCursor(s, !pg.past); err != nil {
			return pg, gonogo.Errorf(gonogo.EINVALID, "?%s= takes the place a link of the freezes page gives, like 2026-11-27T00:00:00Z_42; %q is not one", name, s)
		}
	}
	return pg, nil
}

// parseFreezeCursor reads a cursor as freezeCursor writes it: the start
// and the id of the freeze a page follows, or weekly and its id.
func parseFreezeCursor(s string, weeklyToo bool) (db.FreezeCursor, error) {
	at, idText, ok := strings.Cut(s, "_")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 {
		return db.FreezeCursor{}, errors.New("not a cursor")
	}
	if at == "weekly" && weeklyToo {
		return db.FreezeCursor{Weekly: true, ID: id}, nil
	}
	start, err := time.Parse(time.RFC3339Nano, at)
	return db.FreezeCursor{Start: start, ID: id}, err
}

func freezeCursor(cur db.FreezeCursor) string {
	if cur.Weekly {
		return "weekly_" + strconv.FormatInt(cur.ID, 10)
	}
	return cur.Start.UTC().Format(time.RFC3339Nano) + "_" + strconv.FormatInt(cur.ID, 10)
}

// freezesPage trims freezes read with one more than a page to the page,
// and links it to the next page of its list and back to the list's first.
func freezesPage(found []gonogo.Freeze, pg freezePage) ([]gonogo.Freeze, views.ListNav) {
	base, name := "/freezes", "?after="
	if pg.past {
		base, name = "/freezes?view=past", "&before="
	}
	var nav views.ListNav
	if len(found) > freezePageSize {
		found = found[:freezePageSize]
		nav.Older = base + name + url.QueryEscape(freezeCursor(db.CursorAfterFreeze(found[len(found)-1])))
	}
	if pg.at != (db.FreezeCursor{}) {
		nav.Newest = base
	}
	return found, nav
}

// freezeForm reads the freeze form: a one-off period in the team's zone, or
// a weekly span of days and wall-clock times.
func (h *Handler) freezeForm(c echo.Context) (views.FreezeForm, gonogo.FreezeInput, gonogo.Problems) {
	f := views.FreezeForm{
		Name: c.FormValue("name"), Reason: c.FormValue("reason"), Weekly: c.FormValue("kind") == "weekly",
		Start: c.FormValue("start"), End: c.FormValue("end"),
		StartDay: c.FormValue("start_day"), StartTime: c.FormValue("start_time"),
		EndDay: c.FormValue("end_day"), EndTime: c.FormValue("end_time"),
		Products: c.FormValue("products"),
	}
	in := gonogo.FreezeInput{Name: f.Name, Reason: f.Reason, Weekly: f.Weekly}
	p := gonogo.Problems{}
	loc := h.zone(c.Request().Context())
	if f.Weekly {
		sd, err1 := strconv.Atoi(f.StartDay)
		ed, err2 := strconv.Atoi(f.EndDay)
		sm, err3 := parseClock(f.StartTime)
		em, err4 := parseClock(f.EndTime)
		if err1 != nil || err2 != nil || err3 != nil || err4 != nil || sd < 0 || sd > 6 || ed < 0 || ed > 6 {
			p.Add("week", "give a day and a time (HH:MM) for the start and the end")
		}
		in.Week = gonogo.WeeklySpan{StartDay: time.Weekday(sd), StartMin: sm, EndDay: time.Weekday(ed), EndMin: em}
	} else {
		start, err1 := parseLocalTime(f.Start, loc)
		end, err2 := parseLocalTime(f.End, loc)
		if err1 != nil || err2 != nil {
			p.Add("once", "enter the start and end as a date and time, e.g. 2026-11-27T00:00")
		}
		in.Once = gonogo.Window{Start: start, End: end}
	}
	for _, prod := range strings.Split(f.Products, ",") {
		if prod = strings.ToLower(strings.TrimSpace(prod)); prod != "" {
			in.Products = append(in.Products, prod)
		}
	}
	return f, in, p
}

// parseClock reads "HH:MM" as minutes after midnight.
func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, gonogo.Errorf(gonogo.EINVALID, "%q is not a time like 06:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

func (h *Handler) createFreeze(c echo.Context) error {
	// The page offers two radio buttons; anything else is no choice of a person's.
	if k := c.FormValue("kind"); k != "" && k != "once" && k != "weekly" {
		return gonogo.Errorf(gonogo.EINVALID, "a freeze is once or weekly")
	}
	f, in, p := h.freezeForm(c)
	if len(p) == 0 {
		_, err := h.store.CreateFreeze(c.Request().Context(), h.actor(c), in)
		if err == nil {
			return c.Redirect(http.StatusSeeOther, "/freezes?notice=saved")
		}
		status := http.StatusUnprocessableEntity
		if gonogo.ErrorCode(err) == gonogo.EFORBIDDEN && gonogo.AppAbilitiesOf(h.actor(c)).ManageFreezes {
			// A release manager for other products: say so at the field.
			f.Errors, status = map[string]string{"products": gonogo.ErrorMessage(err)}, http.StatusForbidden
		} else if f.Errors = formErrors(err); f.Errors == nil {
			return err
		}
		return h.renderFreezes(c, status, f)
	}
	f.Errors = formErrors(in.Validate(), p)
	return h.renderFreezes(c, http.StatusUnprocessableEntity, f)
}

func (h *Handler) deleteFreeze(c echo.Context) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.store.DeleteFreeze(c.Request().Context(), h.actor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/freezes?notice=removed")
}
