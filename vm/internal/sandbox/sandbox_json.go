package sandbox

// jsonShape returns how deeply the arrays and objects of the JSON text nest and how
// many items it holds (arrays and objects, plus the commas between members and
// elements), counting outside strings; it stops once either exceeds its limit
// (MaxDepth, MaxJSONItems). It lets JSON.parse refuse a text before building anything:
// goja's parser works natively, where no interrupt reaches.
func jsonShape(text string) (deepest, items int) {
	depth, inString := 0, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inString:
			if c == '\\' {
				i++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			items++
			deepest = max(deepest, depth)
		case c == ']' || c == '}':
			depth--
		case c == ',':
			items++
		default:
			continue
		}
		if deepest > MaxDepth || items > MaxJSONItems {
			break
		}
	}
	return deepest, items
}
