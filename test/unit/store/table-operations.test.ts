/**
 * Each table adapter's declared DynamoDB actions (`AdapterOperations`, what its functions are granted) are
 * exactly what its code issues: read from the source, following the helpers it uses (`shared/store/dynamo.ts`,
 * item builders) but only the ones it uses. A command an adapter starts to issue fails here, not in AWS as
 * AccessDenied; so does a declared action no code issues any more.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableAdapters, tableGrantOf } from '../../../infra/table-access.ts';
import { httpRoutes } from '../../../shared/shape/http-routes.ts';
import { fanOutConsumer, webSocketAuthorizer, webSocketRoutes } from '../../../shared/shape/routes.ts';
import type { AdapterOperations } from '../../../shared/store/dynamo.ts';
import { issuedFrom, readActions, repositoryRoot } from './source-graph.ts';

const storeDir = join(repositoryRoot, 'shared/store');
const modules = readdirSync(storeDir).filter((file) => file.endsWith('.ts'));

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
      const issued = classes.map((name) => issuedFrom(`shared/store/${file}#${name}`));
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
