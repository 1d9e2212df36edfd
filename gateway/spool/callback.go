package spool

import (
	"time"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/dialog"
	"github.com/caseline/caseline/flows"
)

// callbackRequest is the help request a USSD or voice call cut off in the help flow becomes:
// someone calls the caller back. Every such request is made here and nowhere else; its
// origin (the spool entry) files it once however often the replay runs.
func callbackRequest(e Entry, now time.Time) dialog.HelpFiling {
	return dialog.HelpFiling{
		Origin:      "spool:" + e.key(),
		Phone:       e.Input.Phone,
		Category:    care.HelpCallback,
		Description: "call back: the line was interrupted",
		Channel:     e.Input.Channel,
		Now:         now,
		NextLevelAt: now.Add(care.DefaultSLA.For(false)),
	}
}

// recentSession bounds how old a voice session (keyed by the caller's number, so shared by
// their calls) may be to tell where an interrupted call was: older, it was another call.
const recentSession = time.Hour

// reachedHelp reports whether the caller of an interrupted attempt had reached the help flow:
// the attempt was not the call's first request (which reaches nothing) and the session, as
// last saved, was in it.
func reachedHelp(e Entry, sess *care.DialogSession) bool {
	if e.Input.New || sess == nil || !flows.InHelp(sess.Flow) {
		return false
	}
	// A USSD session's key is its own; a voice session's is the caller's number.
	return e.Input.Channel == care.ChannelUSSD || e.At.Sub(sess.UpdatedAt) < recentSession
}
