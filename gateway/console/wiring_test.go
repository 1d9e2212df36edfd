package console_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/care/caretest"
	"github.com/caseline/caseline/gateway/console"
)

// A console built without its store is a wiring mistake, reported as every handler reports
// one: an error before anything is served, never a panic.
func TestNewRequiresItsDependencies(t *testing.T) {
	t.Parallel()
	h, err := console.New(console.Deps{Clock: caretest.NewClock(start)})
	var wiring *care.WiringError
	require.ErrorAs(t, err, &wiring)
	require.Equal(t, "console handler", wiring.Part)
	require.Nil(t, h)
}
