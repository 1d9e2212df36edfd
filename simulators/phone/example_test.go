package phone_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/caseline/caseline/simulators/phone"
)

func ExampleRunScript() {
	// A stand-in for Caseline: one SMS keyword and a one-screen USSD menu.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		switch {
		case r.URL.Path == "/twilio/sms":
			fmt.Fprint(w, `<Response><Message>Ten cua ban la gi?</Message></Response>`)
		case r.PostForm.Get("text") == "":
			fmt.Fprint(w, "CON 1 Đăng ký\n2 Kế hoạch")
		default:
			fmt.Fprint(w, "END Bạn chưa đăng ký.")
		}
	}))
	defer srv.Close()

	script := `
phone +84901234567
sms> DK
< contains: tên của bạn
ussd> *123#
< CON
ussd> 2
< END chua dang ky
ussd> *123#
< END
`
	opts := phone.ScriptOptions{Options: phone.Options{BaseURL: srv.URL, AuthToken: "token", USSDToken: "t"}}
	res, err := phone.RunScript(context.Background(), opts, strings.NewReader(script))
	fmt.Println(res.Steps, res.Checks, err)
	// Output: 4 3 line 10: expected END, got "CON 1 Đăng ký\n2 Kế hoạch"
}
