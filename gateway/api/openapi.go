package api

import (
	_ "embed"
	"net/http"

	"github.com/caseline/caseline/care"
)

// openAPIDoc is the OpenAPI 3 description of every route; a test keeps it and routes()
// in step.
//
//go:embed openapi.json
var openAPIDoc []byte

func (h *handler) openAPI(w http.ResponseWriter, r *http.Request, _ *care.Staff) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDoc) // a client that went away needs no answer
	return nil
}
