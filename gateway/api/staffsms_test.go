package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/store/storetest"
)

// TestSendSMS: a staff member's SMS to a person goes into the message log as a queued
// outbound SMS written by them, composed for the person's phone, and audited; nobody writes
// outside their communes, to someone who opted out, or what would reveal a report.
func TestSendSMS(t *testing.T) {
	t.Parallel()
	e := setup(t)
	w := e.world()
	url := path("/persons/%d/messages", w.person.ID)

	bad := []struct {
		name   string
		token  string
		body   any
		status int
		code   string
		field  string
	}{
		{"empty text", w.token, map[string]any{"text": "  "}, http.StatusBadRequest, care.EINVALID, "text"},
		{"no text", w.token, map[string]any{}, http.StatusBadRequest, care.EINVALID, "text"},
		{"too long", w.token, map[string]any{"text": strings.Repeat("Xin chào ", 51)}, http.StatusBadRequest, care.EINVALID, "text"},
		{"four segments", w.token, map[string]any{"text": strings.Repeat("a", 3*153+1)}, http.StatusBadRequest, care.EINVALID, "text"},
		{"reveals a report", w.token, map[string]any{"text": "Chúng tôi đã nhận tin về bạo lực"}, http.StatusBadRequest, care.EINVALID, "text"},
		{"reveals a report in English", w.token, map[string]any{"text": "About your report"}, http.StatusBadRequest, care.EINVALID, "text"},
		{"unknown field", w.token, map[string]any{"text": "Chào anh", "to": "+84912000000"}, http.StatusBadRequest, care.EINVALID, "to"},
		{"another commune", w.otherToken, map[string]any{"text": "Chào anh"}, http.StatusNotFound, care.ENOTFOUND, ""},
		{"no token", "", map[string]any{"text": "Chào anh"}, http.StatusUnauthorized, "unauthenticated", ""},
	}
	for _, tt := range bad {
		fields := e.fails(tt.status, tt.code, tt.token, "POST", url, tt.body)
		if tt.field != "" {
			require.Contains(t, fields, tt.field, tt.name)
		}
	}
	require.Empty(t, e.ok(http.StatusOK, w.token, "GET", url, nil)["items"], "a refused SMS writes nothing")

	m := e.ok(http.StatusAccepted, w.token, "POST", url, map[string]any{"text": " Chị Lan sẽ đến nhà anh thứ Hai. "})
	require.Equal(t, "Chi Lan se den nha anh thu Hai.", m["body"], "without diacritics, as every SMS by default")
	require.Equal(t, "out", m["direction"])
	require.Equal(t, "sms", m["channel"])
	require.Equal(t, "android", m["provider"], "routed like any SMS to the number")
	require.Equal(t, "queued", m["status"], "the workers send it")
	require.Equal(t, float64(w.manager.ID), m["staff_id"])
	require.Equal(t, []string{care.AuditMessageSend}, e.audit("message", id(m, "id"), w.manager.ID))

	stored, err := storetest.Message(e.ctx, e.s, care.MessageID(id(m, "id")))
	require.NoError(t, err)
	require.Equal(t, w.person.Phone, stored.Phone)
	require.Equal(t, w.person.ID, stored.PersonID)
	require.Equal(t, w.manager.ID, stored.StaffID)
	require.NotEmpty(t, stored.IdempotencyKey)

	log := e.ok(http.StatusOK, w.token, "GET", url, nil)["items"].([]any)
	require.Len(t, log, 1)
	require.Equal(t, m, log[0].(map[string]any))

	// A repeated request with the same key sends once.
	first := e.ok(http.StatusAccepted, w.token, "POST", url, map[string]any{"text": "Hẹn gặp", "key": "k1"})
	again := e.ok(http.StatusAccepted, w.token, "POST", url, map[string]any{"text": "Hẹn gặp", "key": "k1"})
	require.Equal(t, first["id"], again["id"])
	require.Equal(t, []string{care.AuditMessageSend}, e.audit("message", id(first, "id"), w.manager.ID))
	other := e.ok(http.StatusAccepted, w.token, "POST", url, map[string]any{"text": "Hẹn gặp", "key": "k2"})
	require.NotEqual(t, first["id"], other["id"])

	// Someone who asked for diacritics gets them.
	dia := e.Person(w.a)
	_, err = e.s.ChangePersonAs(e.ctx, w.manager.ID, dia.ID, func(p *care.Person) (string, []string, error) {
		p.Diacritics = true
		return care.AuditPersonUpdate, []string{"diacritics"}, nil
	})
	require.NoError(t, err)
	m = e.ok(http.StatusAccepted, w.token, "POST", path("/persons/%d/messages", dia.ID), map[string]any{"text": "Chào chị"})
	require.Equal(t, "Chào chị", m["body"])

	// Someone who opted out gets nothing.
	out := e.Person(w.a)
	out.Status = care.PersonOptedOut
	require.NoError(t, storetest.UpdatePerson(e.ctx, e.s, out))
	e.fails(http.StatusConflict, care.ECONFLICT, w.token, "POST", path("/persons/%d/messages", out.ID), map[string]any{"text": "Chào chị"})
	require.Empty(t, e.ok(http.StatusOK, w.token, "GET", path("/persons/%d/messages", out.ID), nil)["items"])
}
