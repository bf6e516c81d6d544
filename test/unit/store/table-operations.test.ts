/**
 * Each table adapter's declared DynamoDB actions (`AdapterOperations`, what its functions are granted) are
 * exactly what its code issues: read from the source, following the helpers it uses (`shared/store/dynamo.ts`,
 * item builders) but only the ones it uses. A command an adapter starts to issue fails here, not in AWS as
 * AccessDenied; so does a declared action no code issues any more.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { tableAdapters, tableGrantOf } from '../../../infra/table-access.ts';
import {
  fanOutConsumer,
  httpRoutes,
  webSocketAuthorizer,
  webSocketRoutes,
} from '../../../shared/shape/routes.ts';
import type { AdapterOperations } from '../../../shared/store/dynamo.ts';

const storeDir = resolve(import.meta.dirname, '../../../shared/store');
const readActions = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
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

interface Declaration {
  /** What this top-level declaration issues by itself. */
  actions: Set<string>;
  index: boolean;
  /** Top-level names it refers to: of its module, or imported from another store module. */
  uses: Set<string>;
}

/** A store module's top-level declarations, by `module#name`, with what each issues and refers to. */
function declarationsOf(file: string): Map<string, Declaration> {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(storeDir, file), 'utf8'),
    ts.ScriptTarget.Latest,
  );
  const imported = new Map<string, string>();
  const declarations = new Map<string, Declaration>();
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const from = statement.moduleSpecifier.text;
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings) || statement.importClause?.isTypeOnly) continue;
      for (const element of bindings.elements) {
        if (element.isTypeOnly) continue;
        const target = from.startsWith('./')
          ? `${from.slice(2)}#${element.name.text}`
          : `${from}#${element.name.text}`;
        imported.set(element.name.text, target);
      }
      continue;
    }
    const names = ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.map((d) => d.name.getText(source))
      : (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name
        ? [statement.name.text]
        : [];
    for (const name of names)
      declarations.set(`${file}#${name}`, { actions: new Set(), index: false, uses: new Set() });
    const found = names.map((name) => declarations.get(`${file}#${name}`) as Declaration);
    const visit = (node: ts.Node) => {
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
        const origin = imported.get(node.expression.text) ?? '';
        if (origin.startsWith('@aws-sdk/') && node.expression.text.endsWith('Command')) {
          const command = node.expression.text.slice(0, -'Command'.length);
          if (!transactions.has(command))
            for (const d of found) d.actions.add(commandActions[command] ?? command);
        }
      }
      if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
        const item = transactionItems[node.name.text];
        if (item && ts.isObjectLiteralExpression(node.initializer))
          for (const d of found) d.actions.add(item);
        if (node.name.text === 'IndexName') for (const d of found) d.index = true;
      }
      if (ts.isIdentifier(node)) for (const d of found) d.uses.add(node.text);
      ts.forEachChild(node, visit);
    };
    visit(statement);
    // References resolved once the module's names are known: its own, then imported ones.
    for (const d of found) {
      d.uses = new Set(
        [...d.uses].flatMap((name) =>
          imported.has(name)
            ? [imported.get(name) as string]
            : names.includes(name)
              ? []
              : [`${file}#${name}`],
        ),
      );
    }
  }
  return declarations;
}

const modules = readdirSync(storeDir).filter((file) => file.endsWith('.ts'));
const everything = new Map(modules.flatMap((file) => [...declarationsOf(file)]));

/** What a declaration issues with everything it refers to, transitively. */
function issuedBy(start: string): { actions: string[]; index: boolean } {
  const actions = new Set<string>();
  let index = false;
  const seen = new Set<string>();
  const pending = [start];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const declaration = everything.get(next);
    if (!declaration || seen.has(next)) continue;
    seen.add(next);
    for (const action of declaration.actions) actions.add(action);
    index ||= declaration.index;
    pending.push(...declaration.uses);
  }
  return { actions: [...actions].sort(), index };
}

/** Each module's adapter class and its exported declaration, if it has them. */
const adapters = await Promise.all(
  modules.map(async (file) => {
    const exports = (await import(join(storeDir, file))) as Record<string, unknown>;
    const classes = Object.entries(exports).filter(
      ([, value]) => typeof value === 'function' && /^class /.test(String(value)),
    );
    const declared = Object.entries(exports).filter(([name]) => name.endsWith('Operations'));
    return { file, classes: classes.map(([name]) => name), declared };
  }),
);

describe('the table adapters', () => {
  it('are found in shared/store', () => {
    expect(adapters.filter((a) => a.classes.length > 0).length).toBeGreaterThanOrEqual(5);
  });

  it.each(adapters.filter((a) => a.classes.length > 0))(
    '$file declares exactly the actions it issues',
    ({ file, classes, declared }) => {
      const issued = classes.map((name) => issuedBy(`${file}#${name}`));
      const actions = [...new Set(issued.flatMap((i) => i.actions))].sort();
      if (actions.length === 0) return;
      expect(
        declared,
        `${file} issues ${actions.join(', ')} but exports no ...Operations declaration`,
      ).toHaveLength(1);
      const operations = declared[0]?.[1] as AdapterOperations;
      expect(
        [...operations.read, ...operations.write, ...(operations.localOnly ?? [])].sort(),
        `${file}: declared vs issued`,
      ).toEqual(actions);
      expect(
        operations.read.filter((a) => !readActions.has(a)),
        `${file}: writes declared as reads`,
      ).toEqual([]);
      expect(
        operations.write.filter((a) => readActions.has(a)),
        `${file}: reads declared as writes`,
      ).toEqual([]);
      expect(operations.index, `${file}: queries the index`).toBe(issued.some((i) => i.index));
      expect(Object.values(tableAdapters), `${file}: not an adapter of the route table`).toContain(
        operations,
      );
    },
  );
});

describe('the grants composed from the route table', () => {
  const specs = [...webSocketRoutes, ...httpRoutes, webSocketAuthorizer, fanOutConsumer];

  it('never include a scan, nor an action issued only locally', () => {
    for (const spec of specs) {
      const { actions } = tableGrantOf(spec);
      expect(actions, spec.name).not.toContain('Scan');
      expect(actions, spec.name).not.toContain('BatchWriteItem');
    }
  });

  it('give a function that posts the sessions adapter’s writes (to forget gone connections)', () => {
    for (const spec of specs.filter((s) => s.access.connections))
      expect(tableGrantOf(spec).actions, spec.name).toContain('UpdateItem');
  });
});
