package api

import (
	"net/http"
	"strings"

	"github.com/caseline/caseline/care"
)

// personInput is the body of POST /persons and PATCH /persons/{id}: on PATCH an absent
// field keeps its value. consent true records consent now (an earlier consent keeps its
// time); false withdraws it. An empty caregiver_phone removes the caregiver's phone.
type personInput struct {
	Phone            *string   `json:"phone"`
	Name             *string   `json:"name"`
	Commune          *string   `json:"commune"`
	Language         *string   `json:"language"`
	Profile          *[]string `json:"profile"`
	Channel          *string   `json:"channel"`
	Diacritics       *bool     `json:"diacritics"`
	Consent          *bool     `json:"consent"`
	CaregiverName    *string   `json:"caregiver_name"`
	CaregiverPhone   *string   `json:"caregiver_phone"`
	CaregiverConsent *bool     `json:"caregiver_consent"`
	Status           *string   `json:"status"`
}

// apply sets the present fields on p and returns the names of those that were present.
// Problems are collected in bad.
func (in *personInput) apply(p *care.Person, now care.Clock, bad fieldErrors) []string {
	var fields []string
	set := func(name string, present bool) bool {
		if present {
			fields = append(fields, name)
		}
		return present
	}
	if set("phone", in.Phone != nil) {
		phone, err := care.ParsePhone(*in.Phone)
		if err != nil {
			bad.addErr("phone", err)
		}
		p.Phone = phone
	}
	if set("name", in.Name != nil) {
		p.Name = strings.TrimSpace(*in.Name)
	}
	if set("commune", in.Commune != nil) {
		p.Commune = care.CommuneCode(strings.TrimSpace(*in.Commune))
	}
	if set("language", in.Language != nil) {
		p.Language = care.Language(*in.Language)
	}
	if set("profile", in.Profile != nil) {
		p.Profile = make([]care.Disability, 0, len(*in.Profile))
		for _, d := range *in.Profile {
			p.Profile = append(p.Profile, care.Disability(d))
		}
	}
	if set("channel", in.Channel != nil) {
		p.Channel = care.Channel(*in.Channel)
	}
	if set("diacritics", in.Diacritics != nil) {
		p.Diacritics = *in.Diacritics
	}
	if set("consent", in.Consent != nil) {
		switch {
		case !*in.Consent:
			p.ConsentAt = nil
		case p.ConsentAt == nil:
			at := now.Now().UTC()
			p.ConsentAt = &at
		}
	}
	if set("caregiver_name", in.CaregiverName != nil) {
		p.CaregiverName = strings.TrimSpace(*in.CaregiverName)
	}
	if set("caregiver_phone", in.CaregiverPhone != nil) {
		p.CaregiverPhone = ""
		if strings.TrimSpace(*in.CaregiverPhone) != "" {
			phone, err := care.ParsePhone(*in.CaregiverPhone)
			if err != nil {
				bad.add("caregiver_phone", care.ErrorMessage(err))
			}
			p.CaregiverPhone = phone
		}
	}
	if set("caregiver_consent", in.CaregiverConsent != nil) {
		p.CaregiverConsent = *in.CaregiverConsent
	}
	if set("status", in.Status != nil) {
		p.Status = care.PersonStatus(*in.Status)
	}
	if len(bad) == 0 {
		if err := p.Validate(); err != nil {
			bad.addErr("person", err)
		}
	}
	return fields
}

func (h *handler) listPersons(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	pg, err := page(r)
	if err != nil {
		return err
	}
	f := care.PersonFilter{Communes: st.Communes()}
	if c := r.URL.Query().Get("commune"); c != "" {
		if !st.Sees(care.CommuneCode(c)) {
			writeJSON(w, http.StatusOK, newList([]*care.Person{}, "", viewPerson))
			return nil
		}
		f.Communes = []care.CommuneCode{care.CommuneCode(c)}
	}
	ps, next, err := h.store.ListPersons(r.Context(), f, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ps, next, viewPerson))
	return nil
}

// createPerson registers a person in a commune the staff member works in (their own when
// the body names none).
func (h *handler) createPerson(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	var in personInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	bad := fieldErrors{}
	if in.Phone == nil {
		bad.add("phone", "phone is required")
	}
	if in.Name == nil {
		bad.add("name", "name is required")
	}
	p := &care.Person{Commune: st.Commune, Language: care.Vietnamese, Channel: care.ChannelSMS, Status: care.PersonActive, Profile: []care.Disability{}}
	in.apply(p, h.clock, bad)
	if err := bad.err(); err != nil {
		return err
	}
	if !st.Sees(p.Commune) {
		return forbidden("you may not register people in commune " + string(p.Commune))
	}
	if err := h.store.CreatePersonAs(r.Context(), st.ID, p); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewPerson(p))
	return nil
}

func (h *handler) getPerson(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	p, err := h.person(r, st)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPerson(p))
	return nil
}

// updatePerson changes the fields the body names, including the accessibility profile,
// consent and caregiver. Moving a person to a commune the staff member does not work in is
// forbidden.
func (h *handler) updatePerson(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	var in personInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	p, err := h.changePerson(r, st, func(p *care.Person) (string, []string, error) {
		bad := fieldErrors{}
		fields := in.apply(p, h.clock, bad)
		if err := bad.err(); err != nil {
			return "", nil, err
		}
		if !st.Sees(p.Commune) {
			return "", nil, forbidden("you may not move people to commune " + string(p.Commune))
		}
		return care.AuditPersonUpdate, fields, nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPerson(p))
	return nil
}

// changePerson runs change on the person of the path's id under the store's row lock, if
// the staff member sees the person's commune.
func (h *handler) changePerson(r *http.Request, st *care.Staff, change care.PersonChange) (*care.Person, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.store.ChangePersonAs(r.Context(), st.ID, care.PersonID(id), func(p *care.Person) (string, []string, error) {
		if !st.Sees(p.Commune) {
			return "", nil, hidden()
		}
		return change(p)
	})
}

// pinInput is the body of PUT /persons/{id}/pin.
type pinInput struct {
	PIN string `json:"pin"`
}

// setPIN sets the PIN a person on a shared phone is asked before their plan is read; only
// its hash is stored.
func (h *handler) setPIN(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	var in pinInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	// Hash before the row lock is taken: the hash is deliberately slow.
	hash, err := care.HashPIN(in.PIN)
	if err != nil {
		return err
	}
	p, err := h.changePerson(r, st, func(p *care.Person) (string, []string, error) {
		p.PINHash = hash
		return care.AuditPersonSetPIN, []string{"pin"}, nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPerson(p))
	return nil
}

// clearPIN removes a person's PIN.
func (h *handler) clearPIN(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	p, err := h.changePerson(r, st, func(p *care.Person) (string, []string, error) {
		p.PINHash = ""
		return care.AuditPersonClearPIN, []string{"pin"}, nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewPerson(p))
	return nil
}

func (h *handler) listMessages(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	p, err := h.person(r, st)
	if err != nil {
		return err
	}
	pg, err := page(r)
	if err != nil {
		return err
	}
	ms, next, err := h.store.ListMessages(r.Context(), p.ID, pg)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ms, next, viewMessage))
	return nil
}

// smsInput is the body of POST /persons/{id}/messages.
type smsInput struct {
	Text string `json:"text"`
	Key  string `json:"key"`
}

// sendSMS queues an SMS the staff member wrote to a person (for deaf people, who cannot be
// called): 202, since the workers send it; the message log shows how it went.
func (h *handler) sendSMS(w http.ResponseWriter, r *http.Request, st *care.Staff) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in smsInput
	if err := decode(w, r, &in); err != nil {
		return err
	}
	m, err := h.store.SendSMSAs(r.Context(), st, care.StaffSMS{PersonID: care.PersonID(id), Text: in.Text, Key: in.Key}, h.compose)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, viewMessage(m))
	return nil
}
