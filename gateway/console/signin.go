package console

import (
	"net/http"
	"strings"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
	"github.com/caseline/caseline/gateway"
)

// errCodeRefused is a wrong code or a locked number, for its status in the one map (403);
// the form says which in words of its own.
var errCodeRefused = care.Errorf(care.EUNAUTHORIZED, "sign-in code refused")

// signInView is the sign-in page: the phone form, or the code form once a code was asked for.
type signInView struct {
	Phone    string
	CodeStep bool
	Notice   string // a sentence for the person, "" for none
	Error    string
}

func (h *handler) signInPage(w http.ResponseWriter, r *http.Request, q *request) error {
	if q.staff != nil {
		return seeOther(w, r, Prefix)
	}
	return h.render(w, http.StatusOK, "signin", q, signInView{})
}

// requestCode sends a code to the number when it is staff's. Whatever the number, the page
// says the same thing, so nobody learns who is staff by trying numbers.
func (h *handler) requestCode(w http.ResponseWriter, r *http.Request, q *request) error {
	raw := strings.TrimSpace(r.PostForm.Get("phone"))
	phone, err := care.ParsePhone(raw)
	if err != nil {
		return h.render(w, gateway.Status(err), "signin", q, signInView{Phone: raw, Error: q.L.T("signin.badphone")})
	}
	code, err := care.NewSignInCode()
	if err != nil {
		return err
	}
	bodies := map[care.Language]string{}
	for _, l := range []care.Language{care.Vietnamese, care.English} {
		// SMS goes without diacritics: one GSM-7 segment.
		bodies[l] = flows.StripDiacritics(catalog{lang: l}.F("sms.code", code))
	}
	out, err := h.Store.RequestSignInCode(r.Context(), care.CodeRequest{
		Phone: phone, CodeHash: care.HashAPIToken(code), Bodies: bodies, Provider: h.Router.Route(phone)})
	if err != nil {
		return err
	}
	v := signInView{Phone: phone.E164(), CodeStep: true, Notice: q.L.T("signin.sent")}
	if out == care.SignInLocked {
		v = signInView{Phone: phone.E164(), Error: q.L.T("signin.locked")}
	}
	return h.render(w, http.StatusOK, "signin", q, v)
}

// signIn checks the code; on success it starts a session and opens the inbox.
func (h *handler) signIn(w http.ResponseWriter, r *http.Request, q *request) error {
	phone, err := care.ParsePhone(strings.TrimSpace(r.PostForm.Get("phone")))
	if err != nil {
		return h.render(w, gateway.Status(err), "signin", q, signInView{Error: q.L.T("signin.badphone")})
	}
	code := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, r.PostForm.Get("code"))
	id, hash, err := care.NewSessionID()
	if err != nil {
		return err
	}
	st, out, err := h.Store.SignIn(r.Context(), phone, care.HashAPIToken(code), hash)
	if err != nil {
		return err
	}
	switch out {
	case care.SignInOK:
		h.setCookie(w, sessionCookie, id, 0)
		h.setCookie(w, preCookie, "", -1)
		zlog(r).Info().Int64("manager", int64(st.ID)).Msg("console sign-in")
		return seeOther(w, r, Prefix)
	case care.SignInLocked:
		return h.render(w, gateway.Status(errCodeRefused), "signin", q, signInView{Phone: phone.E164(), Error: q.L.T("signin.locked")})
	default:
		return h.render(w, gateway.Status(errCodeRefused), "signin", q, signInView{Phone: phone.E164(), CodeStep: true, Error: q.L.T("signin.wrong")})
	}
}

// signOut ends the session.
func (h *handler) signOut(w http.ResponseWriter, r *http.Request, q *request) error {
	if err := h.Store.SignOut(r.Context(), q.session); err != nil {
		return err
	}
	h.setCookie(w, sessionCookie, "", -1)
	return seeOther(w, r, Prefix+"sign-in")
}
