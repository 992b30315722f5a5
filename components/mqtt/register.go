package mqtt

import (
	"github.com/redpanda-data/benthos/v4/public/service"
)

// ComponentName is the name of the input and of the output in Benthos configs.
const ComponentName = "mqtt"

func init() {
	if err := Register(service.GlobalEnvironment()); err != nil {
		panic(err) // only for an invalid name or spec: a later registration of a name replaces the earlier one
	}
}

// Register adds the mqtt input and output to env.
func Register(env *service.Environment) error {
	err := env.RegisterBatchInput(ComponentName, inputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchInput, error) {
			in, err := newInput(conf, mgr)
			if err != nil {
				return nil, err
			}
			// A rejected batch is read again instead of acknowledged.
			return service.AutoRetryNacksBatched(in), nil
		})
	if err != nil {
		return err
	}
	return env.RegisterBatchOutput(ComponentName, outputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			out, maxInFlight, err := newOutput(conf, mgr)
			if err != nil {
				return nil, service.BatchPolicy{}, 0, err
			}
			return out, service.BatchPolicy{}, maxInFlight, nil
		})
}
