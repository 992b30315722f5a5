// Command host is a custom Benthos build that runs unsproc's stream processor next to
// the host's own components: the few lines a Benthos distribution needs.
//
// Importing github.com/unsproc/unsproc/components/streamprocessor registers the processor as
// `stream_processor` in Benthos' global environment; that is all a plain custom build
// needs. A host that already has a processor of that name (benthos-umh has its own
// `stream_processor`) registers this one under a name of its own with
// streamprocessor.Register, and its configs use that name:
//
//	pipeline:
//	  processors:
//	    - uns_stream_processor:
//	        output_topic: …
//
// Build and run it like any Benthos:
//
//	go build -o host ./examples/host
//	./host run config.yaml
package main

import (
	"context"

	// The host's components: Benthos' brokerless ones, and unsproc's `uns` Kafka
	// input and output and `prometheus` metrics exporter. Other components (a host's
	// own, or another distribution's) are added the same way.
	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/unsproc/unsproc/components/prometheus"
	"github.com/unsproc/unsproc/components/streamprocessor"
	_ "github.com/unsproc/unsproc/components/uns"
)

// pluginName is the name this build's configs use for unsproc's processor, next to the
// `stream_processor` the import registers.
const pluginName = "uns_stream_processor"

func main() {
	if err := streamprocessor.Register(service.GlobalEnvironment(), pluginName); err != nil {
		panic(err)
	}
	service.RunCLI(context.Background())
}
