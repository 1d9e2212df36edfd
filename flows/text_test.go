package flows_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/flows"
)

func TestStripDiacritics(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Giúp đỡ", "Giup do"},
		{"ĐĂNG KÝ", "DANG KY"},
		{"Nhắc lịch hẹn: Đến phòng khám", "Nhac lich hen: Den phong kham"},
		{"Trạm y tế xã Hòa Bình", "Tram y te xa Hoa Binh"},
		{"plain ascii 123", "plain ascii 123"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, flows.StripDiacritics(tt.in))
		})
	}
}

func TestMeasureSMS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want flows.SMSInfo
	}{
		{"empty", "", flows.SMSInfo{Encoding: flows.GSM7, Units: 0, Segments: 1}},
		{"plain", "Hello", flows.SMSInfo{Encoding: flows.GSM7, Units: 5, Segments: 1}},
		{"160 septets fit one", strings.Repeat("a", 160), flows.SMSInfo{Encoding: flows.GSM7, Units: 160, Segments: 1}},
		{"161 septets take two", strings.Repeat("a", 161), flows.SMSInfo{Encoding: flows.GSM7, Units: 161, Segments: 2}},
		{"306 septets take two", strings.Repeat("a", 306), flows.SMSInfo{Encoding: flows.GSM7, Units: 306, Segments: 2}},
		{"307 septets take three", strings.Repeat("a", 307), flows.SMSInfo{Encoding: flows.GSM7, Units: 307, Segments: 3}},
		{"extension chars count twice", "{}€", flows.SMSInfo{Encoding: flows.GSM7, Units: 6, Segments: 1}},
		{"80 euro signs overflow", strings.Repeat("€", 81), flows.SMSInfo{Encoding: flows.GSM7, Units: 162, Segments: 2}},
		{"GSM accents stay GSM-7", "èéùìò", flows.SMSInfo{Encoding: flows.GSM7, Units: 5, Segments: 1}},
		{"vietnamese is UCS-2", "Giúp", flows.SMSInfo{Encoding: flows.UCS2, Units: 4, Segments: 1}},
		{"70 UCS-2 fit one", strings.Repeat("ư", 70), flows.SMSInfo{Encoding: flows.UCS2, Units: 70, Segments: 1}},
		{"71 UCS-2 take two", strings.Repeat("ư", 71), flows.SMSInfo{Encoding: flows.UCS2, Units: 71, Segments: 2}},
		{"emoji is two units", "😀", flows.SMSInfo{Encoding: flows.UCS2, Units: 2, Segments: 1}},
		{"135 UCS-2 take three", strings.Repeat("ư", 135), flows.SMSInfo{Encoding: flows.UCS2, Units: 135, Segments: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, flows.MeasureSMS(tt.in))
		})
	}
}

func TestStrippedVietnameseIsGSM7(t *testing.T) {
	t.Parallel()
	s := flows.StripDiacritics("Yêu cầu của bạn đã được nhận. Mã 4821.")
	require.Equal(t, flows.GSM7, flows.MeasureSMS(s).Encoding, s)
}
