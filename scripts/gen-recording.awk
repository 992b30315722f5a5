# gen-recording.awk: a recording for the pump example (examples/pump/config.yaml), one
# {"topic": …, "payload": {"value": …, "timestamp_ms": …}} per line, as uns_replay reads.
#
#   awk -v n=1000000 -f scripts/gen-recording.awk > recording.jsonl
#
# Of every five lines, two are press (bar, a random walk around 100), two tempF (°F,
# a random walk around 86) and one run (the motor switches in one run line of 20); the
# timestamps advance by 100 ms a line. The seed is fixed: the same n gives the same file.
BEGIN {
	if (n == "") n = 1000000
	srand(42)
	prefix = "umh.v1.corpA.plant-A.aawd._raw."
	ts = 1733904000000
	press = 100; temp = 86; run = "true"
	for (i = 0; i < n; i++) {
		ts += 100
		k = i % 5
		if (k == 0 || k == 2) {
			press += (rand() - 0.5) * 2
			printf "{\"topic\": \"%spress\", \"payload\": {\"value\": %.2f, \"timestamp_ms\": %.0f}}\n", prefix, press, ts
		} else if (k == 1 || k == 3) {
			temp += (rand() - 0.5) * 0.5
			printf "{\"topic\": \"%stempF\", \"payload\": {\"value\": %.2f, \"timestamp_ms\": %.0f}}\n", prefix, temp, ts
		} else {
			if (rand() < 0.05) run = (run == "true") ? "false" : "true"
			printf "{\"topic\": \"%srun\", \"payload\": {\"value\": %s, \"timestamp_ms\": %.0f}}\n", prefix, run, ts
		}
	}
}
