/**
 * Each function's DynamoDB grant covers what its code can issue: from its entry's `handler`, through the use
 * cases and adapters it calls, to the table adapters' methods (`ctx.conversations.get(…)`, or a field typed
 * with a port, as `Access` and the notifier hold them), and what each of those methods issues. A route that
 * starts calling an adapter its route-table entry does not declare fails here, not in AWS as AccessDenied.
 *
 * Read from the source, not run: a port reached another way (destructured, passed as an argument) is not seen.
 * Forgetting gone connections (the sender's callback, made in the composition root) and taking a route's rate
 * limit (`shared/handlers/chain.ts`, for routes that name one) are granted by their own rules (see
 * `FunctionAccess`), so they are left to those.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableAdapters, tableGrantOf } from '../../../infra/table-access.ts';
import { httpRoutes } from '../../../shared/shape/http-routes.ts';
import {
  fanOutConsumer,
  type TableAdapter,
  webSocketAuthorizer,
  webSocketRoutes,
} from '../../../shared/shape/routes.ts';
import { scheduledFunctions } from '../../../shared/shape/scheduled.ts';
import { issuedFrom, nodeOf, readModule, repositoryRoot } from '../store/source-graph.ts';

const filesIn = (dir: string) =>
  readdirSync(join(repositoryRoot, dir))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => `${dir}/${file}`);

/** The port interfaces the table adapters implement, each with its adapter and class. */
const adapterPorts = new Map<string, { adapter: TableAdapter; classKey: string }>();
/** Store classes that implement a port but are no adapter of the route table (their calls would go unseen). */
const unknownStores: string[] = [];
for (const file of filesIn('shared/store')) {
  const exports = (await import(join(repositoryRoot, file))) as Record<string, unknown>;
  const adapter = (Object.keys(tableAdapters) as TableAdapter[]).find((name) =>
    Object.values(exports).includes(tableAdapters[name]),
  );
  for (const [className, ports] of readModule(file).classes) {
    if (!adapter && ports.length > 0) unknownStores.push(`${file}#${className}`);
    if (adapter)
      for (const port of ports) adapterPorts.set(port, { adapter, classKey: `${file}#${className}` });
  }
}

/** The other classes a use case reaches through a field (`Access`, the notifier), by their name or port. */
const otherClasses = new Map<string, string>();
for (const file of [
  ...filesIn('shared/domain'),
  ...filesIn('shared/realtime'),
  ...filesIn('shared/handlers'),
]) {
  for (const [className, ports] of readModule(file).classes)
    for (const name of [className, ...ports]) otherClasses.set(name, `${file}#${className}`);
}

const contextTypes = readModule('shared/domain/context.ts').memberTypes;

type Target = { adapter: TableAdapter; classKey: string } | { classKey: string } | undefined;
function targetOf(typeText: string | undefined): Target {
  for (const name of typeText?.match(/\b[A-Z]\w*/g) ?? []) {
    const adapter = adapterPorts.get(name);
    if (adapter) return adapter;
    const other = otherClasses.get(name);
    if (other) return { classKey: other };
  }
  return undefined;
}

const notFollowed = (key: string) =>
  key.startsWith('shared/store/') || key.startsWith('shared/handlers/composition-root.ts#');

/** The table adapters' methods a function's code calls, as `adapter class#method` keys. */
function adapterMethodsOf(spec: { entry: string; rateLimit?: string }): Set<string> {
  const methods = new Set<string>();
  const seen = new Set<string>();
  const pending = [`${spec.entry}#handler`];
  for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
    if (seen.has(key) || notFollowed(key)) continue;
    seen.add(key);
    const node = nodeOf(key);
    if (!node) continue;
    pending.push(...node.refs);
    const file = key.slice(0, key.indexOf('#'));
    for (const call of node.fieldCalls) {
      const typeText = call.viaThis
        ? readModule(file).memberTypes.get(`${node.className}.${call.field}`)
        : contextTypes.get(`ChatContext.${call.field}`);
      const target = targetOf(typeText);
      if (!target) continue;
      if (!('adapter' in target)) pending.push(`${target.classKey}.${call.method}`);
      else if (!(file === 'shared/handlers/chain.ts' && target.adapter === 'rateLimits'))
        methods.add(`${target.classKey}.${call.method}`);
    }
  }
  return methods;
}

const specs = [...webSocketRoutes, ...httpRoutes, webSocketAuthorizer, fanOutConsumer, ...scheduledFunctions];

describe('each function’s grant', () => {
  it('finds the adapters’ ports and the use cases’ calls', () => {
    expect([...adapterPorts.keys()]).toEqual(
      expect.arrayContaining(['ConversationRepository', 'SessionRepository']),
    );
    expect(unknownStores).toEqual([]);
    const send = webSocketRoutes.find((route) => route.routeKey === 'sendMessage');
    expect(send && adapterMethodsOf(send).size).toBeGreaterThan(2);
  });

  it.each(specs)('covers what $name can issue', (spec) => {
    const needed = [...adapterMethodsOf(spec)].map((method) => ({ method, ...issuedFrom(method) }));
    const grant = tableGrantOf(spec);
    const missing = needed.flatMap(({ method, actions }) =>
      actions
        .filter((action) => !(grant.actions as readonly string[]).includes(action))
        .map((action) => `${action} (${method})`),
    );
    expect(missing, `${spec.name} is not granted`).toEqual([]);
    const indexed = needed.filter((n) => n.index).map((n) => n.method);
    if (indexed.length > 0)
      expect(grant.index, `${spec.name} queries the index (${indexed.join(', ')})`).toBe(true);
  });
});
