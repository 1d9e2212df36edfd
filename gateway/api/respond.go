package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/gateway"
)

// fieldErrors collects field-level problems of one request body; err is nil when there are none.
type fieldErrors map[string]string

func (f fieldErrors) add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// addErr records a care field error under its field (or under field when it names none).
func (f fieldErrors) addErr(field string, err error) {
	if name := care.ErrorField(err); name != "" {
		field = name
	}
	f.add(field, care.ErrorMessage(err))
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return gateway.Invalid(f)
}

// forbidden is 403: the staff member may not do this.
func forbidden(msg string) error { return care.Errorf(care.EUNAUTHORIZED, "%s", msg) }

// writeJSON writes v as the JSON response with status.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	gateway.JSON(w, r, status, v)
}

// decode reads one JSON object from the request body into v (the route limits its size:
// 413 beyond): no unknown fields, nothing after the object. Problems are 400 with the field
// at fault where there is one.
// w goes unused (the route limits the body) but every handler passes it.
func decode(_ http.ResponseWriter, r *http.Request, v any) error {
	return decodeBody(r, v, false)
}

// decodeOptional is decode for a body that may be left out: an empty body leaves v as it is.
func decodeOptional(_ http.ResponseWriter, r *http.Request, v any) error {
	return decodeBody(r, v, true)
}

func decodeBody(r *http.Request, v any, optional bool) error {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if optional && errors.Is(err, io.EOF) {
		return nil
	}
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("one JSON object expected")
		}
	}
	if err == nil {
		return nil
	}
	var big *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &big):
		return err
	case errors.As(err, &typ) && typ.Field != "":
		return fieldErrors{typ.Field: "must be " + jsonType(typ.Type.Kind().String())}.err()
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fieldErrors{name: "unknown field"}.err()
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return care.Errorf(care.EINVALID, "the request body is not valid JSON")
	}
	return care.Errorf(care.EINVALID, "invalid request body: %s", err.Error())
}

// jsonType names a Go kind as JSON calls it, for messages.
func jsonType(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"), strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "an array"
	case kind == "struct", kind == "map", kind == "ptr":
		return "an object"
	}
	return "of another type"
}
