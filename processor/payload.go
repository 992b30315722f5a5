package processor

import "github.com/unsproc/unsproc/internal/payload"

// PayloadError says why an input payload was rejected under the payload rules
// (docs/behaviour.md#payload-rules): what is wrong, in Reason. The message is skipped
// and the state is left unchanged.
type PayloadError = payload.Error
