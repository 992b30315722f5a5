package compiler

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"

	"github.com/unsproc/unsproc/vm"
)

// MaxSourceLen is the longest expression accepted, in bytes.
const MaxSourceLen = 16 << 10

// wrapOpen and wrapClose turn a mapping into a parenthesised expression, so that
// `{a: 1}` is an object literal (docs/behaviour.md#source-forms); the newlines keep a trailing `// comment`
// from swallowing the closing parenthesis.
const (
	wrapOpen  = "(\n"
	wrapClose = "\n)"
)

// parsed is one expression, or one statement body, parsed from its canonical text.
type parsed struct {
	text string              // the canonical text (src without a trailing `;` after an expression)
	expr ast.Expression      // the expression's AST; nil for a statement body
	body *ast.BlockStatement // the statement body's AST (see body.go); nil for an expression
	base int                 // file.Idx of text[0] in the parsed file
}

// offset converts a goja file index of the parsed file into a byte offset of text.
func (p *parsed) offset(idx int) int {
	off := idx - p.base
	if off < 0 || off > len(p.text) {
		return -1
	}
	return off
}

// parse reads src as one JavaScript expression.
func parse(src string) (*parsed, *Error) {
	if strings.TrimSpace(src) == "" {
		return nil, newError(src, -1, `a string constant is written with quotes inside the YAML value, e.g. '"pump"'`, "empty expression")
	}
	if len(src) > MaxSourceLen {
		return nil, newError(src, -1, "split the computation over several mappings", "expression is %d bytes long, above the limit of %d", len(src), MaxSourceLen)
	}
	p, wrappedErr := parseWrapped(src)
	if wrappedErr == nil {
		if p == nil {
			return nil, newError(src, -1, "", "not a single expression")
		}
		return p, nil
	}
	if p, berr, ok := parseBody(src, wrappedErr); ok {
		return p, berr
	}
	// A trailing semicolon (`press + 1;`) is tolerated: the unwrapped text must then be
	// exactly one expression statement, and the text before its semicolon becomes the
	// canonical text.
	prog, err := parser.ParseFile(nil, "", src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, syntaxError(src, wrappedErr)
	}
	if len(prog.Body) != 1 {
		if len(prog.Body) == 0 {
			return nil, newError(src, -1, "", "no expression (only comments or whitespace)")
		}
		return nil, newError(src, statementOffset(prog.Body[1]), bodyHint, "multiple statements are not allowed")
	}
	stmt, ok := prog.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil, newError(src, statementOffset(prog.Body[0]), bodyHint, "statements are not allowed")
	}
	end := semicolonAfter(src, endOffset(stmt.Expression, src))
	if end < 0 {
		return nil, syntaxError(src, wrappedErr)
	}
	if p, err = parseWrapped(src[:end]); err != nil || p == nil {
		return nil, syntaxError(src, wrappedErr)
	}
	return p, nil
}

// semicolonAfter is the offset of the semicolon that ends the expression statement
// whose expression ends at byte offset end of src: only white space, comments and the
// closing parentheses of the expression (goja leaves them out of its extent) may come
// between. It is -1 when there is no such semicolon.
func semicolonAfter(src string, end int) int {
	i := end
	for i >= 0 && i < len(src) {
		i = skipTrivia(src, i)
		if i < len(src) && src[i] == ')' {
			i++
			continue
		}
		if i < len(src) && src[i] == ';' {
			return i
		}
		break
	}
	return -1
}

// parseWrapped parses text as one parenthesised expression. It returns the parser's
// error, or a nil *parsed when the text parses as something else than one expression.
func parseWrapped(text string) (*parsed, error) {
	prog, err := parser.ParseFile(nil, "", wrapOpen+text+wrapClose, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, err
	}
	e, ok := singleExpression(prog)
	if !ok {
		return nil, nil
	}
	return &parsed{text: text, expr: e, base: 1 + len(wrapOpen)}, nil
}

// endOffset is the byte offset just after the expression or node n in text, the source
// it was parsed from (file index 1 is text[0]). goja's Idx1 measures an identifier by
// its decoded name, in UTF-16 for a non-ASCII name, not by its source bytes, so an
// expression that ends with a non-ASCII or escaped identifier (`32 + température`,
// `o.é`, `\u03c0`) would otherwise seem to end elsewhere. Every node whose end is
// its last operand's is followed down to that operand.
func endOffset(n ast.Node, text string) int {
	switch n := n.(type) {
	case *ast.Identifier:
		return identifierEnd(text, int(n.Idx)-1, n.Name.String(), int(n.Idx1())-1)
	case *ast.PrivateIdentifier: // #name, with Idx at the #
		return identifierEnd(text, int(n.Idx), n.Name.String(), int(n.Idx1())-1)
	case *ast.DotExpression:
		return endOffset(&n.Identifier, text)
	case *ast.PrivateDotExpression:
		return endOffset(&n.Identifier, text)
	case *ast.MetaProperty:
		return endOffset(n.Property, text)
	case *ast.BinaryExpression:
		return endOffset(n.Right, text)
	case *ast.AssignExpression:
		return endOffset(n.Right, text)
	case *ast.ConditionalExpression:
		return endOffset(n.Alternate, text)
	case *ast.SequenceExpression:
		return endOffset(n.Sequence[len(n.Sequence)-1], text)
	case *ast.UnaryExpression:
		end := endOffset(n.Operand, text)
		if n.Postfix { // `x ++`: the operator may follow white space or a comment
			end = skipTrivia(text, end) + len("++")
		}
		return end
	case *ast.AwaitExpression:
		return endOffset(n.Argument, text)
	case *ast.YieldExpression:
		if n.Argument != nil {
			return endOffset(n.Argument, text)
		}
	case *ast.NewExpression:
		if n.ArgumentList == nil {
			return endOffset(n.Callee, text)
		}
	case *ast.ArrowFunctionLiteral:
		if body, ok := n.Body.(*ast.ExpressionBody); ok {
			return endOffset(body.Expression, text)
		}
	case *ast.RegExpLiteral:
		return regExpEnd(text, n)
	case *ast.OptionalChain:
		return endOffset(n.Expression, text)
	case *ast.Optional:
		return endOffset(n.Expression, text)
	}
	return int(n.Idx1()) - 1
}

// identifierEnd is the byte offset just after the identifier named name that starts at
// byte offset from in text. Each character of the name is written either as itself or
// as a \uXXXX or \u{X…} escape. When text does not hold the name there, it returns
// fallback.
func identifierEnd(text string, from int, name string, fallback int) int {
	i := from
	for _, r := range name {
		if i < 0 || i >= len(text) {
			return fallback
		}
		if strings.HasPrefix(text[i:], `\u{`) {
			end := strings.IndexByte(text[i:], '}')
			if end < 0 {
				return fallback
			}
			i += end + 1
			continue
		}
		if strings.HasPrefix(text[i:], `\u`) {
			i += len(`\uXXXX`)
			continue
		}
		c, size := utf8.DecodeRuneInString(text[i:])
		if c != r {
			return fallback
		}
		i += size
	}
	return min(i, len(text))
}

// regExpEnd is the byte offset just after the regular expression literal r in text:
// /pattern/ and its flags as written. (goja's Idx1 of a literal with flags reaches into
// whatever follows it.) When text does not hold the literal there, it returns goja's end.
func regExpEnd(text string, r *ast.RegExpLiteral) int {
	start := int(r.Idx) - 1
	end := start + len("/") + len(r.Pattern) + len("/")
	if start < 0 || end > len(text) || text[start] != '/' || text[end-1] != '/' ||
		!strings.HasPrefix(text[end:], r.Flags) {
		return int(r.Idx1()) - 1
	}
	return end + len(r.Flags)
}

// isWhiteSpace reports whether goja's parser skips r between tokens: ASCII white space
// and line terminators, U+FEFF, and every other character Go's unicode.IsSpace accepts
// (U+0085 included).
func isWhiteSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return strings.ContainsRune(" \t\n\v\f\r", r)
	}
	return r == '\ufeff' || unicode.IsSpace(r)
}

// skipTrivia returns the offset of the first byte at or after i in text that is
// neither white space nor inside a comment.
func skipTrivia(text string, i int) int {
	for i < len(text) {
		switch {
		case strings.HasPrefix(text[i:], "//"):
			end := strings.IndexAny(text[i:], "\n\r\u2028\u2029")
			if end < 0 {
				return len(text)
			}
			i += end
		case strings.HasPrefix(text[i:], "/*"):
			end := strings.Index(text[i+2:], "*/")
			if end < 0 {
				return len(text)
			}
			i += 2 + end + 2
		default:
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWhiteSpace(r) {
				return i
			}
			i += size
		}
	}
	return i
}

// statementOffset is the byte offset of a statement of an unwrapped parse (some
// statements do not record their position: they are reported at the start).
func statementOffset(s ast.Statement) int {
	if off := int(s.Idx0()) - 1; off > 0 {
		return off
	}
	return 0
}

// singleExpression returns the expression of a program made of one expression statement.
func singleExpression(prog *ast.Program) (ast.Expression, bool) {
	if len(prog.Body) != 1 {
		return nil, false
	}
	stmt, ok := prog.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil, false
	}
	return stmt.Expression, true
}

// syntaxError converts a parser error of the wrapped text into an Error on src.
func syntaxError(src string, err error) *Error {
	var list parser.ErrorList
	var one *parser.Error
	switch {
	case errors.As(err, &list) && len(list) > 0:
		one = list[0]
	case errors.As(err, &one):
	default:
		return newError(src, -1, "", "syntax error: %v", err)
	}
	srcLines := lineCount(src+wrapClose) - 1 // the wrapper's ) is on a line of its own
	switch line := one.Position.Line - 1; {  // the wrapper adds one line before src
	case line > srcLines:
		// The parser stumbled on the wrapper's closing parenthesis: the expression
		// itself ended too early (`press +`, an unclosed bracket or string).
		return newError(src, len(src), "", "syntax error: the expression ends unexpectedly")
	case line >= 1:
		return newError(src, lineColumnOffset(src, line, one.Position.Column), "", "syntax error: %s", one.Message)
	}
	return newError(src, 0, "", "syntax error: %s", one.Message)
}

// lineColumnOffset returns the byte offset in src of a 1-based line and column as goja
// reports them: lines end at \n, \r\n, \r, U+2028 or U+2029, and columns count bytes. A
// column past the end of its line gives the line's end.
func lineColumnOffset(src string, line, col int) int {
	start := 0
	for l := 1; l < line; l++ {
		next := nextLineStart(src[start:])
		if next < 0 {
			return len(src)
		}
		start += next
	}
	end := len(src)
	if i := strings.IndexAny(src[start:], "\n\r\u2028\u2029"); i >= 0 {
		end = start + i
	}
	return min(start+max(col-1, 0), end)
}

// lineCount is the number of lines of s as goja's positions count them.
func lineCount(s string) int {
	n := 1
	for next := nextLineStart(s); next >= 0; next = nextLineStart(s) {
		s = s[next:]
		n++
	}
	return n
}

// nextLineStart is the offset of the second line of s as goja's positions count lines,
// or -1 when s is one line.
func nextLineStart(s string) int {
	i := strings.IndexAny(s, "\n\r\u2028\u2029")
	switch {
	case i < 0:
		return -1
	case strings.HasPrefix(s[i:], "\r\n"):
		return i + 2
	case s[i] == '\n' || s[i] == '\r':
		return i + 1
	}
	return i + len("\u2028")
}

// fallbackHeaderLines is the number of lines compileFallback's wrapper puts before the
// expression.
const fallbackHeaderLines = 2

// compileFallback compiles the expression for the goja sandbox as a function taking the
// dependencies as parameters. The function wrapper is parsed again and checked to hold
// exactly the analysed expression, so a source cannot escape the wrapper.
func compileFallback(p *parsed, deps []string) (*goja.Program, *Error) {
	head := "(function (" + strings.Join(deps, ", ") + ") {\nreturn (\n" // fallbackHeaderLines lines
	text := head + p.text + "\n);\n})"
	prog, err := parser.ParseFile(nil, "", text, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, newError(p.text, -1, "", "cannot be compiled for the JavaScript engine: %v", err)
	}
	if !wrapsExactly(prog, text, len(head)+1, len(head)+1+len(p.text)) {
		return nil, newError(p.text, -1, "check that parentheses and brackets are balanced", "the expression does not stand alone")
	}
	gp, err := vm.CompileAST(prog)
	if err != nil {
		return nil, newError(p.text, -1, "", "cannot be compiled for the JavaScript engine: %v", err)
	}
	return gp, nil
}

// wrapsExactly checks that prog, parsed from text, is `(function (…) { return (<expr>); })`
// with <expr> within the file indexes [from, to).
func wrapsExactly(prog *ast.Program, text string, from, to int) bool {
	e, ok := singleExpression(prog)
	if !ok {
		return false
	}
	fn, ok := e.(*ast.FunctionLiteral)
	if !ok || fn.Body == nil || len(fn.Body.List) != 1 {
		return false
	}
	ret, ok := fn.Body.List[0].(*ast.ReturnStatement)
	if !ok || ret.Argument == nil {
		return false
	}
	return int(ret.Argument.Idx0()) >= from && endOffset(ret.Argument, text)+1 <= to
}
