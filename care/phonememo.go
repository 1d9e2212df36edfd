package care

import "sync"

// phoneMemoSize bounds the numbers a PhoneMemo remembers; when full it starts afresh.
const phoneMemoSize = 1 << 16

// PhoneMemo remembers what ParsePhone made of the numbers seen lately. Parsing and
// validating with libphonenumber is regexp work (about 25 µs, a tenth of a turn's CPU in the
// gateway), and a conversation brings the same number turn after turn. Only valid numbers
// are kept, so input that fails costs the same as before and cannot fill it with junk.
// It is safe for concurrent use.
type PhoneMemo struct {
	mu sync.Mutex
	m  map[string]Phone
}

// NewPhoneMemo returns an empty memo.
func NewPhoneMemo() *PhoneMemo { return &PhoneMemo{m: make(map[string]Phone)} }

// Parse is ParsePhone, remembered.
func (p *PhoneMemo) Parse(s string) (Phone, error) {
	p.mu.Lock()
	ph, ok := p.m[s]
	p.mu.Unlock()
	if ok {
		return ph, nil
	}
	ph, err := ParsePhone(s)
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
