package api

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// TestOpenAPIDocumentsEveryRoute keeps openapi.json and routes() in step: every route the
// handler registers is documented, and nothing else is.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	t.Parallel()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc))
	require.True(t, strings.HasPrefix(doc.OpenAPI, "3."), doc.OpenAPI)

	var documented []string
	for p, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+p)
		}
	}
	var registered []string
	h := &handler{}
	for _, rt := range h.routes() {
		registered = append(registered, rt.method+" "+rt.path)
	}
	sort.Strings(documented)
	sort.Strings(registered)
	require.Equal(t, registered, documented)
}

// TestOpenAPIReferencesResolve finds every $ref in the document and checks it names a
// component that exists.
func TestOpenAPIReferencesResolve(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc))
	var refs []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, y := range x {
				if s, ok := y.(string); ok && k == "$ref" {
					refs = append(refs, s)
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(doc)
	require.NotEmpty(t, refs)
	for _, ref := range refs {
		var at any = doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, ok := at.(map[string]any)
			require.True(t, ok, "%s", ref)
			at, ok = m[part]
			require.True(t, ok, "%s does not resolve", ref)
		}
	}
}

func TestOpenAPIIsServedWithoutAToken(t *testing.T) {
	t.Parallel()
	e := setup(t)
	res, err := e.srv.Client().Get(e.srv.URL + "/api/v1/openapi.json")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "application/json", res.Header.Get("Content-Type"))
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, openAPIDoc, body)
}

func TestNewHandlerRequiresItsDependencies(t *testing.T) {
	t.Parallel()
	_, err := NewHandler(Deps{Clock: care.SystemClock{}, Log: zerolog.Nop()})
	var wiring *care.WiringError
	require.ErrorAs(t, err, &wiring)
	require.Equal(t, "api handler", wiring.Part)
}
