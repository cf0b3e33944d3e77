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

// decodeJSON reads the request body, one JSON object, into v, a struct
// whose fields are strings. The API takes values exactly as its OpenAPI
// document describes them, and refuses the rest rather than guess: a body
// not sent as JSON, a field it does not know (a typo such as "stauts", or
// "Status", which encoding/json would match to "status"), a field given
// twice, of which encoding/json would keep the last, a null, which it would
// read as nothing, and text that is not UTF-8 or escapes half a UTF-16
// pair, which it would mend.
func decodeJSON(c echo.Context, v any) error {
	raw, err := io.ReadAll(c.Request().Body)
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return he // the body limit
	case err != nil:
		return echo.NewHTTPError(http.StatusBadRequest, "the request body could not be read")
	}
	if err := jsonContentType(c.Request().Header.Get(echo.HeaderContentType), len(raw)); err != nil {
		return err
	}
	if !utf8.Valid(raw) {
		return echo.NewHTTPError(http.StatusBadRequest, "the request body is not valid UTF-8")
	}
	if err := decodeObject(raw, v); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	stringsToLF(reflect.ValueOf(v))
	return nil
}

// jsonContentType refuses a body that does not say it is JSON. curl
// --data without a header says it is a form; a client that sends no type
// at all has not said what it sends either. A request without any body is
// told to send one. A charset is ignored, as RFC 8259 has it: JSON is
// UTF-8, and a body that is not is refused as such.
func jsonContentType(ct string, size int) error {
	if ct == "" && size == 0 {
		return echo.NewHTTPError(http.StatusBadRequest, "send a JSON object in the request body")
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != echo.MIMEApplicationJSON {
		return echo.NewHTTPError(http.StatusUnsupportedMediaType, "send the request body as JSON, with the header Content-Type: application/json")
	}
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

// decodeObject decodes one JSON object with distinct, known, non-null
// fields into v. Its messages speak of the body, never of Go's types.
func decodeObject(raw []byte, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return errors.New("send a JSON object in the request body")
	}
	if err := checkKeys(raw, jsonFields(v)); err != nil {
		return err
	}
	var te *json.UnmarshalTypeError
	switch err := json.Unmarshal(raw, v); {
	case errors.As(err, &te):
		return fmt.Errorf("%s must be %s, not %s", te.Field, jsonKind(te.Type.Kind()), withArticle(te.Value))
	case err != nil:
		return errors.New("the request body is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: "))
	case loneSurrogate(raw):
		return errors.New(`the request body escapes half of a UTF-16 surrogate pair (\ud800 to \udfff) without its other half`)
	}
	return nil
}

// checkKeys reads the body's outline: one object, whose keys are among
// fields, exactly, each once, none of them null.
func checkKeys(raw []byte, fields []string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return notJSON(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("the body must be a JSON object")
	}
	var seen []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return notJSON(err)
		}
		name, _ := tok.(string)
		if !slices.Contains(fields, name) {
			return unknownField(name, fields)
		}
		if slices.Contains(seen, name) {
			return fmt.Errorf("the request body gives %q more than once", name)
		}
		seen = append(seen, name)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return notJSON(err)
		}
		if string(val) == "null" {
			return fmt.Errorf("%s must not be null: leave it out to send none", name)
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return notJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("the request body must hold a single JSON object")
	}
	return nil
}

func notJSON(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the request body is not valid JSON: it ends too soon")
	}
	return errors.New("the request body is not valid JSON: " + strings.TrimPrefix(err.Error(), "json: "))
}

// unknownField names the field the body should not have, and the one it
// may have meant: encoding/json would have taken "Status" for "status".
func unknownField(name string, fields []string) error {
	for _, f := range fields {
		if strings.EqualFold(f, name) {
			return fmt.Errorf("the request body has a field %q, which is not one of its fields: names are exact, so send %q", name, f)
		}
	}
	return fmt.Errorf("the request body has a field %q, which is not one of its fields: %s", name, strings.Join(fields, ", "))
}

// jsonFields lists the JSON names of the fields of the struct v points to.
func jsonFields(v any) []string {
	t := reflect.TypeOf(v).Elem()
	var out []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// jsonKind names a Go kind as JSON does.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	default:
		return "a number"
	}
}

// withArticle names a JSON value as encoding/json describes it ("array",
// "number 5", "bool") for people: "an array", "a number", "true or false".
func withArticle(value string) string {
	switch kind, _, _ := strings.Cut(value, " "); kind {
	case "array", "object":
		return "an " + kind
	case "bool":
		return "true or false"
	default:
		return "a " + kind
	}
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

// sent is a value as the client sent it, and as the domain would take it.
type sent struct{ field, got, taken string }

// asSent refuses the values the domain would have to mend to take: white
// space around them, or upper case in what is lower case. Pages forgive
// these, since people type them; the API takes values exactly as its
// document describes them, so a client learns of its mistake at once
// instead of finding a value it did not send.
func asSent(values ...sent) error {
	p := gonogo.Problems{}
	for _, v := range values {
		switch {
		case v.got == v.taken:
		case strings.TrimSpace(v.got) != v.got:
			p.Add(v.field, "%s must not start or end with white space", v.field)
		default:
			p.Add(v.field, "%s must be %q", v.field, v.taken)
		}
	}
	return p.Err()
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
	Kind     gonogo.Kind          `json:"kind"`
	State    gonogo.State         `json:"state"`
	Cycle    int                  `json:"cycle"`
	Decision gonogo.DecisionState `json:"decision"`
	URL      string               `json:"url"`
}

func (h *Handler) apiReleaseOf(r gonogo.Release, d gonogo.DecisionState) apiRelease {
	return apiRelease{ID: r.ID, Product: r.Product, Version: r.Version, Title: r.Title, Kind: kindOf(r), State: r.State, Cycle: r.Cycle,
		Decision: d, URL: h.releaseURL(r.ID)}
}

// findAPIRelease returns the release named by the path's product and
// version, if the token may see it. The product is checked first, so a
// limited token learns nothing of another product's releases.
func (h *Handler) findAPIRelease(c echo.Context) (gonogo.Release, error) {
	product := c.Param("product")
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

// kindOf is the release's kind as the API names it: standard unless set.
func kindOf(r gonogo.Release) gonogo.Kind {
	if r.Kind == "" {
		return gonogo.KindStandard
	}
	return r.Kind
}
