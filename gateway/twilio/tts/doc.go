// Package tts is Twilio's table of text-to-speech voices and the languages each speaks, as
// far as Caseline needs it: every Vietnamese voice Twilio lists and the American English
// ones. Three parts of Caseline read it, so they cannot disagree: the configuration refuses a
// voice that does not speak its language, the TwiML renderer's tests check every <Say>, and
// the fake Twilio refuses a <Say> the real one would not speak.
//
// It imports nothing: the simulators may use it without reaching the service.
package tts
