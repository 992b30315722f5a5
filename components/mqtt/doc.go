// Package mqtt provides the Benthos `mqtt` input and output, built on the Eclipse
// Paho client (github.com/eclipse/paho.mqtt.golang), so that a stream processor
// reads raw UNS data from an MQTT broker and writes its model data back.
//
// MQTT topics are UNS topics with `/` in place of `.`: the input sets the
// metadata key umh_topic (the MQTT topic with `/` turned into `.`) next to
// mqtt_topic, and the output publishes, unless told otherwise, to umh_topic with
// `.` turned into `/`. So `mqtt` → `stream_processor` → `mqtt` needs no mapping
// in between.
//
// Delivery is at least once for QoS 1 and 2: the input acknowledges a message to
// the broker only after Benthos has acknowledged it (its outputs were delivered),
// and the output reports a batch delivered only once the broker acknowledged every
// message of it. A broker that is unreachable at start or lost mid-stream is
// retried with pauses doubling from 1 to 30 seconds, one log line per failed
// attempt, so a broker that stays away costs two lines a minute; the stream
// resumes when it returns. A lost connection is re-established by Paho in the
// background and keeps the client's session; the output's batches wait for it.
//
// Importing the package registers both components in Benthos' global environment;
// Register adds them to another environment.
package mqtt
