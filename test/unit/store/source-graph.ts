/**
 * A small static reading of the TypeScript sources for the grant tests: each top-level declaration and class
 * member, the declarations it refers to, the DynamoDB actions it issues (lib-dynamodb commands, transaction
 * items), and the calls it makes through a field (`this.sessions.getMany(…)`, `ctx.conversations.get(…)`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import ts from 'typescript';

export const repositoryRoot = resolve(import.meta.dirname, '../../..');

export const readActions = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
/** lib-dynamodb's command names, without `Command`, that differ from the IAM action's. */
const commandActions: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
};
/** Transactions, which IAM authorizes by their items' actions (found below) alone. */
const transactions = new Set(['TransactGet', 'TransactWrite']);
/** The keys of a transaction's items, and the action each needs. */
const transactionItems: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

export interface SourceNode {
  /** The class a member belongs to. */
  className?: string;
  actions: Set<string>;
  /** Queries an index (`IndexName`). */
  index: boolean;
  /** Keys of the declarations it refers to: `file#name`, or `file#Class.member`. */
  refs: Set<string>;
  /** Calls `<receiver>.<field>.<method>(…)`; `viaThis` when the receiver is `this`. */
  fieldCalls: { field: string; method: string; viaThis: boolean }[];
}

export interface SourceModule {
  nodes: Map<string, SourceNode>;
  /** The declared type of each class field and interface member, as `Owner.member` → type text. */
  memberTypes: Map<string, string>;
  /** Each class, with the interfaces it implements. */
  classes: Map<string, string[]>;
}

const cache = new Map<string, SourceModule>();

/** Reads `file` (relative to the repository root). */
export function readModule(file: string): SourceModule {
  const known = cache.get(file);
  if (known) return known;
  const source = ts.createSourceFile(
    file,
    readFileSync(join(repositoryRoot, file), 'utf8'),
    ts.ScriptTarget.Latest,
  );
  const module: SourceModule = { nodes: new Map(), memberTypes: new Map(), classes: new Map() };
  const imported = new Map<string, string>();
  const topLevel = new Set<string>();
  const pending: { key: string; node: SourceNode; names: Set<string> }[] = [];

  const collect = (key: string, body: ts.Node, className?: string) => {
    const node: SourceNode = { className, actions: new Set(), index: false, refs: new Set(), fieldCalls: [] };
    const names = new Set<string>();
    const visit = (n: ts.Node) => {
      if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text.endsWith('Command')) {
        if (imported.get(n.expression.text)?.startsWith('@aws-sdk/')) {
          const command = n.expression.text.slice(0, -'Command'.length);
          if (!transactions.has(command)) node.actions.add(commandActions[command] ?? command);
        }
      }
      if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name)) {
        const item = transactionItems[n.name.text];
        if (item && ts.isObjectLiteralExpression(n.initializer)) node.actions.add(item);
        if (n.name.text === 'IndexName') node.index = true;
      }
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
        const { expression: receiver, name: method } = n.expression;
        if (receiver.kind === ts.SyntaxKind.ThisKeyword && className)
          node.refs.add(`${file}#${className}.${method.text}`);
        if (ts.isPropertyAccessExpression(receiver))
          node.fieldCalls.push({
            field: receiver.name.text,
            method: method.text,
            viaThis: receiver.expression.kind === ts.SyntaxKind.ThisKeyword,
          });
      }
      if (ts.isIdentifier(n)) names.add(n.text);
      ts.forEachChild(n, visit);
    };
    visit(body);
    module.nodes.set(key, node);
    pending.push({ key, node, names });
    return node;
  };

  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const from = statement.moduleSpecifier.text;
      const target = from.startsWith('.') ? posix.normalize(posix.join(dirname(file), from)) : from;
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings))
        for (const element of bindings.elements)
          imported.set(element.name.text, `${target}#${(element.propertyName ?? element.name).text}`);
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      const className = statement.name.text;
      topLevel.add(className);
      const implemented = (statement.heritageClauses ?? [])
        .filter((clause) => clause.token === ts.SyntaxKind.ImplementsKeyword)
        .flatMap((clause) => clause.types.map((type) => type.expression.getText(source)));
      module.classes.set(className, implemented);
      const classNode = collect(`${file}#${className}`, statement.heritageClauses?.[0] ?? statement.name);
      for (const member of statement.members) {
        const name = member.name && ts.isIdentifier(member.name) ? member.name.text : 'constructor';
        classNode.refs.add(`${file}#${className}.${name}`);
        collect(`${file}#${className}.${name}`, member, className);
        if (ts.isPropertyDeclaration(member) && member.type)
          module.memberTypes.set(`${className}.${name}`, member.type.getText(source));
        if (ts.isConstructorDeclaration(member))
          for (const parameter of member.parameters)
            if (ts.isIdentifier(parameter.name) && parameter.type)
              module.memberTypes.set(`${className}.${parameter.name.text}`, parameter.type.getText(source));
      }
    } else if (ts.isInterfaceDeclaration(statement)) {
      for (const member of statement.members)
        if (ts.isPropertySignature(member) && ts.isIdentifier(member.name) && member.type)
          module.memberTypes.set(`${statement.name.text}.${member.name.text}`, member.type.getText(source));
    } else {
      const names = ts.isVariableStatement(statement)
        ? statement.declarationList.declarations.map((d) => d.name.getText(source))
        : ts.isFunctionDeclaration(statement) && statement.name
          ? [statement.name.text]
          : [];
      for (const name of names) {
        topLevel.add(name);
        collect(`${file}#${name}`, statement);
      }
    }
  }
  // Names are resolved once the module's own declarations are all known.
  for (const { key, node, names } of pending) {
    for (const name of names) {
      const target = imported.get(name) ?? (topLevel.has(name) ? `${file}#${name}` : undefined);
      if (target && target !== key) node.refs.add(target);
    }
  }
  cache.set(file, module);
  return module;
}

/** The node of a key (`file#name`), reading its module if need be; undefined for a module outside the repo. */
export function nodeOf(key: string): SourceNode | undefined {
  const file = key.slice(0, key.indexOf('#'));
  if (!file.endsWith('.ts') || file.startsWith('@') || !file.includes('/')) return undefined;
  return readModule(file).nodes.get(key);
}

/** The DynamoDB actions issued from `start` and everything it refers to, transitively. */
export function issuedFrom(start: string): { actions: string[]; index: boolean } {
  const actions = new Set<string>();
  let index = false;
  const seen = new Set<string>();
  const pending = [start];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const node = seen.has(next) ? undefined : nodeOf(next);
    seen.add(next);
    if (!node) continue;
    for (const action of node.actions) actions.add(action);
    index ||= node.index;
    pending.push(...node.refs);
  }
  return { actions: [...actions].sort(), index };
}
