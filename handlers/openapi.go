package handlers

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// openAPI describes the pipeline API. It is written by hand; tests hold it
// against the router (every route described, every description a route)
// and against the live server (api_fuzz_test.go), and `redocly lint` passes.
//
//go:embed openapi.json
var openAPI []byte

// openAPIFor is the document as this board serves it: its servers name
// the board's base URL, so that a client generated from it calls this
// board. Without a base URL it keeps "/", this host.
func openAPIFor(baseURL string) []byte {
	baseURL = strings.TrimSuffix(baseURL, "/")
	if baseURL == "" {
		return openAPI
	}
	servers, _ := json.Marshal([]map[string]string{{"url": baseURL, "description": "This board"}})
	out, err := replaceTopLevel(openAPI, "servers", servers)
	if err != nil {
		panic("openapi.json: " + err.Error()) // embedded, and tested
	}
	return out
}

// replaceTopLevel writes the JSON object doc with the value of key
// replaced, keeping its keys in order and every other value as written.
func replaceTopLevel(doc []byte, key string, value json.RawMessage) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString("{\n")
	for first := true; dec.More(); first = false {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if k, _ := tok.(string); k == key {
			v = value
		}
		if !first {
			out.WriteString(",\n")
		}
		name, _ := json.Marshal(tok)
		out.WriteString("  ")
		out.Write(name)
		out.WriteString(": ")
		out.Write(v)
	}
	out.WriteString("\n}\n")
	return out.Bytes(), nil
}

func (h *Handler) showOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, h.openAPI)
}
