package vm

// jsonNesting returns how deeply the arrays and objects of the JSON text nest, counting
// brackets outside strings; it stops counting once the depth exceeds MaxDepth. It lets
// JSON.parse refuse deep nesting before building anything: goja's parser recurses
// natively, building each level, where no interrupt reaches.
func jsonNesting(text string) int {
	depth, deepest, inString := 0, 0, false
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
			if depth > deepest {
				deepest = depth
				if deepest > MaxDepth {
					return deepest
				}
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}
