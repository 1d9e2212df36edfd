package flows

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/caseline/caseline/care"
)

// PromptAudio is the recordings of prompts a call plays instead of saying them
// (PROMPT_AUDIO_DIR): <lang>/<prompt-id>.mp3 or .wav. A prompt with placeholders (a
// reference number, a date) cannot be recorded: its words change with each person, so a call
// always says it, and a file for it is refused like any file that names no prompt.
type PromptAudio struct {
	fsys  fs.FS
	files map[care.Language]map[string]string // prompt id → file, relative to fsys
	text  map[care.Language]map[string]string // recorded prompt id → its text, to find it in a prompt
}

// AudioExtensions are the recordings a call can play, as Twilio's <Play> takes them.
var AudioExtensions = []string{".mp3", ".wav"}

// ScanPromptAudio lists the recordings in fsys for prompts p. Every file must be a recording
// of a recordable prompt of p, in a language folder: anything else is a problem, since a
// misnamed file would never be played and nobody would know. Dot files are ignored.
func ScanPromptAudio(fsys fs.FS, p *Prompts) (*PromptAudio, []PromptProblem, error) {
	a := &PromptAudio{fsys: fsys, files: map[care.Language]map[string]string{}, text: map[care.Language]map[string]string{}}
	var out []PromptProblem
	langs := map[string]care.Language{}
	for _, l := range PromptLanguages {
		langs[string(l)] = l
		a.files[l], a.text[l] = map[string]string{}, map[string]string{}
	}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		dir, file := path.Split(name)
		dir = strings.TrimSuffix(dir, "/")
		problem := func(rule string) {
			out = append(out, PromptProblem{Prompts: []string{name}, Where: "audio", Rule: rule})
		}
		if d.IsDir() {
			if _, ok := langs[name]; !ok {
				problem(fmt.Sprintf("not a language folder (%s)", strings.Join(languageNames(), ", ")))
				return fs.SkipDir
			}
			return nil
		}
		lang, ok := langs[dir]
		if !ok {
			problem("a recording must be in a language folder: <lang>/<prompt-id>.mp3")
			return nil
		}
		ext := path.Ext(file)
		id := strings.TrimSuffix(file, ext)
		switch {
		case ext != ".mp3" && ext != ".wav":
			problem("not an .mp3 or .wav recording")
		case p.text[lang][id] == "":
			problem("matches no prompt id (see `caseline prompts list`)")
		case !p.Recordable(id):
			problem("the prompt has placeholders filled in for each person: a call always says it")
		case a.files[lang][id] != "":
			problem("a second recording of " + id + " (" + a.files[lang][id] + "): keep one")
		default:
			a.files[lang][id], a.text[lang][id] = name, p.text[lang][id]
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("scan prompt audio: %w", err)
	}
	return a, out, nil
}

func languageNames() []string {
	var out []string
	for _, l := range PromptLanguages {
		out = append(out, string(l))
	}
	return out
}

// File is the recording of prompt id in lang, relative to the audio folder ("vi/bye.mp3").
func (a *PromptAudio) File(lang care.Language, id string) (string, bool) {
	if a == nil {
		return "", false
	}
	f, ok := a.files[lang][id]
	return f, ok
}

// Open opens a recording by its name as File gives it; any other name is fs.ErrNotExist, so
// nothing but a prompt's recording is ever served from the folder.
func (a *PromptAudio) Open(name string) (fs.File, error) {
	if a != nil {
		lang, file, _ := strings.Cut(name, "/")
		id := strings.TrimSuffix(file, path.Ext(file))
		if f, ok := a.files[care.Language(lang)][id]; ok && f == name {
			return a.fsys.Open(name)
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// AudioPiece is part of what a call says: a recording to play (File set) or text to say.
type AudioPiece struct {
	Text string
	File string
}

// Split cuts text, said in lang, into the recordings it contains and the words around them,
// in order. A recording stands for its prompt's whole text where that text starts the text or
// a sentence of it (after ". ", ": ", "? " or "! ") and ends the text or a sentence: prompts
// are joined whole, so a short one ("Có") is not found inside another's sentence.
func (a *PromptAudio) Split(lang care.Language, text string) []AudioPiece {
	if a == nil || len(a.files[lang]) == 0 {
		return []AudioPiece{{Text: text}}
	}
	var out []AudioPiece
	said := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, AudioPiece{Text: s})
		}
	}
	from := 0
	for pos := 0; pos < len(text); pos++ {
		if pos > 0 && !(text[pos-1] == ' ' && pos >= 2 && strings.ContainsRune(".:?!", rune(text[pos-2]))) {
			continue
		}
		id, n := a.longestAt(lang, text[pos:])
		if n == 0 {
			continue
		}
		said(text[from:pos])
		out = append(out, AudioPiece{Text: text[pos : pos+n], File: a.files[lang][id]})
		from = pos + n
		pos += n - 1
	}
	said(text[from:])
	return out
}

// longestAt finds the longest recorded prompt text that text begins with and that ends text
// or ends a sentence of it (a recorded "Có" is not the start of "Có thể").
func (a *PromptAudio) longestAt(lang care.Language, text string) (string, int) {
	best, n := "", 0
	for id, t := range a.text[lang] {
		longer := len(t) > n || (len(t) == n && id < best) // the same words under two ids: either, always the same
		ends := len(text) == len(t) || (text[min(len(t), len(text)-1)] == ' ' && strings.ContainsAny(t[len(t)-1:], ".:?!"))
		if longer && strings.HasPrefix(text, t) && ends {
			best, n = id, len(t)
		}
	}
	return best, n
}

// Label is the recording of an option's label: a prompt whose whole text it is.
func (a *PromptAudio) Label(lang care.Language, label string) (string, bool) {
	if a == nil {
		return "", false
	}
	id, n := a.longestAt(lang, label)
	if n == 0 || n != len(label) {
		return "", false
	}
	return a.files[lang][id], true
}
