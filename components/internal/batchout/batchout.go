// Package batchout holds what the batch outputs of the components share: the
// messages of a batch that fail alone, each with its own error, while the others
// are written.
package batchout

import (
	"errors"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// Failures collects the messages of one batch that could not be written. The zero
// value is not usable; start with For.
type Failures struct {
	batch service.MessageBatch
	err   *service.BatchError
}

// For starts the failures of batch.
func For(batch service.MessageBatch) Failures {
	return Failures{batch: batch}
}

// Fail records that message i failed with err.
func (f *Failures) Fail(i int, err error) {
	if f.err == nil {
		f.err = service.NewBatchError(f.batch, err)
	}
	f.err.Failed(i, err)
}

// Err is nil when no message failed, else a *service.BatchError naming each failed
// message, so that Benthos retries or routes those alone.
func (f *Failures) Err() error {
	if f.err == nil {
		return nil
	}
	return f.err
}

// Failed returns the error of each failed message of a batch that WriteBatch returned
// err for, by index: empty when err is nil or not a *service.BatchError. The outputs'
// tests read their results with it.
func Failed(err error) map[int]error {
	failed := map[int]error{}
	var be *service.BatchError
	if errors.As(err, &be) {
		be.WalkMessages(func(i int, _ *service.Message, err error) bool {
			if err != nil {
				failed[i] = err
			}
			return true
		})
	}
	return failed
}
