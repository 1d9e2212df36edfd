package loadgen

import (
	"flag"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRegisterFlags(t *testing.T) {
	t.Parallel()
	o := Options{BaseURL: "http://127.0.0.1:8080", AuthToken: "from-env", Workers: 8}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.RegisterFlags(fs)
	require.NoError(t, fs.Parse([]string{"-rate", "500", "-duration", "10s", "-ussd-share", "0.5",
		"-ussd-inputs", "1,2", "-body", "MENU", "-body", "TT, xin chào", "-phones", "64"}))
	require.Equal(t, Options{
		BaseURL: "http://127.0.0.1:8080", AuthToken: "from-env", Workers: 8, Rate: 500, Duration: 10 * time.Second,
		USSDShare: 0.5, USSDInputs: []string{"1", "2"}, Bodies: []string{"MENU", "TT, xin chào"}, Phones: 64,
	}, o)
}
