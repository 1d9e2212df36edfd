package flows

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/caseline/caseline/care"
)

// The prompt texts are data, not code, so that a translator or a social worker can change a
// word without a rebuild: the shipped files are embedded, and PROMPTS_DIR (a folder holding
// files of the same names) replaces them at start-up.
//
//go:embed prompts/vi.yaml prompts/en.yaml
var shippedFS embed.FS

// PromptLanguages are the languages every prompt has a text in, in file order.
var PromptLanguages = []care.Language{care.Vietnamese, care.English}

// PromptFile is the name of lang's prompt file, in the shipped set and in PROMPTS_DIR.
func PromptFile(lang care.Language) string { return string(lang) + ".yaml" }

// Prompts is one set of prompt texts per language, as read from its files.
type Prompts struct {
	text  map[care.Language]map[string]string
	line  map[care.Language]map[string]int // where each id is in its file, for error messages
	order []string                         // ids in file order: Vietnamese first, then any only in another
}

// LoadPrompts reads every language's file from fsys. It fails on a file that is missing or is
// not a flat mapping of prompt id to text (a duplicate id included); whether the texts are
// fit to send is CheckPrompts' job.
func LoadPrompts(fsys fs.FS) (*Prompts, error) {
	p := &Prompts{text: map[care.Language]map[string]string{}, line: map[care.Language]map[string]int{}}
	seen := map[string]bool{}
	for _, lang := range PromptLanguages {
		name := PromptFile(lang)
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load prompts: %w", err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("load prompts: %s: %w", name, err)
		}
		if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
			return nil, fmt.Errorf("load prompts: %s: %w", name, errNotMapping)
		}
		m := doc.Content[0]
		p.text[lang], p.line[lang] = map[string]string{}, map[string]int{}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("load prompts: %s line %d: %w", name, k.Line, errNotMapping)
			}
			if _, dup := p.text[lang][k.Value]; dup {
				return nil, fmt.Errorf("load prompts: %s line %d: %s is there twice", name, k.Line, k.Value)
			}
			p.text[lang][k.Value], p.line[lang][k.Value] = NFC(v.Value), k.Line
			if !seen[k.Value] {
				seen[k.Value] = true
				p.order = append(p.order, k.Value)
			}
		}
	}
	return p, nil
}

var errNotMapping = errors.New(`not a list of "id: text" lines`)

// ShippedPrompts returns the prompts built into the binary. A test loads them, so a broken
// file fails the build's tests rather than a start-up.
var ShippedPrompts = sync.OnceValue(func() *Prompts {
	sub, err := fs.Sub(shippedFS, "prompts")
	if err == nil {
		var p *Prompts
		if p, err = LoadPrompts(sub); err == nil {
			return p
		}
	}
	panic(err)
})

// catalog is p as the engine looks texts up.
func (p *Prompts) catalog() catalog {
	c := catalog{}
	for _, id := range p.order {
		c[id] = [2]string{p.text[care.Vietnamese][id], p.text[care.English][id]}
	}
	return c
}
