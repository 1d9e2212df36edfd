package twilio

import (
	"sync"

	"github.com/caseline/caseline/care"
)

// phoneMemoSize bounds the numbers a phoneMemo remembers; when full it starts afresh.
const phoneMemoSize = 1 << 16

// phoneMemo remembers what care.ParsePhone made of the numbers seen lately. Parsing and
// validating with libphonenumber is regexp work (about 25 µs, a tenth of a turn's CPU in the
// gateway), and a conversation brings the same number turn after turn. Only valid numbers
// are kept, so input that fails costs the same as before and cannot fill it with junk.
type phoneMemo struct {
	mu sync.Mutex
	m  map[string]care.Phone
}

func newPhoneMemo() *phoneMemo { return &phoneMemo{m: make(map[string]care.Phone)} }

// parse is care.ParsePhone, remembered.
func (p *phoneMemo) parse(s string) (care.Phone, error) {
	p.mu.Lock()
	ph, ok := p.m[s]
	p.mu.Unlock()
	if ok {
		return ph, nil
	}
	ph, err := care.ParsePhone(s)
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	if len(p.m) >= phoneMemoSize {
		clear(p.m)
	}
	p.m[s] = ph
	p.mu.Unlock()
	return ph, nil
}
