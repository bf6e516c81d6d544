/**
 * The stack synthesized the way each deploy synthesizes it — no environment, a concrete account and region per
 * stage, cdklocal's LocalStack account, an existing OIDC issuer — then checked by cdk-nag and by cfn-lint, AWS's
 * CloudFormation linter. A check that only ever synthesizes without an environment cannot see what breaks with
 * one (cdk-nag acknowledgements that name `<AWS::AccountId>` stop matching once the account is concrete).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Environment } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineChatApp } from '../../infra/chat-app.ts';
import { requireAwsTool } from '../support/aws-tools.ts';
import { cdkApp } from '../support/cdk-app.ts';

interface Variant {
  name: string;
  env: Environment;
  context: Record<string, string>;
}

const environments: Variant[] = [
  { name: 'no environment (cdk synth without credentials)', env: {}, context: { stage: 'dev' } },
  {
    name: 'dev in account 111111111111, eu-west-1',
    env: { account: '111111111111', region: 'eu-west-1' },
    context: { stage: 'dev' },
  },
  {
    name: 'prod in account 222222222222, ap-southeast-2, with MFA, threat protection and the hosted UI',
    env: { account: '222222222222', region: 'ap-southeast-2' },
    context: {
      stage: 'prod',
      alarmEmail: 'ops@example.com',
      mfa: 'required',
      threatProtection: 'enforced',
      callbackUrls: 'https://chat.example.com/signed-in',
      logoutUrls: 'https://chat.example.com/',
    },
  },
  {
    name: 'LocalStack as cdklocal resolves it (000000000000, us-east-1)',
    env: { account: '000000000000', region: 'us-east-1' },
    context: { stage: 'local', localstack: 'true' },
  },
  {
    name: 'an existing OIDC issuer in account 333333333333, us-west-2',
    env: { account: '333333333333', region: 'us-west-2' },
    context: { stage: 'dev', oidcIssuer: 'https://id.example.com', oidcAudience: 'chat-app' },
  },
];

/** Each environment twice: the hot state in DynamoDB (the default), and on ElastiCache. */
const variants: Variant[] = environments.flatMap((variant) => [
  variant,
  {
    name: `${variant.name}, hot state on ElastiCache`,
    env: variant.env,
    context: { ...variant.context, hotState: 'elasticache' },
  },
]);

/** cfn-lint warnings this stack keeps on purpose, each with its reason; any other warning fails. */
const acceptedWarnings: Record<string, string> = {
  W3005:
    "CDK's Function declares DependsOn its role and the role's policy; the DependsOn on the role repeats the " +
    'GetAtt, and the one on the policy is what makes the function wait for its permissions.',
};

/**
 * cfn-lint errors that are its schema's and not the template's, each with its reason; any other error fails.
 * cfn-lint 1.51's schema of AWS::ElastiCache::ServerlessCache predates ConnectionType (CloudFormation's does
 * have it: CDK's L1 is generated from it), so it calls the public endpoint's property unexpected.
 */
const schemaGaps = [
  {
    rule: 'E3002',
    type: 'AWS::ElastiCache::ServerlessCache',
    property: 'ConnectionType',
    reason: "cfn-lint's schema has no ConnectionType (public endpoints of Valkey 9 serverless caches) yet",
  },
];

interface Synthesized {
  template: string;
  nag: { conclusion: string; violations: unknown[] };
}

const synthesized = new Map<Variant, Synthesized>();

beforeAll(() => {
  for (const variant of variants) {
    // Bundling is the same in every environment and the stack test does it; here only the template matters.
    const app = cdkApp(variant.context, { bundle: false });
    const stack = defineChatApp(app, variant.env);
    // Synthesis runs the cdk-nag plugin and throws on an unacknowledged finding, naming it.
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: (Synthesized['nag'] & { pluginName: string })[];
    };
    const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    if (!nag) throw new Error('cdk-nag did not run');
    synthesized.set(variant, { template: join(assembly.directory, stack.templateFile), nag });
  }
}, 600_000);

const run = promisify(execFile);

interface LintFinding {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

/** Whether a finding is one of the schema gaps: that rule, on that property of a resource of that type. */
function isSchemaGap(finding: LintFinding, template: string): boolean {
  const [section, logicalId, properties, property] = finding.Location.Path;
  if (section !== 'Resources' || properties !== 'Properties') return false;
  const { Resources } = JSON.parse(readFileSync(template, 'utf8')) as {
    Resources: Record<string, { Type: string }>;
  };
  return schemaGaps.some(
    (gap) =>
      gap.rule === finding.Rule.Id &&
      gap.property === property &&
      gap.type === Resources[String(logicalId)]?.Type,
  );
}

/**
 * Runs `task` in one of as many slots as there are cores (round robin): the lint runs at once would only share
 * the cores, each taking as long as all of them, and crowd out everything else on the machine.
 */
const slots: Promise<unknown>[] = Array.from({ length: availableParallelism() }, () => Promise.resolve());
let nextSlot = 0;
function inSlot<T>(task: () => Promise<T>): Promise<T> {
  const slot = nextSlot++ % slots.length;
  const result = (slots[slot] as Promise<unknown>).then(task);
  slots[slot] = result.catch(() => undefined);
  return result;
}

/** The region a variant's template is linted for: the one it is deployed to, us-east-1 when agnostic. */
const lintRegion = (variant: Variant) => variant.env.region ?? 'us-east-1';

/** cfn-lint's findings for the templates of one region, each finding naming its template (`Filename`). */
async function lint(templates: string[], region: string): Promise<LintFinding[]> {
  // Exit codes 2/4/8 mean errors/warnings/informational were found; the JSON on stdout says which.
  const { stdout } = await run('cfn-lint', [
    '--format',
    'json',
    '--regions',
    region,
    '--',
    ...templates,
  ]).catch((failure: { stdout?: string; code?: number }) => {
    if (typeof failure.code === 'number' && failure.code > 0 && failure.code < 16 && failure.stdout)
      return { stdout: failure.stdout };
    throw failure;
  });
  return JSON.parse(stdout) as LintFinding[];
}

/**
 * One cfn-lint run per region, for all its templates: most of a run's time is cfn-lint loading its schemas
 * (about 6 s of the 12 s one template takes), so four runs cost much less than ten.
 */
const lintRuns = new Map<string, Promise<LintFinding[]>>();
function findingsFor(variant: Variant): Promise<LintFinding[]> {
  const region = lintRegion(variant);
  let findings = lintRuns.get(region);
  if (!findings) {
    const templates = variants
      .filter((other) => lintRegion(other) === region)
      .map((other) => synthesized.get(other)?.template ?? '');
    findings = inSlot(() => lint(templates, region)).then((all) => {
      // A finding must name one of the templates, or the filter below would find nothing for any of them.
      const strays = all.filter((finding) => !templates.includes(finding.Filename));
      if (strays.length > 0) throw new Error(`cfn-lint named other files: ${strays[0]?.Filename}`);
      return all;
    });
    lintRuns.set(region, findings);
  }
  const template = synthesized.get(variant)?.template;
  return findings.then((all) => all.filter((finding) => finding.Filename === template));
}

// Concurrent: the cfn-lint runs share the cores' slots; a test waits for its region's run, hence the time-out.
describe.concurrent.each(variants)('synthesized for $name', (variant) => {
  it('passes cdk-nag’s AwsSolutions rules', () => {
    expect(synthesized.get(variant)?.nag).toMatchObject({ conclusion: 'success', violations: [] });
  });

  it('names no other environment’s account or region', () => {
    const text = readFileSync(synthesized.get(variant)?.template ?? '', 'utf8');
    const others = variants
      .filter((other) => other.env.region && other.env.region !== variant.env.region)
      .flatMap((other) => [other.env.account ?? '', other.env.region ?? '']);
    for (const name of others) expect(text, name).not.toContain(name);
  });

  it('is accepted by cfn-lint: no errors, only the warnings listed with their reasons', async (ctx) => {
    requireAwsTool(ctx, 'cfn-lint');
    const template = synthesized.get(variant)?.template ?? '';
    const findings = await findingsFor(variant);
    const describe = (f: LintFinding) => `${f.Rule.Id} ${f.Message}`;
    expect(findings.filter((f) => f.Level === 'Error' && !isSchemaGap(f, template)).map(describe)).toEqual(
      [],
    );
    expect(
      findings.filter((f) => f.Level !== 'Error' && !(f.Rule.Id in acceptedWarnings)).map(describe),
    ).toEqual([]);
  }, 900_000);
});
