package care_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestReachBy(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		name           string
		profile        []care.Disability
		channel        care.Channel
		smsUnreachable *time.Time
		want           care.Channel
	}{
		{"SMS as chosen", nil, care.ChannelSMS, nil, care.ChannelSMS},
		{"USSD users get SMS: we cannot open a USSD session", nil, care.ChannelUSSD, nil, care.ChannelSMS},
		{"a call as chosen", nil, care.ChannelVoice, nil, care.ChannelVoice},
		{"blind people are called", []care.Disability{care.Blind}, care.ChannelSMS, nil, care.ChannelVoice},
		{"deaf people are never called", []care.Disability{care.Deaf}, care.ChannelVoice, nil, care.ChannelSMS},
		{"deaf and blind: never called", []care.Disability{care.Blind, care.Deaf}, care.ChannelSMS, nil, care.ChannelSMS},
		{"a number that takes no SMS is called", nil, care.ChannelSMS, &at, care.ChannelVoice},
		{"a feature phone on USSD whose number takes no SMS is called", []care.Disability{care.Mobility}, care.ChannelUSSD, &at, care.ChannelVoice},
		{"a deaf person is not called even then", []care.Disability{care.Deaf}, care.ChannelSMS, &at, care.ChannelSMS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := care.Person{Profile: tt.profile, Channel: tt.channel, SMSUnreachableAt: tt.smsUnreachable}
			require.Equal(t, tt.want, p.ReachBy())
		})
	}
}
