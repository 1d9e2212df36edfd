package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// promptsDir writes the shipped prompt files into a new folder, the Vietnamese one with from
// replaced by to (when from is set), and returns it.
func promptsDir(t *testing.T, from, to string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"vi.yaml", "en.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "flows", "prompts", name))
		require.NoError(t, err)
		text := string(b)
		if name == "vi.yaml" && from != "" {
			require.Contains(t, text, from)
			text = strings.Replace(text, from, to, 1)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	return dir
}

// tooLong makes the registration's last SMS two segments long.
const (
	tooLongFrom = `reg_done: "Đăng ký xong.`
	tooLongTo   = `reg_done: "Đăng ký xong, cảm ơn bạn rất nhiều vì đã tin tưởng chúng tôi và dành thời gian trả lời từng câu hỏi một cách cẩn thận, đầy đủ.`
)

func TestPromptsCheck(t *testing.T) {
	t.Parallel()
	run := func(env map[string]string, args ...string) (string, error) {
		var stdout, stderr strings.Builder
		err := run(t.Context(), append([]string{"caseline", "prompts"}, args...), getenv(env), strings.NewReader(""), &stdout, &stderr)
		return stdout.String(), err
	}
	out, err := run(nil, "check", promptsDir(t, "", ""))
	require.NoError(t, err, out)
	require.Contains(t, out, "every prompt passes")
	out, err = run(nil, "check")
	require.NoError(t, err, "the shipped prompts: %s", out)

	out, err = run(nil, "check", promptsDir(t, tooLongFrom, tooLongTo))
	require.Error(t, err)
	require.Equal(t, 1, exitCode(err))
	require.Contains(t, out, "reg_done (register/registered sms vi): an SMS must fit one GSM-7 segment")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		require.Contains(t, line, "reg_done", "only the edited prompt is named")
	}

	// PROMPTS_DIR is what check reads without a folder named.
	out, err = run(map[string]string{"PROMPTS_DIR": promptsDir(t, tooLongFrom, tooLongTo)}, "check")
	require.Equal(t, 1, exitCode(err))
	require.Contains(t, out, "reg_done")

	_, err = run(nil, "check", t.TempDir())
	require.Equal(t, 2, exitCode(err), "a folder without prompt files")
	_, err = run(nil, "verify")
	require.Equal(t, 2, exitCode(err))
}

func TestServeWorkAndDevRefuseAFailingPromptsDir(t *testing.T) {
	t.Parallel()
	dir := promptsDir(t, tooLongFrom, tooLongTo)
	for _, command := range []string{"serve", "work", "dev"} {
		env := testEnv(t, "postgres://caseline:caseline@"+closedPort+"/caseline", map[string]string{"PROMPTS_DIR": dir})
		var stdout, stderr strings.Builder
		err := run(t.Context(), []string{"caseline", command}, getenv(env), strings.NewReader(""), &stdout, &stderr)
		require.Equal(t, 2, exitCode(err), command)
		require.Contains(t, err.Error(), "PROMPTS_DIR: prompt reg_done (register/registered sms vi): an SMS must fit one GSM-7 segment", command)
		require.Empty(t, stdout.String()+stderr.String(), "nothing starts")
	}
	// A folder that passes starts as far as the database (closed here: exit 1, not 2).
	env := testEnv(t, "postgres://caseline:caseline@"+closedPort+"/caseline", map[string]string{"PROMPTS_DIR": promptsDir(t, "", "")})
	_, err := loadConfig(getenv(env), "serve")
	require.NoError(t, err)
}

func TestPromptsList(t *testing.T) {
	t.Parallel()
	var stdout strings.Builder
	err := run(t.Context(), []string{"caseline", "prompts", "list"}, getenv(nil), strings.NewReader(""), &stdout, &stdout)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.Greater(t, len(lines), 100)
	var menu, menuVoice, done string
	for _, l := range lines {
		switch strings.Fields(l)[0] {
		case "menu":
			menu = l
		case "menu_voice":
			menuVoice = l
		case "reg_done":
			done = l
		}
	}
	require.Contains(t, menu, " sms,ussd ", "a call says menu_voice instead")
	require.Contains(t, menuVoice, " voice ")
	require.Contains(t, menu, "hỗ trợ người khuyết tật")
	require.Contains(t, menu, "disability support")
	require.Contains(t, done, "no: said", "a prompt with placeholders cannot be recorded")
}

func TestARecordingOfNoPromptIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "vi"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vi", "bye.mp3"), []byte("ID3"), 0o644))
	var stdout strings.Builder
	err := run(t.Context(), []string{"caseline", "prompts", "check", "-audio", dir}, getenv(nil), strings.NewReader(""), &stdout, &stdout)
	require.NoError(t, err, stdout.String())

	require.NoError(t, os.WriteFile(filepath.Join(dir, "vi", "goodbye.mp3"), []byte("ID3"), 0o644))
	stdout.Reset()
	err = run(t.Context(), []string{"caseline", "prompts", "check", "-audio", dir}, getenv(nil), strings.NewReader(""), &stdout, &stdout)
	require.Equal(t, 1, exitCode(err))
	require.Contains(t, stdout.String(), "vi/goodbye.mp3 (audio): matches no prompt id")
	stdout.Reset()
	err = run(t.Context(), []string{"caseline", "prompts", "check"}, getenv(map[string]string{"PROMPT_AUDIO_DIR": dir}), strings.NewReader(""), &stdout, &stdout)
	require.Equal(t, 1, exitCode(err), "PROMPT_AUDIO_DIR is checked without the flag")

	for _, command := range []string{"serve", "dev"} {
		env := testEnv(t, "postgres://caseline:caseline@"+closedPort+"/caseline", map[string]string{"PROMPT_AUDIO_DIR": dir})
		stdout.Reset()
		err := run(t.Context(), []string{"caseline", command}, getenv(env), strings.NewReader(""), &stdout, &stdout)
		require.Equal(t, 2, exitCode(err), command)
		require.Contains(t, err.Error(), "PROMPT_AUDIO_DIR: prompt vi/goodbye.mp3 (audio): matches no prompt id")
	}
	// work places calls but never answers one: the recordings are serve's business.
	_, err = loadConfig(getenv(testEnv(t, "", map[string]string{"PROMPT_AUDIO_DIR": dir})), "work")
	require.NoError(t, err)
}
