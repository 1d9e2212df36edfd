package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestREADMEDocumentsEveryVariable keeps README.md's configuration table and the variables
// run reads the same set.
func TestREADMEDocumentsEveryVariable(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([A-Z0-9_]+)` \\|").FindAllSubmatch(readme, -1) {
		documented = append(documented, string(m[1]))
	}
	var read []string
	for _, v := range variables() {
		read = append(read, v.name)
	}
	require.Equal(t, read, documented, "README.md's configuration table lists every variable, in order")
}

// TestCIRunsTheREADMEsTestCommand: .ci/run's one command is the README's test command, the
// second line of its "two commands" block, word for word.
func TestCIRunsTheREADMEsTestCommand(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	block := regexp.MustCompile("(?s)```sh\n(bash scripts/dev\\.sh[^\n]*)\n(bash scripts/test\\.sh[^\n]*)\n```").FindSubmatch(readme)
	require.NotNil(t, block, "README.md shows the two commands, dev.sh then test.sh, in one block")
	ci, err := os.ReadFile("../../.ci/run")
	require.NoError(t, err)
	var commands []string
	for _, line := range strings.Split(string(ci), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "set ") || strings.HasPrefix(line, "cd ") {
			continue
		}
		commands = append(commands, line)
	}
	require.Equal(t, []string{string(block[2])}, commands)
}
