package flows

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/caseline/caseline/care"
)

// editedPrompts is the shipped set with edit applied to the text of lang's file.
func editedPrompts(t *testing.T, lang string, edit func(string) string) *Prompts {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, l := range PromptLanguages {
		b, err := shippedFS.ReadFile("prompts/" + PromptFile(l))
		require.NoError(t, err)
		text := string(b)
		if string(l) == lang {
			edited := edit(text)
			require.NotEqual(t, text, edited, "the edit changed nothing")
			text = edited
		}
		fsys[PromptFile(l)] = &fstest.MapFile{Data: []byte(text)}
	}
	p, err := LoadPrompts(fsys)
	require.NoError(t, err)
	return p
}

func TestCheckPromptsNamesEachFailingPromptAndRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		lang string
		from string
		to   string
		id   string // the prompt named
		rule string // part of the rule given
	}{
		{"SMS over one segment", "vi", `reg_done: "Đăng ký xong.`,
			`reg_done: "Đăng ký xong, cảm ơn bạn rất nhiều vì đã tin tưởng chúng tôi và dành thời gian trả lời từng câu hỏi một cách cẩn thận, đầy đủ.`,
			"reg_done", "one GSM-7 segment"},
		{"USSD screen over 160", "en", `reg_who: "Who are you registering?"`,
			`reg_who: "` + strings.Repeat("Who are you registering today? ", 5) + `"`, "reg_who", "USSD"},
		{"placeholder lost", "en", `Reference number: {ref}. The commune`, `Reference number: {reff}. The commune`,
			"reg_done", "placeholders {reff} where the code fills {ref}"},
		{"placeholder dropped", "vi", `Mã số: {ref}. Cán bộ xã sẽ liên hệ.`, `Cán bộ xã sẽ liên hệ.`,
			"reg_done", "placeholders none where the code fills {ref}"},
		{"missing", "en", "\nbye: \"Thank you. Goodbye.\"\n", "\n", "bye", "missing"},
		{"unknown id", "vi", "\nbye: ", "\nbye_now: \"Tạm biệt.\"\nbye: ", "bye_now", "unknown prompt id"},
		{"empty", "vi", `bye: "Cảm ơn bạn. Chào tạm biệt."`, `bye: ""`, "bye", "empty"},
		{"an SMS that tells of a report", "en", `"We received your request. Reference number: {ref}."`,
			`"We received your report. Reference number: {ref}."`, "help_neutral", `must not say "report*"`},
		{"an English brand said by the Vietnamese voice", "vi", `menu_voice: "Tổng đài`, `menu_voice: "Caseline, tổng đài`,
			"menu_voice", `misreads the English word "caseline"`},
		{"a fraction said on a call", "vi", `plan_step: "Bước {n} trên 5:`, `plan_step: "Bước {n}/5:`,
			"plan_step", `"3/5" reads as a fraction`},
		{"untranslated", "vi", `opt_fine: "Mọi việc ổn"`, `opt_fine: "Things are fine"`, "opt_fine", "not translated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := editedPrompts(t, tt.lang, func(s string) string { return strings.Replace(s, tt.from, tt.to, 1) })
			problems := CheckPrompts(p, nil)
			require.NotEmpty(t, problems)
			found := false
			for _, pr := range problems {
				if strings.Contains(pr.String(), tt.rule) {
					require.Contains(t, pr.Prompts, tt.id, pr.String())
					found = true
				}
			}
			require.True(t, found, "no problem says %q: %v", tt.rule, problems)
		})
	}
}

func TestLoadPromptsRefusesWhatIsNotAPromptFile(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"a list":        "- one\n- two\n",
		"nested":        "menu:\n  text: \"x\"\n",
		"an id twice":   "bye: \"a\"\nbye: \"b\"\n",
		"not yaml":      "bye: \"unclosed\n",
		"an empty file": "",
	} {
		fsys := fstest.MapFS{"vi.yaml": {Data: []byte(text)}, "en.yaml": {Data: []byte("bye: \"x\"\n")}}
		_, err := LoadPrompts(fsys)
		require.Error(t, err, name)
	}
	_, err := LoadPrompts(fstest.MapFS{"vi.yaml": {Data: []byte("bye: \"x\"\n")}})
	require.ErrorContains(t, err, "en.yaml", "a language file missing")
}

func TestNewsSpeaksAnOverride(t *testing.T) {
	t.Parallel()
	p := editedPrompts(t, "en", func(s string) string {
		return strings.Replace(s, `plan_closed: "`, `plan_closed: "Edited. `, 1)
	})
	person := care.Person{ID: 1, Phone: "+84912000001", Language: care.English, Channel: care.ChannelSMS}
	news := NewNews(nil, nil).Using(p).Closed(care.ClosedNews{Person: person, Case: care.Case{ID: 3}})
	require.Len(t, news, 1)
	require.Contains(t, news[0].Body, "Caseline: Edited. ")
	shipped := NewNews(nil, nil).Using(nil).Closed(care.ClosedNews{Person: person, Case: care.Case{ID: 3}})
	require.NotContains(t, shipped[0].Body, "Edited")
}
