package handlers

import (
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
	"github.com/gonogo/gonogo/views"
)

// Page sizes of the administration's lists, which grow with the years
// (people who left, tokens revoked): each page stays well under 300 KB.
const (
	userPageSize  = 200
	tokenPageSize = 100
)

// offsetParam reads ?from=, the position a "next page" link of an
// administration list starts at. These lists are short and ordered by
// several columns, so an offset serves them where the release page's
// long lists use a cursor.
func offsetParam(c echo.Context) (int, error) {
	s := c.QueryParam("from")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, gonogo.Errorf(gonogo.EINVALID, "?from= takes the position a “next page” link gives; %q is not one", s)
	}
	return n, nil
}

// offsetPage trims rows read with one more than a page to the page, and
// links base to the next page and back to the first.
func offsetPage[T any](rows []T, base string, from, size int) ([]T, views.ListNav) {
	var nav views.ListNav
	if len(rows) > size {
		rows = rows[:size]
		nav.Older = base + "?from=" + strconv.Itoa(from+size)
	}
	if from > 0 {
		nav.Newest = base
	}
	return rows, nav
}
