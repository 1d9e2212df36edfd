// Package flows runs Caseline's dialog flows — main menu, register, my plan, get help,
// check-in reply, opt-out, language, resume, case-manager acknowledgements — as finite-state
// machines (looplab/fsm) rebuilt on every turn from the stored dialog session. A flow turns
// one Input into one channel-neutral Prompt; gateway renders it as TwiML, CON/END text or SMS.
// It also owns the text rules: diacritics, GSM-7 and UCS-2 segments.
//
// Gateways build one Engine (NewEngine) and call Handle once per inbound request. Each call
// is one PostgreSQL transaction through Turns (store implements it): the session row is
// locked and everything a common turn needs is loaded in one round trip, one event fires, and
// the new state, the message log and the step's records are written with COMMIT in one more.
// Renderers lay prompts out with SMSText and USSDText (USSD replies come already paginated to
// the screen limit); voice renderers also say Reply.Keys after a menu's options, say an
// option whose Language differs from the prompt's in that language's voice, and honour
// Reply.Slow and Prompt.Person. When Handle fails they answer Apology.
//
// The prompt texts are data: prompts/vi.yaml and prompts/en.yaml, embedded (ShippedPrompts)
// or read from a folder (LoadPrompts, PROMPTS_DIR) and handed to NewEngine in Deps.Prompts.
// CheckPrompts is the one home of the rules they must meet (the state walk's tests and
// `caseline prompts check` both run it); ListPrompts lists them for a translator or a voice
// artist; ScanPromptAudio finds the recordings a call plays instead of a prompt
// (PROMPT_AUDIO_DIR), and PromptAudio.Split tells a voice renderer where they go.
package flows
