// Package phone simulates a feature phone talking to Caseline exactly as the providers
// deliver it: SMS as signed Twilio webhooks (POST /twilio/sms, answered with TwiML
// <Message>s), voice calls as signed Twilio voice webhooks (POST /twilio/voice and the
// <Gather> actions and <Redirect>s under it) and USSD as Africa's Talking callbacks
// (POST /ussd/africastalking?token=…, answered "CON …" or "END …"). It imports nothing of
// the service but care's phone numbers and Twilio's voice table (gateway/twilio/tts): it
// talks HTTP only, and refuses a <Say> Twilio would not speak, as a test should hear of one.
//
// A Phone keeps its own USSD session and call. Interactive puts one in a terminal;
// RunScript replays a conversation from a script and checks the answers.
//
// # Scripts
//
// A script is read line by line. Blank lines and lines starting with # are skipped; every
// other line is a phone switch, an input or an expectation:
//
//	phone +84901234567     become this phone (each number keeps its own USSD session and call)
//	sms> DK                send an SMS with this body (sms> alone sends an empty one)
//	ussd> *123#            dial a service code: a new session, text ""
//	ussd> 1                answer the open session: text accumulates, "1", then "1*2", …
//	call>                  call the service (POST /twilio/voice with a new CallSid)
//	press> 1               press digits: POST to the <Gather>'s action with Digits
//	wait>                  press nothing: the <Gather> times out and the <Redirect> is followed
//	dialed> no-answer      the person a <Dial> rang did not answer (busy, failed, canceled,
//	                       completed, answered likewise): POST to the <Dial>'s action with
//	                       DialCallStatus
//	hangup>                put the phone down
//
// Expectations start with "<" and check the answer to the input before them; several may
// follow one input:
//
//	< contains: Ten cua ban   the reply contains this text, ignoring case, runs of white space
//	                          and (unless ScriptOptions.StrictDiacritics) diacritics
//	< equals: Cam on.         the reply, trimmed, is exactly this
//	< matches: Ref \d{4}      the reply matches this regular expression (Go syntax)
//	< none                    no reply: an empty <Response/>, an empty screen, nothing said
//	< CON                     the USSD screen waits for input; "< CON Chọn" also checks text
//	< END                     the USSD screen ends the session; "< END Cảm ơn" likewise
//	< say: nhấn phím 1        the call said this (like contains:, over all <Say>s of the turn)
//	< gather                  the call waits for digits
//	< dial: +84912345678      the call is being connected to this number (a person); with an
//	                          action on the <Dial> the call waits for dialed>
//	< end                     the USSD session or the call is over
//	< status: 403             the request failed with this HTTP status
//
// The reply text is every <Message> of an SMS reply, the USSD screen without CON/END, or
// every <Say> of a call's turn, joined by newlines. A failed request (an HTTP status other
// than 200) stops the script unless the next expectation is status:. RunScript reports the
// first expectation that does not hold with its line number, what it expected and what the
// service said.
//
// # Signatures
//
// Every Twilio request carries X-Twilio-Signature computed by Sign over the URL requested
// (or, with Options.PublicBaseURL, over that base plus the request URI, as the gateway
// checks it) and the form parameters. USSD requests carry the token in their URL instead.
package phone
