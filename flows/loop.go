package flows

import (
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// varLoop keeps, in the SMS session, the recent inbound texts of the number as hashes with
// their times: loop protection counts identical messages from it without reading the message
// log. The SMS session is keyed by the phone, so it sees every SMS of the number, and the turn
// has it locked and rewrites it anyway: counting costs no query.
const varLoop = "_loop"

// loopWindow is how far back identical messages count; loopKeep bounds how many of the
// hour's texts a session remembers (about 0.5 KB at most): a loop is caught while, within the
// hour, no more than loopKeep-LoopLimit-1 other texts come between the repeats — say one that
// cycles through six texts. A number sending more than 30 SMS an hour, most of them
// different, may escape it, which is the price of not reading the message log on every turn.
const (
	loopWindow = time.Hour
	loopKeep   = 6 * LoopLimit
)

// loopEntry is one remembered inbound text.
type loopEntry struct {
	hash uint32
	at   int64 // unix seconds
}

// loopHistory is the remembered texts, oldest first, all within loopWindow of the turn.
type loopHistory []loopEntry

// loopHash is the text's identity: the same text after the engine's trimming gives the same hash.
func loopHash(text string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(text))
	return h.Sum32()
}

// parseLoop reads varLoop ("hash@unix,hash@unix", hashes in hex), dropping entries older than
// the window and anything it cannot read: a damaged value only forgets history.
func parseLoop(v string, now time.Time) loopHistory {
	if v == "" {
		return nil
	}
	since := now.Add(-loopWindow).Unix()
	var h loopHistory
	for _, item := range strings.Split(v, ",") {
		hs, ts, ok := strings.Cut(item, "@")
		if !ok {
			continue
		}
		hash, err1 := strconv.ParseUint(hs, 16, 32)
		at, err2 := strconv.ParseInt(ts, 10, 64)
		if err1 != nil || err2 != nil || at < since {
			continue
		}
		h = append(h, loopEntry{hash: uint32(hash), at: at})
	}
	return h
}

// count is how many remembered texts have this hash.
func (h loopHistory) count(hash uint32) int {
	n := 0
	for _, e := range h {
		if e.hash == hash {
			n++
		}
	}
	return n
}

// with remembers one more text, forgetting the oldest beyond loopKeep, and returns varLoop's value.
func (h loopHistory) with(hash uint32, now time.Time) string {
	h = append(h, loopEntry{hash: hash, at: now.Unix()})
	if len(h) > loopKeep {
		h = h[len(h)-loopKeep:]
	}
	var b strings.Builder
	for i, e := range h {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(e.hash), 16))
		b.WriteByte('@')
		b.WriteString(strconv.FormatInt(e.at, 10))
	}
	return b.String()
}
