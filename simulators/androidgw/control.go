package androidgw

import (
	"encoding/json"
	"net/http"
)

// Control is a small HTTP API for demos and manual testing: GET /sent lists the SMS the phone
// sent (JSON), POST /receive with form fields from and content queues an SMS as if a person
// texted the phone, and answers its id.
func (g *Gateway) Control() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sent", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(g.Sent())
	})
	mux.HandleFunc("POST /receive", func(w http.ResponseWriter, r *http.Request) {
		from, content := r.FormValue("from"), r.FormValue("content")
		if from == "" {
			http.Error(w, "from is required", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(map[string]string{"id": g.Receive(from, content)})
	})
	return mux
}
