package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/caseline/caseline/care"
	"github.com/caseline/caseline/flows"
)

// promptsCommand runs `caseline prompts check [-audio DIR] [DIR]` and `caseline prompts
// list [DIR]`. DIR holds vi.yaml and en.yaml; without it, PROMPTS_DIR or the shipped prompts.
func promptsCommand(cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("prompts takes check or list")
	}
	fs := flag.NewFlagSet("prompts "+args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	audio := fs.String("audio", cfg.PromptAudioDir, "a folder of recordings, <lang>/<prompt-id>.mp3 or .wav (PROMPT_AUDIO_DIR)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 1 || (args[0] != "check" && args[0] != "list") ||
		(args[0] == "list" && *audio != cfg.PromptAudioDir) {
		return usagef("usage: caseline prompts check [-audio DIR] [DIR] | caseline prompts list [DIR]")
	}
	p, where := cfg.Prompts, cmp.Or(cfg.PromptsDir, "the shipped prompts")
	if fs.NArg() == 1 {
		var err error
		if p, err = flows.LoadPrompts(os.DirFS(fs.Arg(0))); err != nil {
			return usagef("%s: %v", fs.Arg(0), err)
		}
		where = fs.Arg(0)
	}
	if p == nil {
		p = flows.ShippedPrompts()
	}
	if args[0] == "list" {
		return listPrompts(p, stdout)
	}
	problems := flows.CheckPrompts(p, cfg.EmergencyNumbers)
	if *audio != "" {
		_, more, err := flows.ScanPromptAudio(os.DirFS(*audio), p)
		if err != nil {
			return usagef("%v", err)
		}
		problems = append(problems, more...)
		where += " with the recordings in " + *audio
	}
	for _, pr := range problems {
		if _, err := fmt.Fprintln(stdout, pr.String()); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %d problems", where, len(problems))
	}
	_, err := fmt.Fprintf(stdout, "%s: every prompt passes\n", where)
	return err
}

// listPrompts prints every prompt for a translator or a voice artist: its id, the channels
// it is heard or read on (as far as the state walk knows), whether a recording may replace it
// on calls, and its text in each language; tab-separated, one prompt a line.
func listPrompts(p *flows.Prompts, stdout io.Writer) error {
	w := tabwriter.NewWriter(stdout, 0, 0, 1, ' ', 0)
	header := []string{"id", "channels", "record"}
	for _, l := range flows.PromptLanguages {
		header = append(header, string(l))
	}
	fmt.Fprintln(w, strings.Join(header, "\t"))
	for _, e := range flows.ListPrompts(p) {
		channels := make([]string, len(e.Channels))
		for i, c := range e.Channels {
			channels[i] = string(c)
		}
		record := "no: said"
		if e.Recordable {
			record = "yes"
		}
		row := []string{e.ID, cmp.Or(strings.Join(channels, ","), "-"), record}
		for _, l := range flows.PromptLanguages {
			row = append(row, e.Text[care.Language(l)])
		}
		fmt.Fprintln(w, strings.Join(row, "\t"))
	}
	return w.Flush()
}
