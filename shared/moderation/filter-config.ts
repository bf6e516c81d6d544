/**
 * The content filter's settings: read by the functions from their environment and by the stack from its CDK
 * context, through the one parser below, so both accept and refuse the same values.
 */

const failureModes = ['open', 'closed'] as const;
/** What a message meets when Comprehend is slow or fails: `open` lets it through, `closed` refuses it. */
export type FailureMode = (typeof failureModes)[number];

const filterKinds = ['word-list', 'comprehend'] as const;
/** `word-list` alone, or the word list and then Comprehend's toxicity detection. */
type FilterKind = (typeof filterKinds)[number];

export interface ContentFilterConfig {
  kind: FilterKind;
  /** Words and phrases refused; none: the word list allows everything. */
  words: string[];
  /** A segment whose `Toxicity` score reaches this is refused (0 to 1). */
  toxicityThreshold: number;
  /** How long a send waits for Comprehend before `failure` decides. */
  timeoutMs: number;
  failure: FailureMode;
}

export const defaultContentFilter: ContentFilterConfig = {
  kind: 'word-list',
  words: [],
  toxicityThreshold: 0.8,
  timeoutMs: 400,
  // A chat must not stop when Comprehend is slow or down; the word list has run before it all the same.
  failure: 'open',
};

type Setting = keyof ContentFilterConfig;

/** The environment variable of each setting, which the stack sets on the functions that filter. */
const contentFilterEnv: Record<Setting, string> = {
  kind: 'CONTENT_FILTER',
  words: 'CONTENT_FILTER_WORDS',
  toxicityThreshold: 'CONTENT_FILTER_THRESHOLD',
  timeoutMs: 'CONTENT_FILTER_TIMEOUT_MS',
  failure: 'CONTENT_FILTER_FAIL',
};

/** The CDK context key of each setting (`cdk deploy -c contentFilterWords=a,b`). */
export const contentFilterContext: Record<Setting, string> = {
  kind: 'contentFilter',
  words: 'contentFilterWords',
  toxicityThreshold: 'contentFilterThreshold',
  timeoutMs: 'contentFilterTimeoutMs',
  failure: 'contentFilterFail',
};

/** A comma-separated list (or a list, as `cdk.json` may give one): entries trimmed, empty ones dropped. */
export function parseWordList(raw: unknown): string[] {
  if (raw === undefined || raw === null || raw === '') return [];
  const entries = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
  return entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
}

function choice<Choice extends string>(raw: string, name: string, choices: readonly Choice[]): Choice {
  if (!choices.includes(raw as Choice)) throw new Error(`${name} must be one of ${choices.join(', ')}`);
  return raw as Choice;
}

function number(raw: string, name: string, valid: (value: number) => boolean, what: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || !valid(value)) throw new Error(`${name} must be ${what}`);
  return value;
}

/**
 * The configuration from `read`, which answers a setting's raw value (undefined or '' when unset) and the name
 * to quote when it is wrong.
 */
export function parseContentFilterConfig(
  read: (setting: Setting) => { raw: unknown; name: string },
): ContentFilterConfig {
  const given = (setting: Setting) => {
    const { raw, name } = read(setting);
    return raw === undefined || raw === null || raw === '' ? undefined : { raw: String(raw), name };
  };
  const kind = given('kind');
  const threshold = given('toxicityThreshold');
  const timeout = given('timeoutMs');
  const failure = given('failure');
  return {
    kind: kind ? choice(kind.raw, kind.name, filterKinds) : defaultContentFilter.kind,
    words: parseWordList(read('words').raw),
    toxicityThreshold: threshold
      ? number(threshold.raw, threshold.name, (v) => v > 0 && v <= 1, 'a number above 0 and at most 1')
      : defaultContentFilter.toxicityThreshold,
    timeoutMs: timeout
      ? number(timeout.raw, timeout.name, (v) => v > 0, 'a number of milliseconds above 0')
      : defaultContentFilter.timeoutMs,
    failure: failure ? choice(failure.raw, failure.name, failureModes) : defaultContentFilter.failure,
  };
}

/** The functions' configuration, from the variables the stack (or the local runtime's environment) set. */
export const readContentFilterConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseContentFilterConfig((setting) => ({
    raw: env[contentFilterEnv[setting]],
    name: contentFilterEnv[setting],
  }));

/** The variables that hand `config` to a function. */
export function contentFilterEnvironment(config: ContentFilterConfig): Record<string, string> {
  return {
    [contentFilterEnv.kind]: config.kind,
    [contentFilterEnv.words]: config.words.join(','),
    [contentFilterEnv.toxicityThreshold]: String(config.toxicityThreshold),
    [contentFilterEnv.timeoutMs]: String(config.timeoutMs),
    [contentFilterEnv.failure]: config.failure,
  };
}
