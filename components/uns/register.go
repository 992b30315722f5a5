package uns

import (
	"github.com/redpanda-data/benthos/v4/public/service"
)

// Name is the name of the input and of the output in Benthos configs.
const Name = "uns"

func init() {
	if err := Register(service.GlobalEnvironment()); err != nil {
		panic(err)
	}
}

// Register adds the `uns` input and output to env.
func Register(env *service.Environment) error {
	if err := env.RegisterBatchInput(Name, inputSpec(), newInputFromConfig); err != nil {
		return err
	}
	return env.RegisterBatchOutput(Name, outputSpec(), newOutputFromConfig)
}
