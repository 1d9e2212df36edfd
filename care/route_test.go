package care_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

func TestParseRoutes(t *testing.T) {
	t.Parallel()
	const (
		vnMobile  care.Phone = "+84901234567"
		vnViettel care.Phone = "+84321234567"
		usNumber  care.Phone = "+14155550123"
		ukNumber  care.Phone = "+447700900123"
		twilio               = care.ProviderTwilio
		android              = care.ProviderAndroid
	)
	tests := []struct {
		name string
		spec string
		want map[care.Phone]care.Provider
		str  string
		err  bool
	}{
		{name: "empty is the default", spec: "", want: map[care.Phone]care.Provider{vnMobile: twilio, usNumber: twilio}, str: "*=twilio"},
		{name: "default spec", spec: care.DefaultRoutes, want: map[care.Phone]care.Provider{vnMobile: twilio, ukNumber: twilio}, str: "*=twilio"},
		{name: "vietnam through the phone", spec: "+84=android,*=twilio",
			want: map[care.Phone]care.Provider{vnMobile: android, vnViettel: android, usNumber: twilio}, str: "+84=android,*=twilio"},
		{name: "no star falls back to twilio", spec: "+84=android",
			want: map[care.Phone]care.Provider{vnMobile: android, ukNumber: twilio}, str: "+84=android,*=twilio"},
		{name: "longest prefix wins whatever the order", spec: " *=android , +84=twilio,+8490=android ",
			want: map[care.Phone]care.Provider{vnMobile: android, vnViettel: twilio, usNumber: android},
			str:  "+8490=android,+84=twilio,*=android"},
		{name: "provider names ignore case", spec: "+1=Android", want: map[care.Phone]care.Provider{usNumber: android, vnMobile: twilio}, str: "+1=android,*=twilio"},
		{name: "ussd aggregator cannot send sms", spec: "+84=africastalking", err: true},
		{name: "unknown provider", spec: "+84=nexmo", err: true},
		{name: "missing provider", spec: "+84=", err: true},
		{name: "missing equals", spec: "+84", err: true},
		{name: "prefix without plus", spec: "84=android", err: true},
		{name: "prefix with letters", spec: "+8x=android", err: true},
		{name: "bare plus", spec: "+=android", err: true},
		{name: "prefix too long", spec: "+1234567890123456=android", err: true},
		{name: "prefix twice", spec: "+84=android,+84=twilio", err: true},
		{name: "star twice", spec: "*=android,*=twilio", err: true},
		{name: "empty item", spec: "+84=android,,*=twilio", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := care.ParseRoutes(tt.spec)
			if tt.err {
				require.Error(t, err)
				require.Equal(t, care.EINVALID, care.ErrorCode(err))
				require.Equal(t, "routes", care.ErrorField(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.str, r.String())
			for phone, want := range tt.want {
				require.Equal(t, want, r.Route(phone), "route for %s", phone.E164())
			}
		})
	}
}

func TestZeroRoutesUseTwilio(t *testing.T) {
	t.Parallel()
	var r care.Routes
	require.Equal(t, care.ProviderTwilio, r.Route("+84901234567"))
	require.Equal(t, "*=twilio", r.String())
}
