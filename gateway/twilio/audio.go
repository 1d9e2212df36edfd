package twilio

import (
	"fmt"
	"io"
	"net/http"
	"path"
)

// AudioPath is where the gateway serves recorded prompts: AudioPath + "<lang>/<id>.mp3".
const AudioPath = "/twilio/voice/audio/"

// audioCache lets Twilio (which caches <Play> media by URL) and any proxy keep a recording for
// a day; then it revalidates (ETag, Last-Modified), so a new recording is heard within a day.
const audioCache = "public, max-age=86400"

// audioTypes are the Content-Types Twilio's <Play> takes for each recording extension.
var audioTypes = map[string]string{".mp3": "audio/mpeg", ".wav": "audio/wav"}

// Audio serves GET AudioPath{lang}/{file}: a recorded prompt, with an ETag, Last-Modified,
// range and conditional requests (http.ServeContent). Only a file that is the recording of a prompt is
// served; any other name, a folder, or a path that climbs out is 404. It needs no signature:
// Twilio fetches <Play> media as a plain GET, and a prompt is no secret.
func (h *Handlers) Audio(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("lang") + "/" + r.PathValue("file")
	f, err := h.audio.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	rs, seekable := f.(io.ReadSeeker)
	if err != nil || st.IsDir() || !seekable {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", audioCache)
	w.Header().Set("Content-Type", audioTypes[path.Ext(name)])
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Etag", fmt.Sprintf(`"%x-%x"`, st.Size(), st.ModTime().UnixNano()))
	http.ServeContent(w, r, name, st.ModTime(), rs)
}
