package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/simulators/loadgen"
	"github.com/caseline/caseline/simulators/phone"
	"github.com/caseline/caseline/store"
)

// localURL is where a tool run on this machine reaches the gateway: LISTEN_ADDR on loopback.
func localURL(cfg config) string {
	host, port, _ := strings.Cut(cfg.ListenAddr, ":")
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + host + ":" + port
}

// healthCommand asks the process listening on LISTEN_ADDR whether it is ready, for a
// health check where there is no curl (the container image holds only this binary).
func healthCommand(ctx context.Context, cfg config, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, localURL(cfg)+"/readyz", nil)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: /readyz answered %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	_, err = fmt.Fprintf(stdout, "%s\n", body)
	return err
}

// phoneCommand runs the feature-phone simulator: interactive on stdin, or a script file.
//
//	caseline phone [-from +84…] [-url …]            interactive
//	caseline phone [flags] script FILE               replay a script, fail on the first mismatch
func phoneCommand(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	opts := phone.Options{
		BaseURL: localURL(cfg), PublicBaseURL: cfg.PublicBaseURL, AuthToken: cfg.TwilioAuthToken,
		AccountSID: cfg.TwilioAccountSID, Number: "+84987654321", To: cfg.ourNumber(), USSDToken: cfg.USSDToken,
	}
	fs := flag.NewFlagSet("phone", flag.ContinueOnError)
	fs.SetOutput(stdout)
	opts.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return usagef("phone: %v", err)
	}
	switch rest := fs.Args(); {
	case len(rest) == 0:
		return phone.Interactive(ctx, opts, stdin, stdout)
	case len(rest) == 2 && rest[0] == "script":
		f, err := os.Open(rest[1])
		if err != nil {
			return fmt.Errorf("phone script: %w", err)
		}
		defer f.Close()
		res, err := phone.RunScript(ctx, phone.ScriptOptions{Options: opts, Log: stdout}, f)
		if err != nil {
			return fmt.Errorf("phone script %s: %w", rest[1], err)
		}
		_, err = fmt.Fprintf(stdout, "script passed: %d steps, %d checks\n", res.Steps, res.Checks)
		return err
	default:
		return usagef("phone takes flags, then nothing or `script FILE`")
	}
}

// loadCommand runs the load generator against the local gateway and prints its report.
func loadCommand(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	opts := loadgen.Options{
		BaseURL: localURL(cfg), PublicBaseURL: cfg.PublicBaseURL, AuthToken: cfg.TwilioAuthToken,
		AccountSID: cfg.TwilioAccountSID, To: cfg.ourNumber(), USSDToken: cfg.USSDToken,
	}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stdout)
	opts.RegisterFlags(fs)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return usagef("load: %v", err)
	}
	if fs.NArg() != 0 {
		return usagef("load takes flags only")
	}
	rep, err := loadgen.Run(ctx, opts)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	if *asJSON {
		return rep.WriteJSON(stdout)
	}
	_, err = io.WriteString(stdout, rep.String())
	return err
}

// tokenCommand creates, lists and revokes case-manager API tokens.
//
//	caseline token create PHONE [LABEL]   prints the token once
//	caseline token list PHONE
//	caseline token revoke ID
func tokenCommand(ctx context.Context, cfg config, log zerolog.Logger, args []string, stdout io.Writer) error {
	if len(args) < 2 || len(args) > 3 || (args[0] != "create" && len(args) != 2) {
		return usagef("token takes `create PHONE [LABEL]`, `list PHONE` or `revoke ID`")
	}
	pool, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool, care.SystemClock{})
	manager := func(s string) (*care.CaseManager, error) {
		p, err := care.ParsePhone(s)
		if err != nil {
			return nil, usagef("token: %q is not a phone number", s)
		}
		return st.ManagerByPhone(ctx, p)
	}
	switch args[0] {
	case "create":
		m, err := manager(args[1])
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		label := ""
		if len(args) == 3 {
			label = args[2]
		}
		token, t, err := st.CreateAPIToken(ctx, 0, m.ID, label)
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		_, err = fmt.Fprintf(stdout, "token %d for %s (%s): %s\nIt is shown once; only its hash is kept.\n", t.ID, m.Name, m.Role, token)
		return err
	case "list":
		m, err := manager(args[1])
		if err != nil {
			return fmt.Errorf("token list: %w", err)
		}
		ts, err := st.APITokens(ctx, m.ID)
		if err != nil {
			return fmt.Errorf("token list: %w", err)
		}
		for _, t := range ts {
			state := "active"
			if t.RevokedAt != nil {
				state = "revoked " + t.RevokedAt.Format("2006-01-02 15:04")
			}
			if _, err := fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\n", t.ID, t.CreatedAt.Format("2006-01-02 15:04"), state, t.Label); err != nil {
				return err
			}
		}
		return nil
	case "revoke":
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return usagef("token revoke takes a token id")
		}
		if err := st.RevokeAPIToken(ctx, 0, care.TokenID(id)); err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
		_, err = fmt.Fprintf(stdout, "token %d revoked\n", id)
		return err
	}
	return usagef("token takes create, list or revoke")
}
