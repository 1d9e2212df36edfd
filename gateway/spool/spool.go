package spool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// Received is the reply to a message the spool took. The person's language is not known
// then, so it says it in both; SMS sends it without diacritics (one GSM-7 segment).
const Received = "Đã nhận tin nhắn của bạn, chúng tôi sẽ trả lời sớm. / We received your message and will answer soon."

// Engine runs one inbound turn; the flows engine is one.
type Engine interface {
	Handle(ctx context.Context, in flows.Input) (flows.Reply, error)
}

// Entry is one spooled item: an inbound message to replay, or an interrupted call.
type Entry struct {
	Input flows.Input `json:"input"`
	At    time.Time   `json:"at"`
	// Call marks a USSD or voice attempt: it is never replayed, only turned into a call-back
	// request when the caller had reached the help flow.
	Call bool `json:"call,omitempty"`
	// Progress is how far the caller got, as the request said it: the USSD text chain
	// ("3*2"), or the voice step and keys.
	Progress string `json:"progress,omitempty"`
}

// key deduplicates entries: the provider's id of the message or hop.
func (e Entry) key() string {
	return string(e.Input.Provider) + ":" + e.Input.ProviderID
}

// turnTimeout bounds a turn the spool can take over.
const turnTimeout = 5 * time.Second

// ErrUnsaved says a message could not be handled and could not be spooled either: the
// provider must not be told it was received.
var ErrUnsaved = errors.New("spool: message neither handled nor saved")

// Spool is an open spool directory. Its methods are safe for concurrent use; a nil *Spool
// spools nothing (Turn runs the engine alone).
type Spool struct {
	dir   string
	log   zerolog.Logger
	clock care.Clock
	lock  *os.File

	mu     sync.Mutex
	files  map[string]Entry // by file name
	keys   map[string]string
	phones map[care.Phone]int
	seq    int64
	wake   chan struct{}

	spooled  prometheus.Counter
	replayed prometheus.Counter
}

// Open opens (creating it) the spool directory dir, takes its lock, and loads what it holds;
// reg gets the spool's metrics (its depth among them).
func Open(dir string, clock care.Clock, reg prometheus.Registerer, log zerolog.Logger) (*Spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("spool %s is in use by another process (give each serve its own SPOOL_DIR): %w", dir, err)
	}
	s := &Spool{dir: dir, log: log, clock: clock, lock: lock, files: map[string]Entry{}, keys: map[string]string{},
		phones: map[care.Phone]int{}, wake: make(chan struct{}, 1)}
	names, err := os.ReadDir(dir)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("spool %s: %w", dir, err)
	}
	for _, d := range names {
		name := d.Name()
		switch {
		case strings.HasSuffix(name, ".tmp"): // never renamed: its message was never acknowledged
			_ = os.Remove(filepath.Join(dir, name))
		case strings.HasSuffix(name, ".json"):
			b, err := os.ReadFile(filepath.Join(dir, name))
			var e Entry
			if err == nil {
				err = json.Unmarshal(b, &e)
			}
			if err != nil {
				s.Close()
				return nil, fmt.Errorf("spool %s: read %s: %w", dir, name, err)
			}
			s.index(name, e)
		}
	}
	s.spooled = prometheus.NewCounter(prometheus.CounterOpts{Name: "caseline_spool_written_total",
		Help: "Inbound messages and interrupted calls written to the spool."})
	s.replayed = prometheus.NewCounter(prometheus.CounterOpts{Name: "caseline_spool_replayed_total",
		Help: "Spooled entries handled after recovery and removed."})
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "caseline_spool_depth",
		Help: "Entries in the spool, waiting for the database."}, func() float64 { return float64(s.Depth()) })
	for _, c := range []prometheus.Collector{s.spooled, s.replayed, depth} {
		if err := reg.Register(c); err != nil {
			s.Close()
			return nil, fmt.Errorf("spool metrics: %w", err)
		}
	}
	if len(s.files) > 0 {
		log.Warn().Int("entries", len(s.files)).Msg("spool holds entries from before the restart; replaying them")
	}
	return s, nil
}

// Close releases the directory's lock.
func (s *Spool) Close() error {
	if s == nil || s.lock == nil {
		return nil
	}
	return s.lock.Close()
}

// index records entry e under file name; the caller holds mu or owns s alone.
func (s *Spool) index(name string, e Entry) {
	s.files[name] = e
	s.keys[e.key()] = name
	if !e.Call {
		s.phones[e.Input.Phone]++
	}
}

// Depth is how many entries the spool holds.
func (s *Spool) Depth() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.files)
}

// holds reports whether messages of phone wait in the spool.
func (s *Spool) holds(phone care.Phone) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.phones[phone] > 0
}

// add writes e durably (temporary file, fsync, rename, directory fsync) unless an entry
// with its provider id is held already.
func (s *Spool) add(e Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[e.key()]; ok {
		return nil
	}
	s.seq++
	name := fmt.Sprintf("%020d-%06d.json", e.At.UnixNano(), s.seq%1_000_000)
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("spool: encode: %w", err)
	}
	if err := writeDurably(s.dir, name, b); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	s.index(name, e)
	s.spooled.Inc()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// writeDurably writes b to dir/name so that it is either whole on disk or absent.
func writeDurably(dir, name string, b []byte) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// remove drops an entry once what it stood for is committed.
func (s *Spool) remove(name string) error {
	if err := os.Remove(filepath.Join(s.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: remove %s: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.files[name]
	if !ok {
		return nil
	}
	delete(s.files, name)
	delete(s.keys, e.key())
	if !e.Call {
		if s.phones[e.Input.Phone]--; s.phones[e.Input.Phone] <= 0 {
			delete(s.phones, e.Input.Phone)
		}
	}
	s.replayed.Inc()
	return nil
}

// entries lists the held entries in arrival order.
func (s *Spool) entries() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.files))
	for n := range s.files {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// entry returns the entry held under name.
func (s *Spool) entry(name string) (Entry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.files[name]
	return e, ok
}

// Unavailable reports whether err is a turn's failure that is not the message's fault: the
// database is down or restarting, or the transaction broke. Bad input, a missing record or
// a conflict are the message's, and spooling would not help them.
func Unavailable(err error) bool {
	return err != nil && care.ErrorCode(err) == care.EINTERNAL && !errors.Is(err, context.Canceled)
}

// Turn runs in through engine, unless messages of its number wait in the spool; then, or
// when the turn fails and Unavailable says so, it spools in and reports spooled: the caller
// answers with Received. A turn that failed for the message's own fault returns its error
// (the caller apologises); one that could not be spooled either returns ErrUnsaved (the
// caller must not acknowledge it).
func (s *Spool) Turn(ctx context.Context, engine Engine, in flows.Input) (reply flows.Reply, spooled bool, err error) {
	if s == nil {
		reply, err = engine.Handle(ctx, in)
		return reply, false, err
	}
	if !s.holds(in.Phone) {
		// A database that hangs rather than refuses must not hold the provider past its own
		// time-out (Twilio's is 15 s), when it would give up on an answer we never gave.
		tctx, cancel := context.WithTimeout(ctx, turnTimeout)
		reply, err = engine.Handle(tctx, in)
		cancel()
		if !Unavailable(err) {
			return reply, false, err
		}
		zerolog.Ctx(ctx).Warn().Err(err).Str("channel", string(in.Channel)).Stringer("phone", in.Phone).Msg("turn failed; spooling the message")
	}
	if serr := s.add(Entry{Input: in, At: s.clock.Now()}); serr != nil {
		return flows.Reply{}, false, fmt.Errorf("%w: %w", ErrUnsaved, serr)
	}
	return flows.Reply{}, true, nil
}

// Interrupted spools a USSD or voice attempt whose turn failed (Unavailable), with how far
// the caller got; after recovery it becomes a call-back request if the caller had reached the
// help flow. A failure to spool is logged: the caller is being apologised to anyway.
func (s *Spool) Interrupted(ctx context.Context, in flows.Input, progress string, err error) {
	if s == nil || !Unavailable(err) {
		return
	}
	if serr := s.add(Entry{Input: in, At: s.clock.Now(), Call: true, Progress: progress}); serr != nil {
		zerolog.Ctx(ctx).Error().Err(serr).Str("channel", string(in.Channel)).Stringer("phone", in.Phone).Msg("interrupted call not spooled")
	}
}
