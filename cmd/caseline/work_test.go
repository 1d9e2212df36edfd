package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"
)

func TestTaskHandlersLogWithTheTaskNamed(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	mux := newTaskMux(zerolog.New(&logs))
	mux.HandleFunc("reminder:send", func(ctx context.Context, _ *asynq.Task) error {
		zerolog.Ctx(ctx).Info().Msg("sent")
		return nil
	})
	require.NoError(t, mux.ProcessTask(t.Context(), asynq.NewTask("reminder:send", nil)))

	var line map[string]any
	require.NoError(t, json.Unmarshal(logs.Bytes(), &line), logs.String())
	require.Equal(t, "sent", line["message"])
	require.Equal(t, "reminder:send", line["task"])
}
