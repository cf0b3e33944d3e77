package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/gonogo/gonogo"
)

// apiPrefix is where the JSON API for pipelines lives. Everything under it
// answers JSON, errors included, and is authorized by token, never by the
// session cookie.
const apiPrefix = "/api/"

func isAPI(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, apiPrefix) }

// apiError is the one shape of every error the API answers.
type apiError struct {
	Error   string   `json:"error"`
	Reasons []string `json:"reasons"`
}

// apiErrorBody builds the error body for err: the domain's reasons, or its
// per-field problems as "field: message", so a CI log says what to fix.
func apiErrorBody(msg string, err error) apiError {
	reasons := gonogo.ErrorDetails(err)
	fields := gonogo.ErrorFields(err)
	for _, f := range slices.Sorted(maps.Keys(fields)) {
		reasons = append(reasons, f+": "+fields[f])
	}
	if reasons == nil {
		reasons = []string{}
	}
	return apiError{Error: msg, Reasons: reasons}
}

// authenticateToken finds the token the request presents and keeps it on the
// context. A missing, unknown or revoked token is refused with 401.
func (h *Handler) authenticateToken(c echo.Context) error {
	auth := strings.TrimSpace(c.Request().Header.Get(echo.HeaderAuthorization))
	if auth == "" {
		return gonogo.Errorf(gonogo.EUNAUTHORIZED, "send an API token in the header Authorization: Bearer <token>")
	}
	scheme, secret, _ := strings.Cut(auth, " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return gonogo.Errorf(gonogo.EUNAUTHORIZED, "the Authorization header must be: Bearer <token>")
	}
	ctx := c.Request().Context()
	tok, err := h.store.FindTokenBySecret(ctx, secret)
	if gonogo.ErrorCode(err) == gonogo.ENOTFOUND {
		return gonogo.Errorf(gonogo.EUNAUTHORIZED, "unknown API token")
	} else if err != nil {
		return err
	}
	if tok.Revoked() {
		return gonogo.Errorf(gonogo.EUNAUTHORIZED, "API token %q was revoked", tok.Name)
	}
	// As with sessions, one write a minute at most: a pipeline polling the
	// gate should not turn every poll into a write.
	if now := h.store.Now(); now.Sub(tok.LastUsedAt) > touchEvery && h.tokenTouches.claim(strconv.FormatInt(tok.ID, 10), now) {
		if err := h.store.TouchToken(ctx, tok.ID); err != nil {
			h.log.Warn("record token use", "token", tok.ID, "err", err)
		}
	}
	c.Set("token", tok)
	return nil
}

// apiToken is the token that authorized the request.
func apiToken(c echo.Context) gonogo.Token {
	t, _ := c.Get("token").(gonogo.Token)
	return t
}

// tokenActor is who the request's token acts as, for the audit trail.
func tokenActor(c echo.Context) gonogo.Actor { return apiToken(c).Actor(c.RealIP()) }

// decodeJSON reads the request body, one JSON object, into v. Unknown
// fields are refused, so a typo ("stauts") is an error rather than a
// silently missing value; so is a field given twice, in any case, of which
// encoding/json would quietly keep the last, and text that is not UTF-8 or
// escapes half a UTF-16 pair, which it would quietly mend.
func decodeJSON(c echo.Context, v any) error {
	// The API speaks only JSON, so a body without a type is taken as JSON;
	// one that says it is something else (curl --data without a header says
	// it is a form) is refused rather than read as what it is not.
	if ct := c.Request().Header.Get(echo.HeaderContentType); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != echo.MIMEApplicationJSON {
			return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the request body as JSON, with the header Content-Type: application/json")
		}
	}
	raw, err := io.ReadAll(c.Request().Body)
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he // the body limit
	case err != nil:
		return echo.NewHTTPError(http.StatusBadRequest, "the request body could not be read")
	case !utf8.Valid(raw):
		return echo.NewHTTPError(http.StatusBadRequest, "the request body is not valid UTF-8")
	}
	if err := decodeObject(raw, v); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	stringsToLF(reflect.ValueOf(v))
	return nil
}

// stringsToLF makes the line ends of every string in v LF, as requireForm
// does for forms: JSON spells a CR "\r", which decoding turns back into one.
func stringsToLF(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stringsToLF(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				stringsToLF(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			stringsToLF(v.Index(i))
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(toLF(v.String()))
		}
	}
}

// decodeObject decodes one JSON object with distinct, known fields.
func decodeObject(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("send a JSON object in the request body")
	case err != nil:
		return errors.New("the request body is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: "))
	case dec.More():
		return errors.New("the request body must hold a single JSON object")
	case loneSurrogate(raw):
		return errors.New(`the request body escapes half of a UTF-16 surrogate pair (\ud800 to \udfff) without its other half`)
	}
	// The object decoded, so it is well formed: walk its keys for repeats.
	// encoding/json matches a key to a field whatever its case (Unicode
	// simple folding, as strings.EqualFold), so "Product" repeats "product".
	// Every key matched a field, so there are few to compare.
	keys := json.NewDecoder(bytes.NewReader(raw))
	keys.Token() // {
	var seen []string
	for keys.More() {
		tok, _ := keys.Token()
		name, _ := tok.(string)
		for _, s := range seen {
			if strings.EqualFold(s, name) {
				return fmt.Errorf("the request body gives %q more than once", strings.ToLower(name))
			}
		}
		seen = append(seen, name)
		var skip json.RawMessage
		if err := keys.Decode(&skip); err != nil {
			return errors.New("the request body is not valid JSON")
		}
	}
	return nil
}

// loneSurrogate reports whether raw, well-formed UTF-8 JSON, escapes a
// UTF-16 surrogate without its other half (such as "\ud800"). Such an
// escape names no character, and encoding/json would put U+FFFD in its
// place. A backslash stands only in a string, so every one starts an escape.
func loneSurrogate(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++ // the escaped character: skipped, so "\\u" is not read as "\u"
		r, ok := escapedRune(raw, i)
		switch {
		case !ok || !utf16.IsSurrogate(r):
		case r >= 0xdc00: // a low half with no high one before it
			return true
		default: // a high half must be followed by a low one
			low, ok := escapedRune(raw, i+6)
			if !ok || low < 0xdc00 || low > 0xdfff || raw[i+5] != '\\' {
				return true
			}
			i += 6
		}
		if ok {
			i += 4
		}
	}
	return false
}

// escapedRune reads the \uXXXX escape whose "u" is at raw[i].
func escapedRune(raw []byte, i int) (rune, bool) {
	if i+5 > len(raw) || raw[i] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(raw[i+1:i+5]), 16, 16)
	return rune(n), err == nil
}

// releaseURL is the release's page on the board, for people reading a CI log.
func (h *Handler) releaseURL(id int64) string {
	return strings.TrimSuffix(h.cfg.BaseURL, "/") + "/releases/" + strconv.FormatInt(id, 10)
}

// apiRelease is a release as the API shows it.
type apiRelease struct {
	ID       int64                `json:"id"`
	Product  string               `json:"product"`
	Version  string               `json:"version"`
	Title    string               `json:"title"`
	State    gonogo.State         `json:"state"`
	Cycle    int                  `json:"cycle"`
	Decision gonogo.DecisionState `json:"decision"`
	URL      string               `json:"url"`
}

func (h *Handler) apiReleaseOf(r gonogo.Release, d gonogo.DecisionState) apiRelease {
	return apiRelease{ID: r.ID, Product: r.Product, Version: r.Version, Title: r.Title, State: r.State, Cycle: r.Cycle,
		Decision: d, URL: h.releaseURL(r.ID)}
}

// findAPIRelease returns the release named by the path's product and
// version, if the token may see it. The product is checked first, so a
// limited token learns nothing of another product's releases.
func (h *Handler) findAPIRelease(c echo.Context) (gonogo.Release, error) {
	product := strings.ToLower(c.Param("product"))
	if err := apiToken(c).Permits(product); err != nil {
		return gonogo.Release{}, err
	}
	return h.store.FindReleaseByName(c.Request().Context(), product, c.Param("version"))
}

// currentDecision returns the decision of the release's current cycle as
// the API names it.
func (h *Handler) currentDecision(c echo.Context, r gonogo.Release) (*gonogo.Decision, error) {
	d, ok, err := h.store.FindCycleDecision(c.Request().Context(), r.ID, r.Cycle)
	if err != nil || !ok {
		return nil, err
	}
	return &d, nil
}
