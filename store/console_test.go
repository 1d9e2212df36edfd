package store_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// TestConcurrentWrongCodesLockOnce tries twenty wrong codes at once: the row lock makes them
// count one by one, so exactly four are wrong, the fifth locks, and the rest find the lock;
// the right code then does nothing until the lock ends.
func TestConcurrentWrongCodesLockOnce(t *testing.T) {
	t.Parallel()
	e := setup(t)
	m := e.fx.Staff(e.fx.Commune("A"), care.RoleCaseManager, 0)
	code := care.HashAPIToken("123456")
	out, err := e.s.RequestSignInCode(e.ctx, care.CodeRequest{Phone: m.Phone, CodeHash: code,
		Bodies: map[care.Language]string{care.Vietnamese: "Ma: 123456"}, Provider: care.ProviderTwilio})
	require.NoError(t, err)
	require.Equal(t, care.SignInSent, out)

	var wg sync.WaitGroup
	outcomes := make(chan care.SignInOutcome, 20)
	for range 20 {
		wg.Go(func() {
			_, hash, err := care.NewSessionID()
			require.NoError(t, err)
			st, o, err := e.s.SignIn(e.ctx, m.Phone, care.HashAPIToken("000000"), hash)
			require.NoError(t, err)
			require.Nil(t, st)
			outcomes <- o
		})
	}
	wg.Wait()
	close(outcomes)
	count := map[care.SignInOutcome]int{}
	for o := range outcomes {
		count[o]++
	}
	require.Equal(t, map[care.SignInOutcome]int{care.SignInWrongCode: 4, care.SignInLocked: 16}, count)

	_, hash, err := care.NewSessionID()
	require.NoError(t, err)
	st, o, err := e.s.SignIn(e.ctx, m.Phone, code, hash)
	require.NoError(t, err)
	require.Nil(t, st)
	require.Equal(t, care.SignInLocked, o)
	_, err = e.s.StaffBySession(e.ctx, hash)
	require.Equal(t, care.EUNAUTHORIZED, care.ErrorCode(err), "no session was made")

	e.clock.Advance(care.SignInLock)
	st, o, err = e.s.SignIn(e.ctx, m.Phone, code, hash)
	require.NoError(t, err)
	require.Equal(t, care.SignInWrongCode, o, "the lock spent the code")
	require.Nil(t, st)
}
