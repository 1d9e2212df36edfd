package phone

import (
	"flag"
	"io"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRegisterFlags(t *testing.T) {
	t.Parallel()
	o := Options{BaseURL: "http://127.0.0.1:8080", AuthToken: "from-env"}
	fs := flag.NewFlagSet("phone", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.RegisterFlags(fs)
	require.NoError(t, fs.Parse([]string{"-from", "0901234567", "-ussd-token", "u", "-public-url", "http://localhost:8080"}))
	require.Equal(t, Options{BaseURL: "http://127.0.0.1:8080", AuthToken: "from-env", Number: "0901234567",
		USSDToken: "u", PublicBaseURL: "http://localhost:8080"}, o)
}
