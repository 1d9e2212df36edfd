package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

func TestPersonRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	commune := e.fx.Commune("x1")
	pin, err := care.HashPIN("4821")
	require.NoError(t, err)
	consent := time.Date(2026, 2, 1, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		p    care.Person
	}{
		{"every field", care.Person{
			Phone: e.fx.Phone(), Name: "Trần Thị Bình", Commune: commune, Language: care.English,
			Profile: []care.Disability{care.Deaf, care.Mobility}, Channel: care.ChannelUSSD, Diacritics: true,
			ConsentAt: &consent, CaregiverName: "Trần Văn Cường", CaregiverPhone: e.fx.Phone(), CaregiverConsent: true,
			RegisteredBy: e.fx.Phone(), PINHash: pin, Status: care.PersonOptedOut,
		}},
		{"nullable columns empty", care.Person{
			Phone: e.fx.Phone(), Name: "Lê Văn Dũng", Commune: commune, Language: care.Vietnamese,
			Profile: []care.Disability{}, Channel: care.ChannelVoice, Status: care.PersonActive,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			require.NoError(t, e.s.CreatePerson(e.ctx, &p))
			require.NotZero(t, p.ID)
			require.Equal(t, start, p.CreatedAt)
			require.Equal(t, start, p.UpdatedAt)

			got, err := e.s.Person(e.ctx, p.ID)
			require.NoError(t, err)
			require.Equal(t, &p, got)

			got, err = storetest.PersonByPhone(e.ctx, e.s, p.Phone)
			require.NoError(t, err)
			require.Equal(t, &p, got)
		})
	}
}

func TestUpdatePerson(t *testing.T) {
	t.Parallel()
	e := setup(t)
	commune, other := e.fx.Commune("x1"), e.fx.Commune("x2")
	p := e.fx.Person(commune)
	created := p.CreatedAt

	later := e.clock.Advance(time.Hour)
	consent := later.Add(-time.Minute)
	p.Phone, p.Name, p.Commune, p.Language = e.fx.Phone(), "Nguyễn Thị Hoa", other, care.English
	p.Profile, p.Channel, p.Diacritics, p.ConsentAt = []care.Disability{care.Blind}, care.ChannelVoice, true, &consent
	p.CaregiverName, p.CaregiverPhone, p.CaregiverConsent = "Mẹ", e.fx.Phone(), true
	p.RegisteredBy, p.PINHash, p.Status = e.fx.Phone(), "pbkdf2-sha256$00$00", care.PersonUnreachable
	p.CreatedAt = later // not saved
	require.NoError(t, storetest.UpdatePerson(e.ctx, e.s, p))
	require.Equal(t, later, p.UpdatedAt)

	got, err := e.s.Person(e.ctx, p.ID)
	require.NoError(t, err)
	p.CreatedAt = created
	require.Equal(t, p, got)

	// Clearing the optional fields stores them as absent again.
	p.ConsentAt, p.CaregiverName, p.CaregiverPhone, p.CaregiverConsent = nil, "", "", false
	p.RegisteredBy, p.PINHash, p.Profile = "", "", []care.Disability{}
	require.NoError(t, storetest.UpdatePerson(e.ctx, e.s, p))
	got, err = e.s.Person(e.ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, p, got)
}

func TestPersonErrors(t *testing.T) {
	t.Parallel()
	e := setup(t)
	commune := e.fx.Commune("x1")
	taken := e.fx.Person(commune)
	other := e.fx.Person(commune)

	valid := func() *care.Person {
		return &care.Person{Phone: e.fx.Phone(), Name: "An", Commune: commune, Language: care.Vietnamese,
			Channel: care.ChannelSMS, Status: care.PersonActive}
	}
	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"duplicate phone", func() error {
			p := valid()
			p.Phone = taken.Phone
			return e.s.CreatePerson(e.ctx, p)
		}, care.ECONFLICT},
		{"update to a phone already registered", func() error {
			p := *other
			p.Phone = taken.Phone
			return storetest.UpdatePerson(e.ctx, e.s, &p)
		}, care.ECONFLICT},
		{"invalid person", func() error {
			p := valid()
			p.Name = " "
			return e.s.CreatePerson(e.ctx, p)
		}, care.EINVALID},
		{"unknown commune", func() error {
			p := valid()
			p.Commune = "nowhere"
			return e.s.CreatePerson(e.ctx, p)
		}, care.EINVALID},
		{"phone the schema refuses", func() error {
			p := valid()
			p.Phone = "0901234567"
			return e.s.CreatePerson(e.ctx, p)
		}, care.EINVALID},
		{"unknown id", func() error { _, err := e.s.Person(e.ctx, 424242); return err }, care.ENOTFOUND},
		{"unknown phone", func() error { _, err := storetest.PersonByPhone(e.ctx, e.s, e.fx.Phone()); return err }, care.ENOTFOUND},
		{"update unknown id", func() error {
			p := valid()
			p.ID = 424242
			return storetest.UpdatePerson(e.ctx, e.s, p)
		}, care.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireCode(t, tt.code, tt.run())
		})
	}
	got, err := e.s.Person(e.ctx, other.ID)
	require.NoError(t, err)
	require.Equal(t, other.Phone, got.Phone, "a refused update changes nothing")
}
