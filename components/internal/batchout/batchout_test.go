package batchout

import (
	"errors"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFailures(t *testing.T) {
	batch := service.MessageBatch{service.NewMessage([]byte("a")), service.NewMessage([]byte("b")), service.NewMessage([]byte("c"))}
	f := For(batch)
	assert.NoError(t, f.Err(), "nothing failed")

	first, second := errors.New("first"), errors.New("second")
	f.Fail(2, second)
	f.Fail(0, first)
	var be *service.BatchError
	require.ErrorAs(t, f.Err(), &be)
	assert.ErrorIs(t, be, second, "the batch error is the first one recorded")
	got := Failed(f.Err())
	assert.Equal(t, map[int]error{0: first, 2: second}, got)
	assert.Empty(t, Failed(nil))
	assert.Empty(t, Failed(errors.New("not a batch error")))
}
