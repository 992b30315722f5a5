package compiler

import (
	"math/big"
	"slices"
	"strings"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/token"
)

// MaxNodes is the largest expression accepted, in syntax-tree nodes.
const MaxNodes = 10000

// reference is one free (not locally declared) identifier read by the expression.
type reference struct {
	name     string
	offset   int  // byte offset in the expression text, -1 when unknown
	inTypeof bool // the direct operand of typeof, where an undeclared name is allowed
}

// memberChain is a constant property path read from a free name, such as obj.a.b: the
// fast path reads it from an object or array input as one more input value.
type memberChain struct {
	root string
	keys []string
}

// key names the chain uniquely ("obj.a.b").
func (c memberChain) key() string { return c.root + "." + strings.Join(c.keys, ".") }

// dotChain returns the chain of d when it is a constant property path from a name.
func dotChain(d *ast.DotExpression) (memberChain, bool) {
	var keys []string
	var e ast.Expression = d
	for {
		switch n := e.(type) {
		case *ast.DotExpression:
			keys = append(keys, n.Identifier.Name.String())
			e = n.Left
			continue
		case *ast.Identifier:
			slices.Reverse(keys)
			return memberChain{root: n.Name.String(), keys: keys}, true
		}
		return memberChain{}, false
	}
}

// analysis is what the analyser learns about one expression.
type analysis struct {
	refs         []reference   // free references, in source order
	members      []memberChain // maximal constant property paths read from free names (not method names)
	impure       bool          // reads the clock or a random source
	topThis      bool          // uses `this` outside any ordinary function
	thisAt       int
	topNewTarget bool // uses new.target outside any ordinary function
	newTargetAt  int
	bigIntAt     int // offset of the first BigInt literal, -1 when there is none
	nodes        int
	tooLarge     bool
	functions    bool // contains a function, arrow or class
}

// analyse walks every node of e (docs/behaviour.md#dependencies: complete and scope-aware) and records its
// free references.
func analyse(e ast.Expression, offset func(int) int) *analysis {
	w := &walker{a: &analysis{thisAt: -1, bigIntAt: -1}, offset: offset}
	w.expr(e)
	return w.a
}

type walker struct {
	a        *analysis
	offset   func(int) int
	scopes   []map[string]bool
	funcs    int // depth of ordinary (non-arrow) functions, where `this` is the callee's
	inTypeof bool
	inChain  bool // the node is the Left of a property read already recorded as a chain
	isCallee bool // the node is the callee of a call: its last property is a method name
}

func (w *walker) declared(name string) bool {
	for i := len(w.scopes) - 1; i >= 0; i-- {
		if w.scopes[i][name] {
			return true
		}
	}
	return false
}

func (w *walker) push(names map[string]bool) { w.scopes = append(w.scopes, names) }
func (w *walker) pop()                       { w.scopes = w.scopes[:len(w.scopes)-1] }

func (w *walker) count() bool {
	w.a.nodes++
	if w.a.nodes > MaxNodes {
		w.a.tooLarge = true
		return false
	}
	return true
}

func (w *walker) ident(id *ast.Identifier) {
	name := id.Name.String()
	if w.declared(name) {
		return
	}
	w.a.refs = append(w.a.refs, reference{name: name, offset: w.offset(int(id.Idx)), inTypeof: w.inTypeof})
	if name == "Date" {
		w.a.impure = true
	}
}

func (w *walker) exprs(list []ast.Expression) {
	for _, e := range list {
		w.expr(e)
	}
}

func (w *walker) expr(e ast.Expression) {
	if e == nil || !w.count() {
		return
	}
	typeofOperand := w.inTypeof
	w.inTypeof = false
	chained, callee := w.inChain, w.isCallee
	w.inChain, w.isCallee = false, false
	switch n := e.(type) {
	case *ast.Identifier:
		w.inTypeof = typeofOperand
		w.ident(n)
		w.inTypeof = false
	case *ast.NumberLiteral:
		if _, ok := n.Value.(*big.Int); ok && w.a.bigIntAt < 0 {
			w.a.bigIntAt = w.offset(int(n.Idx))
		}
	case *ast.StringLiteral, *ast.BooleanLiteral, *ast.NullLiteral, *ast.RegExpLiteral, *ast.BadExpression:
	case *ast.TemplateLiteral:
		w.expr(n.Tag)
		w.exprs(n.Expressions)
	case *ast.ThisExpression:
		if w.funcs == 0 && !w.a.topThis {
			w.a.topThis, w.a.thisAt = true, w.offset(int(n.Idx))
		}
	case *ast.MetaProperty:
		if w.funcs == 0 && !w.a.topNewTarget {
			w.a.topNewTarget, w.a.newTargetAt = true, w.offset(int(n.Meta.Idx))
		}
	case *ast.SuperExpression:
	case *ast.ArrayLiteral:
		w.exprs(n.Value)
	case *ast.ObjectLiteral:
		for _, p := range n.Value {
			w.property(p)
		}
	case *ast.BinaryExpression:
		w.expr(n.Left)
		w.expr(n.Right)
	case *ast.UnaryExpression:
		w.inTypeof = n.Operator == token.TYPEOF
		w.expr(n.Operand)
		w.inTypeof = false
	case *ast.AssignExpression:
		w.expr(n.Left)
		w.expr(n.Right)
	case *ast.ConditionalExpression:
		w.expr(n.Test)
		w.expr(n.Consequent)
		w.expr(n.Alternate)
	case *ast.SequenceExpression:
		w.exprs(n.Sequence)
	case *ast.CallExpression:
		w.isCallee = true
		w.expr(n.Callee)
		w.exprs(n.ArgumentList)
	case *ast.NewExpression:
		w.expr(n.Callee)
		w.exprs(n.ArgumentList)
	case *ast.DotExpression:
		if id, ok := n.Left.(*ast.Identifier); ok && id.Name == "Math" && n.Identifier.Name == "random" && !w.declared("Math") {
			w.a.impure = true
		}
		if !chained && !callee {
			if c, ok := dotChain(n); ok && !w.declared(c.root) {
				w.a.members = append(w.a.members, c)
			}
		}
		w.inChain = !callee // a callee's object is recorded as its own chain
		w.expr(n.Left)
	case *ast.PrivateDotExpression:
		w.expr(n.Left)
	case *ast.BracketExpression:
		w.expr(n.Left)
		w.expr(n.Member)
	case *ast.OptionalChain:
		w.expr(n.Expression)
	case *ast.Optional:
		w.expr(n.Expression)
	case *ast.SpreadElement:
		w.expr(n.Expression)
	case *ast.YieldExpression:
		w.expr(n.Argument)
	case *ast.AwaitExpression:
		w.expr(n.Argument)
	case *ast.FunctionLiteral:
		w.function(n)
	case *ast.ArrowFunctionLiteral:
		w.a.functions = true
		scope := map[string]bool{}
		w.params(n.ParameterList, scope)
		w.push(scope)
		w.paramDefaults(n.ParameterList)
		switch body := n.Body.(type) {
		case *ast.ExpressionBody:
			w.expr(body.Expression)
		case *ast.BlockStatement:
			hoisted := map[string]bool{}
			w.hoistVars(body.List, hoisted)
			w.push(hoisted)
			w.block(body)
			w.pop()
		}
		w.pop()
	case *ast.ClassLiteral:
		w.class(n)
	case *ast.ObjectPattern:
		for _, p := range n.Properties {
			w.property(p)
		}
		w.expr(n.Rest)
	case *ast.ArrayPattern:
		w.exprs(n.Elements)
		w.expr(n.Rest)
	case *ast.Binding:
		w.expr(n.Target)
		w.expr(n.Initializer)
	case *ast.PropertyShort, *ast.PropertyKeyed:
		w.property(n.(ast.Property))
	default:
		// Unknown node kinds are walked by nothing; they never reach the fast path.
	}
}

func (w *walker) property(p ast.Property) {
	switch n := p.(type) {
	case *ast.PropertyShort:
		w.ident(&n.Name)
		w.expr(n.Initializer)
	case *ast.PropertyKeyed:
		w.key(n.Key, n.Computed)
		w.expr(n.Value)
	case *ast.SpreadElement:
		w.expr(n.Expression)
	}
}

// key walks a property or class member name. A computed name is an expression; a
// literal one only names the property, where just a BigInt literal matters (Compile
// rejects BigInt literals wherever they stand).
func (w *walker) key(key ast.Expression, computed bool) {
	if computed {
		w.expr(key)
		return
	}
	if n, ok := key.(*ast.NumberLiteral); ok {
		w.expr(n)
	}
}

// classKey walks a class member name. A computed one is evaluated where the class
// literal stands, outside the class's methods and initialisers, so `this` and new.target
// there are the enclosing ones.
func (w *walker) classKey(key ast.Expression, computed bool) {
	w.funcs--
	w.key(key, computed)
	w.funcs++
}

func (w *walker) function(fn *ast.FunctionLiteral) {
	w.a.functions = true
	scope := map[string]bool{"arguments": true}
	if fn.Name != nil {
		scope[fn.Name.Name.String()] = true
	}
	w.params(fn.ParameterList, scope)
	if fn.Body != nil {
		w.hoistVars(fn.Body.List, scope)
	}
	w.push(scope)
	w.funcs++
	w.paramDefaults(fn.ParameterList)
	if fn.Body != nil {
		w.block(fn.Body)
	}
	w.funcs--
	w.pop()
}

func (w *walker) class(c *ast.ClassLiteral) {
	w.a.functions = true
	w.expr(c.SuperClass)
	scope := map[string]bool{}
	if c.Name != nil {
		scope[c.Name.Name.String()] = true
	}
	w.push(scope)
	w.funcs++
	for _, el := range c.Body {
		switch m := el.(type) {
		case *ast.FieldDefinition:
			w.classKey(m.Key, m.Computed)
			w.expr(m.Initializer)
		case *ast.MethodDefinition:
			w.classKey(m.Key, m.Computed)
			w.function(m.Body)
		case *ast.ClassStaticBlock:
			hoisted := map[string]bool{}
			w.hoistVars(m.Block.List, hoisted)
			w.push(hoisted)
			w.block(m.Block)
			w.pop()
		}
	}
	w.funcs--
	w.pop()
}

// params declares the names bound by a parameter list.
func (w *walker) params(pl *ast.ParameterList, scope map[string]bool) {
	if pl == nil {
		return
	}
	for _, b := range pl.List {
		boundNames(b.Target, scope)
	}
	if pl.Rest != nil {
		boundNames(pl.Rest, scope)
	}
}

// paramDefaults walks the expressions inside a parameter list (defaults, computed keys).
func (w *walker) paramDefaults(pl *ast.ParameterList) {
	if pl == nil {
		return
	}
	for _, b := range pl.List {
		w.patternExprs(b.Target)
		w.expr(b.Initializer)
	}
	if pl.Rest != nil {
		w.patternExprs(pl.Rest)
	}
}

// patternExprs walks the expressions inside a binding pattern without treating the bound
// names as references.
func (w *walker) patternExprs(target ast.Expression) {
	switch n := target.(type) {
	case *ast.ObjectPattern:
		for _, p := range n.Properties {
			switch q := p.(type) {
			case *ast.PropertyShort:
				w.expr(q.Initializer)
			case *ast.PropertyKeyed:
				if q.Computed {
					w.expr(q.Key)
				}
				w.patternExprs(q.Value)
			}
		}
		w.patternExprs(n.Rest)
	case *ast.ArrayPattern:
		for _, e := range n.Elements {
			w.patternExprs(e)
		}
		w.patternExprs(n.Rest)
	case *ast.AssignExpression:
		w.patternExprs(n.Left)
		w.expr(n.Right)
	case *ast.Binding:
		w.patternExprs(n.Target)
		w.expr(n.Initializer)
	}
}

// boundNames adds the names a binding target declares to scope.
func boundNames(target ast.Expression, scope map[string]bool) {
	switch n := target.(type) {
	case *ast.Identifier:
		scope[n.Name.String()] = true
	case *ast.ObjectPattern:
		for _, p := range n.Properties {
			switch q := p.(type) {
			case *ast.PropertyShort:
				scope[q.Name.Name.String()] = true
			case *ast.PropertyKeyed:
				boundNames(q.Value, scope)
			case *ast.SpreadElement:
				boundNames(q.Expression, scope)
			}
		}
		boundNames(n.Rest, scope)
	case *ast.ArrayPattern:
		for _, e := range n.Elements {
			boundNames(e, scope)
		}
		boundNames(n.Rest, scope)
	case *ast.AssignExpression:
		boundNames(n.Left, scope)
	case *ast.Binding:
		boundNames(n.Target, scope)
	case *ast.SpreadElement:
		boundNames(n.Expression, scope)
	}
}

// hoistVars declares in scope the var and function declarations of a function body,
// searching nested blocks but not nested functions.
func (w *walker) hoistVars(list []ast.Statement, scope map[string]bool) {
	for _, s := range list {
		hoistStatement(s, scope)
	}
}

func hoistStatement(s ast.Statement, scope map[string]bool) {
	switch n := s.(type) {
	case *ast.VariableStatement:
		for _, b := range n.List {
			boundNames(b.Target, scope)
		}
	case *ast.FunctionDeclaration:
		if n.Function.Name != nil {
			scope[n.Function.Name.Name.String()] = true
		}
	case *ast.BlockStatement:
		for _, t := range n.List {
			hoistStatement(t, scope)
		}
	case *ast.IfStatement:
		hoistStatement(n.Consequent, scope)
		if n.Alternate != nil {
			hoistStatement(n.Alternate, scope)
		}
	case *ast.ForStatement:
		if v, ok := n.Initializer.(*ast.ForLoopInitializerVarDeclList); ok {
			for _, b := range v.List {
				boundNames(b.Target, scope)
			}
		}
		hoistStatement(n.Body, scope)
	case *ast.ForInStatement:
		if v, ok := n.Into.(*ast.ForIntoVar); ok {
			boundNames(v.Binding.Target, scope)
		}
		hoistStatement(n.Body, scope)
	case *ast.ForOfStatement:
		if v, ok := n.Into.(*ast.ForIntoVar); ok {
			boundNames(v.Binding.Target, scope)
		}
		hoistStatement(n.Body, scope)
	case *ast.WhileStatement:
		hoistStatement(n.Body, scope)
	case *ast.DoWhileStatement:
		hoistStatement(n.Body, scope)
	case *ast.LabelledStatement:
		hoistStatement(n.Statement, scope)
	case *ast.TryStatement:
		hoistStatement(n.Body, scope)
		if n.Catch != nil {
			hoistStatement(n.Catch.Body, scope)
		}
		if n.Finally != nil {
			hoistStatement(n.Finally, scope)
		}
	case *ast.SwitchStatement:
		for _, c := range n.Body {
			for _, t := range c.Consequent {
				hoistStatement(t, scope)
			}
		}
	case *ast.WithStatement:
		hoistStatement(n.Body, scope)
	}
}

// block walks a block with its own lexical (let, const, class) declarations in scope.
func (w *walker) block(b *ast.BlockStatement) {
	w.statements(b.List)
}

func (w *walker) statements(list []ast.Statement) {
	lexical := map[string]bool{}
	for _, s := range list {
		switch n := s.(type) {
		case *ast.LexicalDeclaration:
			for _, b := range n.List {
				boundNames(b.Target, lexical)
			}
		case *ast.ClassDeclaration:
			if n.Class.Name != nil {
				lexical[n.Class.Name.Name.String()] = true
			}
		}
	}
	w.push(lexical)
	for _, s := range list {
		w.stmt(s)
	}
	w.pop()
}

func (w *walker) stmt(s ast.Statement) {
	if s == nil || !w.count() {
		return
	}
	switch n := s.(type) {
	case *ast.ExpressionStatement:
		w.expr(n.Expression)
	case *ast.BlockStatement:
		w.block(n)
	case *ast.VariableStatement:
		for _, b := range n.List {
			w.patternExprs(b.Target)
			w.expr(b.Initializer)
		}
	case *ast.LexicalDeclaration:
		for _, b := range n.List {
			w.patternExprs(b.Target)
			w.expr(b.Initializer)
		}
	case *ast.FunctionDeclaration:
		w.function(n.Function)
	case *ast.ClassDeclaration:
		w.class(n.Class)
	case *ast.ReturnStatement:
		w.expr(n.Argument)
	case *ast.ThrowStatement:
		w.expr(n.Argument)
	case *ast.IfStatement:
		w.expr(n.Test)
		w.stmt(n.Consequent)
		w.stmt(n.Alternate)
	case *ast.ForStatement:
		scope := map[string]bool{}
		if d, ok := n.Initializer.(*ast.ForLoopInitializerLexicalDecl); ok {
			for _, b := range d.LexicalDeclaration.List {
				boundNames(b.Target, scope)
			}
		}
		w.push(scope)
		switch init := n.Initializer.(type) {
		case *ast.ForLoopInitializerExpression:
			w.expr(init.Expression)
		case *ast.ForLoopInitializerVarDeclList:
			for _, b := range init.List {
				w.patternExprs(b.Target)
				w.expr(b.Initializer)
			}
		case *ast.ForLoopInitializerLexicalDecl:
			for _, b := range init.LexicalDeclaration.List {
				w.patternExprs(b.Target)
				w.expr(b.Initializer)
			}
		}
		w.expr(n.Test)
		w.expr(n.Update)
		w.stmt(n.Body)
		w.pop()
	case *ast.ForInStatement:
		w.forInto(n.Into, n.Source, n.Body)
	case *ast.ForOfStatement:
		w.forInto(n.Into, n.Source, n.Body)
	case *ast.WhileStatement:
		w.expr(n.Test)
		w.stmt(n.Body)
	case *ast.DoWhileStatement:
		w.stmt(n.Body)
		w.expr(n.Test)
	case *ast.LabelledStatement:
		w.stmt(n.Statement)
	case *ast.TryStatement:
		w.block(n.Body)
		if n.Catch != nil {
			scope := map[string]bool{}
			if n.Catch.Parameter != nil {
				boundNames(n.Catch.Parameter, scope)
			}
			w.push(scope)
			if n.Catch.Parameter != nil {
				w.patternExprs(n.Catch.Parameter)
			}
			w.block(n.Catch.Body)
			w.pop()
		}
		if n.Finally != nil {
			w.block(n.Finally)
		}
	case *ast.SwitchStatement:
		w.expr(n.Discriminant)
		var all []ast.Statement
		for _, c := range n.Body {
			w.expr(c.Test)
			all = append(all, c.Consequent...)
		}
		w.statements(all)
	case *ast.WithStatement:
		w.expr(n.Object)
		w.stmt(n.Body)
	}
}

func (w *walker) forInto(into ast.ForInto, source ast.Expression, body ast.Statement) {
	scope := map[string]bool{}
	switch v := into.(type) {
	case *ast.ForDeclaration:
		boundNames(v.Target, scope)
	}
	w.expr(source)
	w.push(scope)
	switch v := into.(type) {
	case *ast.ForIntoVar:
		w.patternExprs(v.Binding.Target)
		w.expr(v.Binding.Initializer)
	case *ast.ForDeclaration:
		w.patternExprs(v.Target)
	case *ast.ForIntoExpression:
		w.expr(v.Expression)
	}
	w.stmt(body)
	w.pop()
}
