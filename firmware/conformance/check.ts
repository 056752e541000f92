// Conformance check: parses a script (the firmware bundle) with acorn and reports every syntax
// feature, global name or static member that the Espruino 2v29 runtime lacks, judged from the
// measured data in data/ (language.txt, surface-2v29.json). Reusable by the HIL suite and the CLI.
import { parse } from 'acorn';
import { featureWorks, loadRuntimeData, type RuntimeData } from './data.ts';

export interface Violation {
  /** language.txt feature name, or one of: global, member, module, for-let-closure, var-before-declaration, typed-array-slice, unmeasured. */
  readonly rule: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

interface N {
  type: string;
  start: number;
  loc: { start: { line: number; column: number } };
  [key: string]: unknown;
}

const isNode = (v: unknown): v is N => typeof v === 'object' && v !== null && typeof (v as N).type === 'string';
const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);
/** Syntax the probe did not cover: rejected until someone measures it on the runtime. */
const UNMEASURED: Record<string, string> = {
  PropertyDefinition: 'class fields',
  PrivateIdentifier: 'private class members',
  StaticBlock: 'class static blocks',
  TaggedTemplateExpression: 'tagged templates',
  ImportExpression: 'dynamic import',
  MetaProperty: 'new.target / import.meta',
  ImportDeclaration: 'ES module import',
  ExportNamedDeclaration: 'ES module export',
  ExportDefaultDeclaration: 'ES module export',
  ExportAllDeclaration: 'ES module export',
  WithStatement: 'with statement',
};
/** Names every JS engine resolves without a global binding. */
const IMPLICIT_GLOBALS = new Set(['undefined']);

class Scope {
  readonly names = new Set<string>();
  /** Bindings initialised with require('module'), to check their members. */
  readonly modules = new Map<string, string>();
  /** In a function: where each name bound only by `var` is first declared (Espruino binds it there, not at entry). */
  readonly varDeclaredAt = new Map<string, number>();
  constructor(readonly parent: Scope | null) {}
  lookup(name: string): Scope | null {
    for (let s: Scope | null = this; s; s = s.parent) if (s.names.has(name)) return s;
    return null;
  }
}

function children(node: N): N[] {
  const out: N[] = [];
  for (const key of Object.keys(node)) {
    if (key === 'loc') continue;
    const v = node[key];
    if (Array.isArray(v)) for (const x of v) { if (isNode(x)) out.push(x); }
    else if (isNode(v)) out.push(v);
  }
  return out;
}

function patternNames(p: N | null | undefined, into: string[]): string[] {
  if (!p) return into;
  switch (p.type) {
    case 'Identifier': into.push(p.name as string); break;
    case 'AssignmentPattern': patternNames(p.left as N, into); break;
    case 'RestElement': patternNames(p.argument as N, into); break;
    case 'ArrayPattern': for (const e of p.elements as (N | null)[]) patternNames(e, into); break;
    case 'ObjectPattern':
      for (const prop of p.properties as N[]) patternNames(prop.type === 'RestElement' ? prop : (prop.value as N), into);
      break;
  }
  return into;
}

function declare(declarator: N, scope: Scope): void {
  for (const name of patternNames(declarator.id as N, [])) scope.names.add(name);
  const mod = requiredModule(declarator.init as N | null);
  if (mod !== null && (declarator.id as N).type === 'Identifier') scope.modules.set((declarator.id as N).name as string, mod);
}

/** `var` names and function declarations of a function body, not entering nested functions. */
function hoistVars(node: N, scope: Scope): void {
  for (const c of children(node)) {
    if (c.type === 'VariableDeclaration' && c.kind === 'var') {
      for (const d of c.declarations as N[]) declare(d, scope);
    }
    if (c.type === 'FunctionDeclaration') scope.names.add((c.id as N).name as string);
    if (!FUNCTION_TYPES.has(c.type)) hoistVars(c, scope);
  }
}

/** Start of the first `var` statement (outside nested functions) of each name not already bound by a parameter. */
function varPositions(node: N, scope: Scope, bound: Set<string>): void {
  for (const c of children(node)) {
    if (c.type === 'VariableDeclaration' && c.kind === 'var') {
      for (const d of c.declarations as N[]) {
        for (const name of patternNames(d.id as N, [])) {
          if (!bound.has(name) && !scope.varDeclaredAt.has(name)) scope.varDeclaredAt.set(name, c.start);
        }
      }
    }
    if (c.type === 'FunctionDeclaration') bound.add((c.id as N).name as string);
    if (!FUNCTION_TYPES.has(c.type)) varPositions(c, scope, bound);
  }
}

/** let/const/class declared directly in a block-like statement list. */
function declareLexical(statements: N[], scope: Scope): void {
  for (const s of statements) {
    if (s.type === 'VariableDeclaration' && s.kind !== 'var') {
      for (const d of s.declarations as N[]) declare(d, scope);
    }
    if (s.type === 'ClassDeclaration' || s.type === 'FunctionDeclaration') scope.names.add((s.id as N).name as string);
  }
}

function requiredModule(n: N | null | undefined): string | null {
  if (!n || n.type !== 'CallExpression') return null;
  const callee = n.callee as N;
  const args = n.arguments as N[];
  if (callee.type !== 'Identifier' || callee.name !== 'require' || args.length !== 1) return null;
  return args[0]!.type === 'Literal' && typeof args[0]!.value === 'string' ? args[0]!.value : null;
}

function mentions(node: N, names: Set<string>): boolean {
  if (node.type === 'Identifier' && names.has(node.name as string)) return true;
  return children(node).some((c) => mentions(c, names));
}

function containsClosureOver(node: N, names: Set<string>): boolean {
  if (FUNCTION_TYPES.has(node.type)) return mentions(node, names);
  return children(node).some((c) => containsClosureOver(c, names));
}

class Checker {
  readonly violations: Violation[] = [];
  constructor(private readonly data: RuntimeData) {}

  private report(node: N, rule: string, message: string): void {
    this.violations.push({ rule, message, line: node.loc.start.line, column: node.loc.start.column });
  }

  private feature(node: N, feature: string, what: string): void {
    if (!featureWorks(this.data, feature)) {
      const probe = this.data.features.get(feature) ?? 'not probed';
      this.report(node, feature, `${what} is not supported by Espruino 2v29 (probe: ${probe})`);
    }
  }

  private syntax(node: N): void {
    const unmeasured = UNMEASURED[node.type];
    if (unmeasured) this.report(node, 'unmeasured', `${unmeasured} not measured on Espruino 2v29`);
    switch (node.type) {
      case 'Literal':
        if (node.bigint !== undefined) this.report(node, 'BigInt', 'BigInt literal (Espruino has no BigInt)');
        if (typeof node.raw === 'string' && /^\d[\d_.]*_/.test(node.raw)) this.report(node, 'unmeasured', 'numeric separator not measured');
        break;
      case 'BinaryExpression':
      case 'AssignmentExpression':
        if (node.operator === '**' || node.operator === '**=') this.feature(node, 'exponent', 'the ** operator');
        if (node.operator === '&&=' || node.operator === '||=' || node.operator === '??=') {
          this.report(node, 'unmeasured', `logical assignment ${String(node.operator)} not measured`);
        }
        break;
      case 'ChainExpression': this.feature(node, 'optional chaining', 'optional chaining'); break;
      case 'SpreadElement': this.feature(node, 'spread array', 'spread'); break;
      case 'ArrayPattern': this.feature(node, 'destructuring array', 'array destructuring'); break;
      case 'ObjectPattern': this.feature(node, 'destructuring object', 'object destructuring'); break;
      case 'LabeledStatement': this.feature(node, 'label break', 'a labelled statement'); break;
      case 'AwaitExpression': this.feature(node, 'async', 'await'); break;
      case 'YieldExpression': this.feature(node, 'generator', 'yield'); break;
      case 'ForOfStatement': if (node.await) this.feature(node, 'async', 'for await'); break;
      case 'CatchClause': if (node.param === null) this.report(node, 'unmeasured', 'optional catch binding not measured'); break;
      case 'Property':
      case 'MethodDefinition':
        if (node.computed) this.feature(node, 'computed props', 'a computed property key');
        break;
      case 'CallExpression':
      case 'NewExpression':
        if ((node.arguments as N[]).some((a) => a.type === 'SpreadElement')) this.feature(node, 'spread call', 'spread arguments');
        break;
    }
    if (FUNCTION_TYPES.has(node.type)) {
      if (node.generator) this.feature(node, 'generator', 'a generator function');
      if (node.async) this.feature(node, 'async', 'an async function');
      for (const p of node.params as N[]) {
        if (p.type === 'AssignmentPattern') this.feature(p, 'default params', 'a default parameter');
        else if (p.type === 'RestElement') this.feature(p, 'rest params', 'a rest parameter');
        else if (p.type !== 'Identifier') this.feature(p, 'destructuring param', 'a destructured parameter');
      }
    }
    if (node.type === 'ForStatement' || node.type === 'ForInStatement' || node.type === 'ForOfStatement') {
      const decl = (node.type === 'ForStatement' ? node.init : node.left) as N | null;
      if (decl && decl.type === 'VariableDeclaration' && decl.kind !== 'var') {
        const names = new Set<string>();
        for (const d of decl.declarations as N[]) patternNames(d.id as N, []).forEach((x) => names.add(x));
        if (containsClosureOver(node.body as N, names)) {
          this.report(node, 'for-let-closure', `closure captures loop variable ${[...names].join(', ')}: Espruino makes no fresh binding per iteration`);
        }
      }
    }
  }

  private checkGlobal(node: N, name: string): void {
    if (!this.data.globals.has(name) && !IMPLICIT_GLOBALS.has(name)) {
      this.report(node, 'global', `global ${name} does not exist on Espruino 2v29`);
    }
  }

  private memberName(node: N): string | null {
    const prop = node.property as N;
    if (!node.computed && prop.type === 'Identifier') return prop.name as string;
    if (node.computed && prop.type === 'Literal' && typeof prop.value === 'string') return prop.value;
    return null;
  }

  private checkMember(node: N, scope: Scope): void {
    const obj = node.object as N;
    const name = this.memberName(node);
    if (name === null) return;
    const mod = obj.type === 'Identifier' ? scope.lookup(obj.name as string)?.modules.get(obj.name as string) : requiredModule(obj);
    if (mod !== undefined && mod !== null) {
      const members = this.data.modules.get(mod);
      if (members && !members.has(name)) this.report(node, 'member', `require("${mod}").${name} does not exist on Espruino 2v29`);
      return;
    }
    if (obj.type !== 'Identifier' || scope.lookup(obj.name as string)) return;
    const global = obj.name as string;
    if (global === 'global' || global === 'globalThis') { this.checkGlobal(node, name); return; }
    const statics = this.data.statics.get(global);
    if (statics && !statics.has(name)) this.report(node, 'member', `${global}.${name} does not exist on Espruino 2v29`);
  }

  visit(node: N, scope: Scope): void {
    this.syntax(node);
    switch (node.type) {
      case 'Program': {
        hoistVars(node, scope);
        declareLexical(node.body as N[], scope);
        for (const s of node.body as N[]) this.visit(s, scope);
        return;
      }
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression': {
        const fn = new Scope(scope);
        if (node.type === 'FunctionExpression' && node.id) fn.names.add((node.id as N).name as string);
        if (node.type !== 'ArrowFunctionExpression') fn.names.add('arguments');
        for (const p of node.params as N[]) for (const name of patternNames(p, [])) fn.names.add(name);
        const body = node.body as N;
        if (body.type === 'BlockStatement') {
          const bound = new Set(fn.names);
          hoistVars(body, fn);
          varPositions(body, fn, bound);
          declareLexical(body.body as N[], fn);
          for (const p of node.params as N[]) this.visitPattern(p, fn);
          for (const s of body.body as N[]) this.visit(s, fn);
        } else {
          for (const p of node.params as N[]) this.visitPattern(p, fn);
          this.visit(body, fn);
        }
        return;
      }
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const cls = new Scope(scope);
        if (node.id) cls.names.add((node.id as N).name as string);
        if (node.superClass) this.visit(node.superClass as N, scope);
        this.visit(node.body as N, cls);
        return;
      }
      case 'BlockStatement':
      case 'StaticBlock': {
        const block = new Scope(scope);
        declareLexical(node.body as N[], block);
        for (const s of node.body as N[]) this.visit(s, block);
        return;
      }
      case 'SwitchStatement': {
        this.visit(node.discriminant as N, scope);
        const block = new Scope(scope);
        const cases = node.cases as N[];
        declareLexical(cases.flatMap((c) => c.consequent as N[]), block);
        for (const c of cases) this.visit(c, block);
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const loop = new Scope(scope);
        const decl = (node.type === 'ForStatement' ? node.init : node.left) as N | null;
        if (decl && decl.type === 'VariableDeclaration') declareLexical([decl], loop);
        for (const c of children(node)) this.visit(c, loop);
        return;
      }
      case 'CatchClause': {
        const c = new Scope(scope);
        for (const name of patternNames(node.param as N | null, [])) c.names.add(name);
        this.visit(node.body as N, c);
        return;
      }
      case 'VariableDeclarator':
        this.visitPattern(node.id as N, scope);
        if (node.init) this.visit(node.init as N, scope);
        return;
      case 'MemberExpression':
        if (this.memberName(node) === 'slice') {
          this.report(node, 'typed-array-slice', 'x.slice(): Espruino returns a plain Array from a typed array\'s slice; copy with new Uint8Array(x.subarray(a, b)) (strings: substring)');
        }
        this.checkMember(node, scope);
        this.visit(node.object as N, scope);
        if (node.computed) this.visit(node.property as N, scope);
        return;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (node.computed) this.visit(node.key as N, scope);
        if (node.value) this.visit(node.value as N, scope);
        return;
      case 'LabeledStatement':
        this.visit(node.body as N, scope);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
        return;
      case 'UnaryExpression':
        // `typeof X` on an absent global is legal feature detection.
        if (node.operator === 'typeof' && (node.argument as N).type === 'Identifier') return;
        break;
      case 'CallExpression': {
        const mod = requiredModule(node);
        const callee = node.callee as N;
        if (callee.type === 'Identifier' && callee.name === 'require' && !scope.lookup('require')) {
          if (mod === null) this.report(node, 'module', 'require() with a non-literal module name');
          else if (!this.data.modules.has(mod)) this.report(node, 'module', `module "${mod}" is not available on Espruino 2v29`);
        }
        break;
      }
      case 'Identifier': {
        const name = node.name as string;
        const found = scope.lookup(name);
        if (!found) this.checkGlobal(node, name);
        else if ((found.varDeclaredAt.get(name) ?? -1) > node.start) {
          this.report(node, 'var-before-declaration', `${name} is used before its var declaration: Espruino does not hoist var, so this reaches the enclosing scope's ${name}`);
        }
        return;
      }
    }
    for (const c of children(node)) this.visit(c, scope);
  }

  /** Declared names are not references; only default values inside a pattern are. */
  private visitPattern(p: N, scope: Scope): void {
    if (p.type === 'Identifier') return;
    this.syntax(p);
    if (p.type === 'AssignmentPattern') { this.visitPattern(p.left as N, scope); this.visit(p.right as N, scope); return; }
    if (p.type === 'RestElement') { this.visitPattern(p.argument as N, scope); return; }
    if (p.type === 'ArrayPattern') { for (const e of p.elements as (N | null)[]) if (e) this.visitPattern(e, scope); return; }
    if (p.type === 'ObjectPattern') {
      for (const prop of p.properties as N[]) {
        if (prop.type === 'RestElement') { this.visitPattern(prop, scope); continue; }
        this.syntax(prop);
        if (prop.computed) this.visit(prop.key as N, scope);
        this.visitPattern(prop.value as N, scope);
      }
      return;
    }
    this.visit(p, scope); // a member expression as an assignment target
  }
}

/** Every construct in `source` (a classic script) that Espruino 2v29 lacks; empty means it conforms. */
export function checkConformance(source: string, data: RuntimeData = loadRuntimeData()): Violation[] {
  let program: N;
  try {
    program = parse(source, { ecmaVersion: 'latest', sourceType: 'script', locations: true }) as unknown as N;
  } catch (err) {
    const e = err as { message: string; loc?: { line: number; column: number } };
    return [{ rule: 'parse', message: e.message, line: e.loc?.line ?? 0, column: e.loc?.column ?? 0 }];
  }
  const checker = new Checker(data);
  checker.visit(program, new Scope(null));
  return checker.violations;
}

export function formatViolation(file: string, v: Violation): string {
  return `${file}:${v.line}:${v.column + 1}: [${v.rule}] ${v.message}`;
}
