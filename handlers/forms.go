package handlers

import (
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
)

// listFields are the form fields that are lists (groups of checkboxes): a
// browser sends one value per box ticked.
var listFields = map[string]bool{"roles": true, "grants": true, "topics": true, "product_keys": true, "people": true}

// requireForm refuses a change from a browser whose body is not a form as
// a browser sends it: another content type, a body that does not parse, or
// a field given twice that is not a list. Handlers read one value per field,
// so status=done&status=failed would otherwise be decided by whichever came
// first. No page sends such a request; a script gets a plain 4xx rather than
// half of what it meant. What passes has its line ends made LF (toLF).
func requireForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if isSafeMethod(r.Method) || skipCSRF(c) {
			return next(c)
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
		if err != nil || (mt != echo.MIMEApplicationForm && mt != echo.MIMEMultipartForm) {
			return echo.NewHTTPError(http.StatusUnsupportedMediaType, "Send the form as a web form (application/x-www-form-urlencoded or multipart/form-data)")
		}
		if _, err := c.FormParams(); err != nil {
			var he *echo.HTTPError
			if errors.As(err, &he) {
				return he // the body limit
			}
			return echo.NewHTTPError(http.StatusBadRequest, "The form could not be read")
		}
		for name, values := range r.PostForm {
			if len(values) > 1 && !listFields[name] {
				return echo.NewHTTPError(http.StatusBadRequest, fmt.Sprintf("The form sends %q more than once", name))
			}
		}
		valuesToLF(r.Form)
		valuesToLF(r.PostForm)
		if r.MultipartForm != nil {
			valuesToLF(r.MultipartForm.Value)
		}
		return next(c)
	}
}

// lineBreaks turns CRLF and a lone CR into LF. Browsers send a textarea's
// lines joined by CRLF, and a script may send a bare CR, which ends a line
// for some readers (a live stream's, a Markdown renderer's) and not for
// others; stored text ends its lines with LF alone, whatever sent it.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

func toLF(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return lineBreaks.Replace(s)
}

// valuesToLF mends every value of a parsed form in place, so that what any
// handler reads from it (c.FormValue, r.PostForm) has LF line ends.
func valuesToLF(form map[string][]string) {
	for _, values := range form {
		for i, v := range values {
			values[i] = toLF(v)
		}
	}
}

// formFlag reads a yes-or-no field as the page sends it (a checkbox or a
// hidden field): "1" for yes, "0" or nothing for no. Anything else is a
// mistake, not a no; no page can send it, so it has no place beside a field.
func formFlag(c echo.Context, name string) (bool, error) {
	switch c.FormValue(name) {
	case "1":
		return true, nil
	case "", "0":
		return false, nil
	}
	return false, gonogo.Errorf(gonogo.EINVALID, "%s must be 1 or 0", name)
}

// formErrors is what a refused form shows, the one way every form handler
// reads it: for an EINVALID error, the message for each field it names, or
// its message for the whole form under "" when it names none; the problems
// the handler found while parsing the form (parsed) join them. It is nil
// when there is nothing to show, and for any other error, which is not the
// form's to show. The handler renders the page or fragment of the form
// again with it, with 422; views.Form does the rest: the summary, the
// messages beside their fields, the focus on the first.
func formErrors(err error, parsed ...gonogo.Problems) map[string]string {
	out := map[string]string{}
	if gonogo.ErrorCode(err) == gonogo.EINVALID {
		maps.Copy(out, gonogo.ErrorFields(err))
		if len(out) == 0 {
			out[""] = gonogo.ErrorMessage(err)
		}
	}
	for _, p := range parsed {
		maps.Copy(out, p)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
