package phone

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunScriptFile(t *testing.T) {
	t.Parallel()
	_, opts := setup(t)
	f, err := os.Open("testdata/fake.script")
	require.NoError(t, err)
	defer f.Close()
	var log bytes.Buffer
	res, err := RunScript(context.Background(), ScriptOptions{Options: opts, Log: &log}, f)
	require.NoError(t, err, log.String())
	require.Nil(t, res.Mismatch)
	require.Equal(t, 10, res.Steps)
	require.Equal(t, 14, res.Checks)
	require.Contains(t, log.String(), "🔊 Chào mừng đến Caseline.")
	require.Contains(t, log.String(), "│ Chào mừng")
}

func TestRunScript(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		script   string
		strict   bool
		line     int    // of the mismatch; 0 when the script passes
		actual   string // part of the mismatch's Actual
		errorHas string // an error that is not a mismatch
	}{
		{name: "pass", script: "sms> DK\n< contains: TEN CUA   BAN\n"},
		{name: "contains fails", script: "sms> DK\n\n# comment\n< contains: tuổi\n", line: 4, actual: "Tên của bạn là gì?"},
		{name: "strict diacritics", strict: true, script: "sms> DK\n< contains: Tên của\n< contains: Ten cua\n", line: 3},
		{name: "equals fails", script: "sms> DK\n< equals: Tên của bạn\n", line: 2},
		{name: "matches", script: "sms> hi 42\n< matches: ^echo hi \\d+$\n< matches: ^\\d+$\n", line: 3},
		{name: "none fails", script: "sms> DK\n< none\n", line: 2},
		{name: "none on a screen", script: "ussd> *123#\n< none\n", line: 2},
		{name: "CON expected, END came", script: "ussd> *123#\nussd> 2\n< CON\n", line: 3, actual: "END Bạn chưa đăng ký."},
		{name: "END with text", script: "ussd> *123#\nussd> 2\n< END chua dang ky\n< end\n"},
		{name: "USSD text accumulates", script: "ussd> *123#\nussd> 1\nussd> 2\nussd> 3\n< contains: text=1*2*3\n"},
		{name: "end on an open session", script: "ussd> *123#\n< end\n", line: 2, actual: "still open"},
		{name: "say on SMS", script: "sms> DK\n< say: Tên\n", line: 2, actual: "sms reply"},
		{name: "wait re-prompts", script: "call>\nwait>\n< say: chua nghe thay\n< gather\nwait>\n< say: chưa nghe\npress> 1\n< say: ngày mai\n< end\n"},
		{name: "dial wrong number", script: "call>\npress> 0\n< dial: +84999999999\n", line: 3, actual: "+84912345678"},
		{name: "gather after hangup", script: "call>\npress> 1\n< gather\n", line: 3},
		{name: "dial outcome", script: "call>\npress> 8\n< dial: +84912345679\ndialed> busy\n< say: nghe may: busy\n< end\n"},
		{name: "dialed without a ringing dial", script: "call>\ndialed> busy\n", errorHas: "line 2: dial ends"},
		{name: "dialed an unknown outcome", script: "call>\npress> 8\ndialed> ringing\n", errorHas: "not one of"},
		{name: "expected status", script: "sms> BROKEN\n< status: 500\nsms> DK\n< contains: Tên\n"},
		{name: "status expected, 200 came", script: "sms> DK\n< status: 403\n", line: 2, actual: "http status 200"},
		{name: "unexpected failure stops", script: "sms> BROKEN\nsms> DK\n", errorHas: "line 2: sms: POST /twilio/sms: http status 500"},
		{name: "unexpected failure at the end", script: "sms> BROKEN\n", errorHas: "http status 500"},
		{name: "failure meets a text expectation", script: "sms> BROKEN\n< contains: x\n", line: 2, actual: "http status 500"},
		{name: "press without a call", script: "press> 1\n", errorHas: "line 1: press"},
		{name: "unknown input", script: "fax> 1\n", errorHas: `line 1: unknown input "fax>"`},
		{name: "not a line kind", script: "hello\n", errorHas: "line 1:"},
		{name: "unknown expectation", script: "sms> hi\n< smells: x\n", errorHas: "line 2: unknown expectation"},
		{name: "expectation first", script: "< none\n", errorHas: "line 1: an expectation before any input"},
		{name: "bad phone", script: "phone nope\n", errorHas: "line 1: new phone"},
		{name: "second phone", script: "phone +84912000111\nsms> x\n< equals: echo x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, opts := setup(t)
			res, err := RunScript(context.Background(), ScriptOptions{Options: opts, StrictDiacritics: tt.strict}, strings.NewReader(tt.script))
			switch {
			case tt.errorHas != "":
				require.ErrorContains(t, err, tt.errorHas)
				require.Nil(t, res.Mismatch)
			case tt.line != 0:
				var mm *Mismatch
				require.ErrorAs(t, err, &mm)
				require.Same(t, mm, res.Mismatch)
				require.Equal(t, tt.line, mm.Line)
				require.Contains(t, mm.Actual, tt.actual)
				require.Contains(t, mm.Error(), "line ")
			default:
				require.NoError(t, err)
				require.Nil(t, res.Mismatch)
			}
		})
	}
}

func TestRunScriptNoPhone(t *testing.T) {
	t.Parallel()
	_, opts := setup(t)
	opts.Number = ""
	_, err := RunScript(context.Background(), ScriptOptions{Options: opts}, strings.NewReader("sms> hi\n"))
	require.ErrorContains(t, err, "no phone yet")
}
