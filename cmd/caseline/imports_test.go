package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The import rules of ARCHITECTURE.md, checked on what `go list -deps` reports.

const module = "github.com/caseline/caseline"

// careMayUse are the libraries the domain may import besides the standard library (with
// whatever they import themselves).
var careMayUse = []string{"github.com/looplab/fsm", "github.com/nyaruka/phonenumbers"}

// domainNeverUses are what care and flows must not reach, even indirectly.
var domainNeverUses = []string{
	"net/http", "github.com/jackc/pgx/v5", "github.com/hibiken/asynq", "github.com/rs/zerolog",
	module + "/gateway", module + "/workers", module + "/store",
}

// testKits are the test helpers: only tests, and the kits themselves, import them.
var testKits = []string{module + "/care/caretest", module + "/store/storetest", module + "/gateway/gatewaytest"}

// listedPackage is the part of `go list -json` output the rules read.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Deps       []string
}

// within reports whether path is root or a package under it.
func within(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}

func withinAny(path string, roots []string) bool {
	return slices.ContainsFunc(roots, func(r string) bool { return within(path, r) })
}

// importViolations returns one line per broken rule, sorted.
func importViolations(pkgs []listedPackage) []string {
	byPath := make(map[string]listedPackage, len(pkgs))
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	// What care may reach: the standard library, careMayUse and everything they reach.
	allowed := make(map[string]bool)
	for _, p := range pkgs {
		if withinAny(p.ImportPath, careMayUse) {
			allowed[p.ImportPath] = true
			for _, d := range p.Deps {
				allowed[d] = true
			}
		}
	}

	var out []string
	for _, p := range pkgs {
		if !within(p.ImportPath, module) {
			continue
		}
		for _, d := range p.Deps {
			switch {
			// care/dialog first: it is in care, and its own rule says more.
			case within(p.ImportPath, module+"/care/dialog") && within(d, module) && !within(d, module+"/care") && !within(d, module+"/care/dialog"):
				out = append(out, fmt.Sprintf("%s imports %s: dialog, the turn's types, imports only care", p.ImportPath, d))
			case within(p.ImportPath, module+"/care") && !byPath[d].Standard && !allowed[d] && !within(d, module+"/care"):
				out = append(out, fmt.Sprintf("%s imports %s: care imports only the standard library, looplab/fsm and nyaruka/phonenumbers", p.ImportPath, d))
			case (within(p.ImportPath, module+"/care") || within(p.ImportPath, module+"/flows")) && withinAny(d, domainNeverUses):
				out = append(out, fmt.Sprintf("%s imports %s: care and flows know nothing of HTTP, SQL, Redis, logging, gateway, workers or store", p.ImportPath, d))
			case within(p.ImportPath, module+"/store") && within(d, module+"/flows"):
				out = append(out, fmt.Sprintf("%s imports %s: store and flows meet in dialog, the turn's types, not in each other", p.ImportPath, d))
			case within(p.ImportPath, module+"/gateway") && within(d, module+"/workers"),
				within(p.ImportPath, module+"/workers") && within(d, module+"/gateway"):
				out = append(out, fmt.Sprintf("%s imports %s: gateway and workers never import each other", p.ImportPath, d))
			case within(d, module+"/simulators") && !within(p.ImportPath, module+"/cmd") && !within(p.ImportPath, module+"/simulators"):
				out = append(out, fmt.Sprintf("%s imports %s: only cmd imports the simulators", p.ImportPath, d))
			case withinAny(d, testKits) && !withinAny(p.ImportPath, testKits):
				out = append(out, fmt.Sprintf("%s imports %s: test helpers are for tests only", p.ImportPath, d))
			}
		}
	}
	slices.Sort(out)
	return out
}

// goList runs `go list -deps -json ./...` at the module root.
func goList(t *testing.T) []listedPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard,Deps", "./...")
	cmd.Dir = "../.."
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())
	var pkgs []listedPackage
	dec := json.NewDecoder(&stdout)
	for {
		var p listedPackage
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestImportsFollowTheArchitecture(t *testing.T) {
	t.Parallel()
	pkgs := goList(t)
	paths := make([]string, 0, len(pkgs))
	for _, p := range pkgs {
		paths = append(paths, p.ImportPath)
	}
	require.Contains(t, paths, module+"/care", "the rules have something to check")
	require.Contains(t, paths, module+"/gateway")
	require.Empty(t, importViolations(pkgs))
}

func TestImportViolationsCatchEachRule(t *testing.T) {
	t.Parallel()
	std := func(path string) listedPackage { return listedPackage{ImportPath: path, Standard: true} }
	pkg := func(path string, deps ...string) listedPackage { return listedPackage{ImportPath: path, Deps: deps} }
	base := []listedPackage{
		std("fmt"), std("net/http"),
		pkg("github.com/looplab/fsm", "fmt"),
		pkg("github.com/nyaruka/phonenumbers", "google.golang.org/protobuf/proto"),
		pkg("google.golang.org/protobuf/proto"),
		pkg("github.com/rs/zerolog"), pkg("github.com/jackc/pgx/v5/pgxpool"), pkg("github.com/google/uuid"),
		pkg(module + "/store"), pkg(module + "/workers"), pkg(module + "/gateway/twilio"), pkg(module + "/simulators/phone"),
	}
	tests := []struct {
		name string
		pkg  listedPackage
		want string // "" for no violation
	}{
		{"care on its allowed libraries", pkg(module+"/care", "fmt", "github.com/looplab/fsm", "github.com/nyaruka/phonenumbers", "google.golang.org/protobuf/proto"), ""},
		{"care on another library", pkg(module+"/care", "github.com/google/uuid"), module + "/care imports github.com/google/uuid: care imports only"},
		{"care on net/http", pkg(module+"/care", "net/http"), module + "/care imports net/http: care and flows know nothing"},
		{"care on store", pkg(module+"/care", module+"/store"), module + "/care imports " + module + "/store: care imports only"},
		{"flows on pgx", pkg(module+"/flows", "github.com/jackc/pgx/v5/pgxpool"), module + "/flows imports github.com/jackc/pgx/v5/pgxpool: care and flows"},
		{"flows on zerolog", pkg(module+"/flows/register", "github.com/rs/zerolog"), module + "/flows/register imports github.com/rs/zerolog: care and flows"},
		{"flows on uuid is fine", pkg(module+"/flows", "github.com/google/uuid"), ""},
		{"store on flows", pkg(module+"/store", module+"/flows"), module + "/store imports " + module + "/flows: store and flows meet in dialog"},
		{"store on dialog is fine", pkg(module+"/store", module+"/care/dialog", module+"/care"), ""},
		{"dialog on flows", pkg(module+"/care/dialog", module+"/flows"), module + "/care/dialog imports " + module + "/flows: dialog, the turn's types, imports only care"},
		{"gateway on workers", pkg(module+"/gateway/twilio", module+"/workers"), module + "/gateway/twilio imports " + module + "/workers: gateway and workers"},
		{"workers on gateway", pkg(module+"/workers", module+"/gateway/twilio"), module + "/workers imports " + module + "/gateway/twilio: gateway and workers"},
		{"store on simulators", pkg(module+"/store", module+"/simulators/phone"), module + "/store imports " + module + "/simulators/phone: only cmd"},
		{"cmd on simulators is fine", pkg(module+"/cmd/caseline", module+"/simulators/phone", module+"/workers", module+"/gateway"), ""},
		{"workers on the test clock", pkg(module+"/workers", module+"/care/caretest"), module + "/workers imports " + module + "/care/caretest: test helpers"},
		{"cmd on the test database", pkg(module+"/cmd/caseline", module+"/store/storetest"), module + "/cmd/caseline imports " + module + "/store/storetest: test helpers"},
		{"gateway on the fake engine", pkg(module+"/gateway/twilio", module+"/gateway/gatewaytest"), module + "/gateway/twilio imports " + module + "/gateway/gatewaytest: test helpers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := importViolations(append(slices.Clone(base), tt.pkg))
			if tt.want == "" {
				require.Empty(t, got)
				return
			}
			require.Len(t, got, 1, got)
			require.True(t, strings.HasPrefix(got[0], tt.want), got[0])
		})
	}
}
