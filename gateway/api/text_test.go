package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// openAPI is the document as generic JSON, with $ref resolution.
type openAPI map[string]any

func loadOpenAPI(t *testing.T) openAPI {
	var doc map[string]any
	require.NoError(t, json.Unmarshal(openAPIDoc, &doc))
	return doc
}

// resolve follows a {"$ref": "#/components/…"} to what it names.
func (d openAPI) resolve(v any) map[string]any {
	m, _ := v.(map[string]any)
	for m != nil && m["$ref"] != nil {
		var cur any = map[string]any(d)
		for _, part := range strings.Split(strings.TrimPrefix(m["$ref"].(string), "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		m = cur.(map[string]any)
	}
	return m
}

// operation returns the document's operation of a route.
func (d openAPI) operation(method, path string) map[string]any {
	return d.resolve(d["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)])
}

// sample builds a value of schema, and lists the path of every string in it.
func (d openAPI) sample(schema any, path string, strs *[]string) any {
	s := d.resolve(schema)
	typ := s["type"]
	if l, ok := typ.([]any); ok {
		typ = l[0]
	}
	switch typ {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			sub := name
			if path != "" {
				sub = path + "." + name
			}
			out[name] = d.sample(p, sub, strs)
		}
		return out
	case "array":
		return []any{d.sample(s["items"], path+"[0]", strs)}
	case "string":
		*strs = append(*strs, path)
		return "x"
	case "integer", "number":
		return 1
	case "boolean":
		return true
	}
	panic("schema type " + strconv.Quote(path))
}

// set replaces the value at path (as sample lists it) in v with x.
func set(v any, path string, x any) any {
	if path == "" {
		return x
	}
	head, rest, _ := strings.Cut(path, ".")
	if name, idx, ok := strings.Cut(head, "["); ok {
		m := v.(map[string]any)
		i, _ := strconv.Atoi(strings.TrimSuffix(idx, "]"))
		arr := m[name].([]any)
		arr[i] = set(arr[i], rest, x)
		return m
	}
	m := v.(map[string]any)
	m[head] = set(m[head], rest, x)
	return m
}

// badTexts are the texts PostgreSQL cannot store, as they are written in a JSON body: a NUL
// character (escaped, as JSON must write it) and a byte that is not UTF-8 (raw).
var badTexts = map[string]string{"NUL": `"a\u0000b"`, "invalid UTF-8": "\"a\xffb\""}

// TestEveryWriteRefusesTextPostgreSQLCannotStore sends, to every write route of the route
// table, a body built from its OpenAPI schema with a NUL character and then invalid UTF-8
// in each of its text fields in turn (a write without a body gets one with a field "note"),
// and to every route each documented query parameter with them: each time 400, the field
// named. Routes come from routes() and schemas from the document, which a test keeps in
// step, so a new route or field is tried without being listed here.
func TestEveryWriteRefusesTextPostgreSQLCannotStore(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	doc := loadOpenAPI(t)
	ids := strings.NewReplacer("{id}", strconv.FormatInt(int64(w.kase.ID), 10), "{service}", "1")
	tried := 0
	for _, rt := range (&handler{}).routes() {
		op := doc.operation(rt.method, rt.path)
		require.NotNil(t, op, "%s %s is not documented", rt.method, rt.path)
		path := ids.Replace(rt.path)
		if rt.method != http.MethodGet {
			var fields []string
			var body any = map[string]any{"note": "x"}
			if rb := doc.resolve(op["requestBody"]); rb != nil {
				body = doc.sample(rb["content"].(map[string]any)["application/json"].(map[string]any)["schema"], "", &fields)
			} else {
				fields = []string{"note"}
			}
			good, err := json.Marshal(body)
			require.NoError(t, err)
			for _, field := range fields {
				for what, bad := range badTexts {
					var fresh any
					require.NoError(t, json.Unmarshal(good, &fresh))
					b, err := json.Marshal(set(fresh, field, "@BAD@"))
					require.NoError(t, err)
					b = bytes.Replace(b, []byte(`"@BAD@"`), []byte(bad), 1)
					got := e.fails(http.StatusBadRequest, care.EINVALID, w.token, rt.method, path, b)
					require.Contains(t, got, field, "%s %s with %s in %s: %v", rt.method, rt.path, what, field, got)
					tried++
				}
			}
		}
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			p := doc.resolve(p)
			if p["in"] != "query" {
				continue
			}
			name := p["name"].(string)
			for what, bad := range map[string]string{"NUL": "a%00b", "invalid UTF-8": "a%FFb"} {
				got := e.fails(http.StatusBadRequest, care.EINVALID, w.token, rt.method, path+"?"+url.QueryEscape(name)+"="+bad, nil)
				require.Contains(t, got, name, "%s %s with %s in ?%s: %v", rt.method, rt.path, what, name, got)
				tried++
			}
		}
	}
	require.Greater(t, tried, 50, "the document's fields were found")
}

// TestTextRefusalNamesEveryBadField names nested fields by their path, all of them at once.
func TestTextRefusalNamesEveryBadField(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	body := "{\"goals\": [\"ok\", \"b\\u0000d\"], \"services\": [{\"area\": \"health\", \"description\": \"\xff\", \"provider\": \"ok\"}]}"
	got := e.fails(http.StatusBadRequest, care.EINVALID, w.token, http.MethodPost, "/api/v1/cases/"+strconv.FormatInt(int64(w.kase.ID), 10)+"/plans", body)
	names := make([]string, 0, len(got))
	for k := range got {
		names = append(names, k)
	}
	sort.Strings(names)
	require.Equal(t, []string{"goals[1]", "services[0].description"}, names)
}
