package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
)

// msgBadText is the reason given for text no store keeps.
const msgBadText = "must be valid UTF-8 text without NUL characters"

// checkText refuses, before any route sees it, a request carrying text PostgreSQL cannot
// store (care.TextOK): in a query parameter, or in any string of a JSON body. Each field at
// fault is named, a nested one by its path ("services[0].provider"). It runs for every
// route, so a new route cannot miss it. The body is read here (within the limit
// gateway.NewHandler sets) and put back for the route.
func checkText(r *http.Request) error {
	bad := fieldErrors{}
	for key, vs := range r.URL.Query() {
		if !care.TextOK(key) || slices.ContainsFunc(vs, func(v string) bool { return !care.TextOK(v) }) {
			bad.add(care.CleanText(key), msgBadText)
		}
	}
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return gateway.Unreadable(err, "the request body could not be read")
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		badJSONText(body, bad)
	}
	return bad.err()
}

// badJSONText adds to bad every string of the JSON document body (keys too) that holds a NUL
// character or invalid UTF-8. encoding/json would quietly turn invalid UTF-8 into U+FFFD, so
// each run of it is first rewritten as the escape \u0000, which decodes to the NUL this looks
// for; outside a string the rewrite only makes the JSON malformed, which decode reports. A
// body that does not parse is left to decode.
func badJSONText(body []byte, bad fieldErrors) {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u0000`)) {
		return // the common case: nothing to look for
	}
	dec := json.NewDecoder(strings.NewReader(strings.ToValidUTF8(string(body), `\u0000`)))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil {
		return
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case string:
			if !care.TextOK(v) {
				bad.add(cmp.Or(path, "body"), msgBadText)
			}
		case []any:
			for i, x := range v {
				walk(path+"["+strconv.Itoa(i)+"]", x)
			}
		case map[string]any:
			for k, x := range v {
				name := care.CleanText(k)
				if path != "" {
					name = path + "." + name
				}
				if !care.TextOK(k) {
					bad.add(name, msgBadText)
				}
				walk(name, x)
			}
		}
	}
	walk("", doc)
}
