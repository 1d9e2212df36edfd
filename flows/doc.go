// Package flows runs Caseline's dialog flows — main menu, register, my plan, get help,
// check-in reply, opt-out, language, resume, case-manager acknowledgements — as finite-state
// machines (looplab/fsm) rebuilt on every turn from the stored dialog session. A flow turns
// one Input into one channel-neutral Prompt, and the engine lays it out for the channel as
// Reply.Text: the SMS as sent, the USSD CON/END screen, or the words a call says. The message
// log keeps exactly that text. It also owns the text rules: diacritics, GSM-7 and UCS-2
// segments.
//
// Gateways build one Engine (NewEngine) and call Handle once per inbound request. Each call
// is one PostgreSQL transaction through dialog.Turns (store implements it): the session row is
// locked and everything a common turn needs is loaded in one round trip, one event fires, and
// the new state, the message log and the step's records are written with COMMIT in one more.
// SMS and USSD gateways write Reply.Text as it is (USSD replies come already paginated to the
// screen limit). The voice renderer builds its TwiML around VoiceLines, the words Reply.Text
// holds: it says an option whose Language differs from the prompt's in that language's voice,
// and honours Reply.Slow and Prompt.Person. When Handle fails, gateways answer their own
// apology (gateway.ApologyText).
//
// The prompt texts are data: prompts/vi.yaml and prompts/en.yaml, embedded (ShippedPrompts)
// or read from a folder (LoadPrompts, PROMPTS_DIR) and handed to NewEngine in Deps.Prompts.
// CheckPrompts is the one home of the rules they must meet (the state walk's tests and
// `caseline prompts check` both run it); ListPrompts lists them for a translator or a voice
// artist; ScanPromptAudio finds the recordings a call plays instead of a prompt
// (PROMPT_AUDIO_DIR), and PromptAudio.Split tells a voice renderer where they go.
package flows
