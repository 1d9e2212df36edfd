package workers_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// A request for help nobody acknowledged has climbed to the supervisor of commune X1 when
// the case moves to Y1: Y1's supervisor is told of it at the rung it stands on, X1's is not
// told again, and the escalation now belongs to Y1 (whose staff see and acknowledge it).
func TestATransferredCasesEscalationReachesTheNewCommunesLadder(t *testing.T) {
	e := setup(t)
	p := e.person("deaf", "vi", false)
	esc := e.askHelp(p, care.HelpRequest{Category: care.HelpHealth, Channel: care.ChannelSMS}, false, start.Add(care.DefaultSLA.Normal))
	e.at(start)
	require.Len(t, e.sender.to(e.mgr.Phone), 1, "X1's case manager is told first")
	e.at(start.Add(care.DefaultSLA.Normal + time.Minute))
	toldX := len(e.sender.to(e.sup.Phone))
	require.Positive(t, toldX, "unacknowledged, it climbed to X1's supervisor")

	y := e.w.Commune("Y1")
	ySup := e.w.Staff(y, care.RoleSupervisor, 0)
	yMgr := e.w.Staff(y, care.RoleCaseManager, ySup.ID)
	_, err := e.st.TransferCaseAs(e.ctx, e.mgr.ID, p.Case, y, yMgr.ID, "chuyển về nhà con gái", flows.NewNews(care.Routes{}, e.loc))
	require.NoError(t, err)
	e.at(e.clock.Now().Add(time.Minute))

	require.NotEmpty(t, e.sender.to(ySup.Phone), "Y1's supervisor is told of the escalation at its rung")
	require.Len(t, e.sender.to(e.sup.Phone), toldX, "X1's supervisor is not told again")
	require.Equal(t, "Y1", e.str(`SELECT commune FROM escalation WHERE id = $1`, int64(esc)))
}
