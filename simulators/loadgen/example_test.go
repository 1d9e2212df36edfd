package loadgen_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/caseline/caseline/simulators/loadgen"
)

func ExampleRun() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/twilio/sms" {
			fmt.Fprint(w, `<Response><Message>Menu</Message></Response>`)
			return
		}
		fmt.Fprint(w, "CON Menu")
	}))
	defer srv.Close()

	rep, err := loadgen.Run(context.Background(), loadgen.Options{
		BaseURL:   srv.URL,
		AuthToken: "token",
		USSDToken: "t",
		Workers:   4,
		Count:     100,              // 100 jobs…
		Duration:  10 * time.Second, // …or 10 s, whichever comes first
		USSDShare: 0.5,              // half of them USSD sessions of two hops
	})
	fmt.Println(rep.Jobs, rep.Requests, rep.OK, rep.ErrorCount(), err)
	// Output: 100 150 150 0 <nil>
}
