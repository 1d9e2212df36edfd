package store_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

func TestHelpRequestRoundTrip(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	tests := []struct {
		name string
		h    care.HelpRequest
	}{
		{"registered person", care.HelpRequest{PersonID: w.person.ID, Phone: w.person.Phone, Commune: w.commune,
			Category: care.HelpDevice, Description: "xe lăn hỏng", Channel: care.ChannelUSSD}},
		{"unregistered caller in danger", care.HelpRequest{Phone: e.fx.Phone(), Category: care.HelpAbuse,
			InDanger: true, Channel: care.ChannelVoice, Status: care.HelpResolved}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			require.NoError(t, storetest.CreateHelpRequest(e.ctx, e.s, &h))
			require.NotZero(t, h.ID)
			require.Equal(t, start, h.CreatedAt)
			got, err := e.s.HelpRequest(e.ctx, h.ID)
			require.NoError(t, err)
			if tt.h.Status == "" {
				require.Equal(t, care.HelpOpen, got.Status)
			}
			require.Equal(t, &h, got)
		})
	}
}

func TestHelpRequestErrors(t *testing.T) {
	t.Parallel()
	e := setup(t)
	valid := func() *care.HelpRequest {
		return &care.HelpRequest{Phone: e.fx.Phone(), Category: care.HelpHealth, Channel: care.ChannelSMS}
	}
	tests := []struct {
		name   string
		change func(h *care.HelpRequest)
		code   string
	}{
		{"category the schema refuses", func(h *care.HelpRequest) { h.Category = "weather" }, care.EINVALID},
		{"channel the schema refuses", func(h *care.HelpRequest) { h.Channel = "fax" }, care.EINVALID},
		{"description too long", func(h *care.HelpRequest) { h.Description = strings.Repeat("a", 501) }, care.EINVALID},
		{"no phone", func(h *care.HelpRequest) { h.Phone = "" }, care.EINVALID},
		{"unknown person", func(h *care.HelpRequest) { h.PersonID = 424242 }, care.EINVALID},
		{"unknown commune", func(h *care.HelpRequest) { h.Commune = "nowhere" }, care.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := valid()
			tt.change(h)
			requireCode(t, tt.code, storetest.CreateHelpRequest(e.ctx, e.s, h))
		})
	}
	_, err := e.s.HelpRequest(e.ctx, 424242)
	requireCode(t, care.ENOTFOUND, err)
}
