// Package flows runs Caseline's dialog flows — main menu, register, my plan, get help,
// check-in reply, opt-out, language, resume, case-manager acknowledgements — as finite-state
// machines (looplab/fsm) rebuilt on every turn from the stored dialog session. A flow turns
// one Input into one channel-neutral Prompt; gateway renders it as TwiML, CON/END text or SMS.
// It also owns the text rules: diacritics, GSM-7 and UCS-2 segments.
package flows
