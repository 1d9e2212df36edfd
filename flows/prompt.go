package flows

import "github.com/caseline/caseline/care"

// Input is one inbound turn from any channel, already decoded from the provider's protocol.
type Input struct {
	Channel  care.Channel
	Provider care.Provider
	// Phone is the sender's number (E.164).
	Phone care.Phone
	// SessionKey keys the dialog session: the aggregator's session id for USSD, the phone
	// number otherwise (left empty, the engine uses the phone).
	SessionKey string
	// ProviderID identifies this turn for deduplication: Twilio MessageSid, USSD sessionId and
	// hop number, CallSid and step. A repeat gets the first answer again without a new step.
	ProviderID string
	// Text is what the person sent: an SMS body, the newest USSD input (not the whole
	// "1*2*3" chain), or voice digits. Empty on a USSD session's or a call's first request.
	Text string
	// NoInput is set for a voice <Gather> that timed out without digits.
	NoInput bool
	// New marks the first request of a USSD session or a call (a fresh dial), which offers
	// "1 continue, 2 main menu" when an earlier session dropped mid-flow.
	New bool
	// Outbound is set on the first request of a call we placed: what it is about, taken from
	// the call's answer URL ("reminder:42", "checkin:7"). Phone is then the person called.
	Outbound string
	// DialStatus is how the <Dial> to a person ended (Twilio's DialCallStatus: completed,
	// answered, busy, no-answer, failed, canceled), on the request of the <Dial>'s action.
	DialStatus string
	// Deferred is set when the webhook was answered already (a message replayed from the
	// gateway's spool): the reply is queued as an outbound message instead.
	Deferred bool
}

// Expect says what input a prompt waits for, so a renderer can ask for it.
type Expect string

// What a prompt expects.
const (
	ExpectNothing Expect = ""       // the conversation ends, or nothing is asked
	ExpectChoice  Expect = "choice" // one of the numbered options
	ExpectText    Expect = "text"   // free text (a name, a description)
	ExpectDigits  Expect = "digits" // a number (a PIN, a code)
)

// Option is one numbered choice of a menu.
type Option struct {
	Key   string // what the person presses or types: "1", "2", …
	Label string // said or shown after the key
	// Language is the language of Label when it is not the prompt's (the other language's
	// own name in the main menu): a voice renderer says the option in that language's voice.
	Language care.Language `json:",omitempty"`
}

// Prompt is what a flow says next, free of any channel's markup: a renderer turns it into
// TwiML, a USSD CON/END screen or SMS text and must respect that channel's limits.
type Prompt struct {
	// Text is the message itself (with diacritics, NFC); options follow it.
	Text    string
	Options []Option
	Expect  Expect
	// End closes the conversation (USSD END, voice hang-up).
	End bool
	// Language is the prompt's language, for speech.
	Language care.Language
	// Person asks the voice renderer to connect the caller to a person (the first person on
	// their escalation ladder, by <Dial>), with Text said first. How the dial ended comes back
	// as the next Input's DialStatus.
	Person care.Phone
}

// Reply is the answer to one Input.
type Reply struct {
	// Text is what goes on the wire, and what the message log keeps of the reply: the SMS
	// body (GSM-7 without diacritics unless the person asked for them), the USSD answer
	// ("CON …" or "END …", without diacritics), or for a call the words said (VoiceLines,
	// one after the other). "" when Silent. A gateway writes it as it is.
	Text string
	// Prompt is the reply before the channel's layout: a voice renderer builds its TwiML from
	// it (VoiceLines), and tests read it.
	Prompt Prompt
	// Duplicate is set when the Input's ProviderID was seen before: Prompt is the first answer.
	Duplicate bool
	// Silent is set when no reply must go out (loop protection, opted out): SMS answers with
	// an empty TwiML response.
	Silent bool
	// Diacritics asks the SMS renderer to keep Vietnamese diacritics (UCS-2) for this person.
	Diacritics bool
	// Step is the dialog session's version after this turn. Voice puts it in the <Gather>
	// action URL so a retried webhook (CallSid and step) is recognised as a repeat.
	Step int
	// Slow asks the voice renderer to speak slower: the caller chose it (VoiceSlowerKey) and
	// the session remembers it.
	Slow bool
	// Keys are the keys every voice menu has besides its options (repeat, a person, slower),
	// for the renderer to say after the options. They are set on a call's first menu and when
	// the caller asks to hear a prompt again, not on every menu.
	Keys []Option `json:",omitempty"`
}
