/**
 * Form fields from a JSON Schema, the way the engine describes a family's
 * training settings and translate options (`train.families`,
 * `ModelInfo.translateOptionsSchema`): so the Train form and the Translate
 * options show whatever a family declares, with its titles, help, bounds and
 * defaults, and no view keeps a copy of any family's settings.
 *
 * Nested objects (lr: { G, D }) become dotted keys ('lr.G'). What JSON
 * Schema cannot say (a power-of-two size, a cross-field rule) the server
 * still checks; its message names the field.
 */
import type { JsonSchema } from '../../../shared/contract.js';

interface FieldBase {
  /** Dotted path into the config object, e.g. 'lr.G'. */
  key: string;
  label: string;
  help: string;
  /** 'basic' fields stay in view; the rest go under Advanced. */
  group: 'basic' | 'advanced';
  /** The schema's own default; undefined for an optional setting the family decides ("auto"). */
  defaultValue: number | string | boolean | undefined;
  /** 'px', 'steps'…: shown after the label and the choices. */
  unit: string | undefined;
}

export interface NumberField extends FieldBase {
  kind: 'number';
  integer: boolean;
  min: number | undefined;
  max: number | undefined;
  /** True when min is exclusive (a learning rate > 0). */
  minExclusive: boolean;
  /** 'slider' when the schema asks for one (`.meta({ widget: 'slider' })`) and the field has both bounds; else a box. */
  widget: 'box' | 'slider';
  /** The slider's step (`.meta({ step })`); undefined: any value. */
  step: number | undefined;
}

export interface ChoiceField extends FieldBase {
  kind: 'choice';
  choices: readonly (string | number)[];
  /** What each choice reads as in the list, when the schema names them (`.meta({ labels })`). */
  labels: Readonly<Record<string, string>>;
}

export interface BooleanField extends FieldBase {
  kind: 'boolean';
}

export interface TextField extends FieldBase {
  kind: 'text';
  maxLength: number | undefined;
  /** Values offered as the user types (`.meta({ suggestions })`), any other text still allowed. */
  suggestions: readonly string[];
}

export type SchemaField = NumberField | ChoiceField | BooleanField | TextField;

/** What the fields hold: inputs give strings (a half-typed number is representable), checkboxes booleans. */
export type FieldValues = Record<string, string | boolean>;

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

function titleOf(key: string): string {
  const last = key.split('.').pop() ?? key;
  const spaced = last.replace(/([a-z])([A-Z])/g, '$1 $2');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The constant values of an enum, or of an anyOf of consts (zod writes unions of literals that way). */
function choicesOf(node: Node): (string | number)[] | undefined {
  if (Array.isArray(node['enum'])) return node['enum'].filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  if (Array.isArray(node['anyOf'])) {
    const consts = node['anyOf'].map((option) => (isNode(option) ? option['const'] : undefined));
    if (consts.length > 0 && consts.every((v) => typeof v === 'string' || typeof v === 'number')) return consts as (string | number)[];
  }
  return undefined;
}

function fieldOf(key: string, node: Node, inheritedDefault: unknown): SchemaField | null {
  const ownDefault = 'default' in node ? node['default'] : inheritedDefault;
  const defaultValue = typeof ownDefault === 'number' || typeof ownDefault === 'string' || typeof ownDefault === 'boolean' ? ownDefault : undefined;
  const base = {
    key,
    label: typeof node['title'] === 'string' ? node['title'] : titleOf(key),
    help: typeof node['description'] === 'string' ? node['description'] : '',
    group: node['group'] === 'basic' ? ('basic' as const) : ('advanced' as const),
    defaultValue,
    unit: typeof node['unit'] === 'string' ? node['unit'] : undefined,
  };
  const listed = Array.isArray(node['choices']) ? (node['choices'] as unknown[]).filter((v): v is number | string => typeof v === 'number' || typeof v === 'string') : undefined;
  const choices = listed ?? choicesOf(node);
  if (choices) {
    const labels = isNode(node['labels']) ? Object.fromEntries(Object.entries(node['labels']).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) : {};
    return { ...base, kind: 'choice', choices, labels };
  }
  switch (node['type']) {
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'integer':
    case 'number': {
      const integer = node['type'] === 'integer';
      let exclusive = typeof node['exclusiveMinimum'] === 'number' ? node['exclusiveMinimum'] : undefined;
      let min = typeof node['minimum'] === 'number' ? node['minimum'] : exclusive;
      // A whole number above 0 is one of at least 1, which reads better.
      if (integer && exclusive !== undefined && min === exclusive) {
        min = Math.floor(exclusive) + 1;
        exclusive = undefined;
      }
      const max = typeof node['maximum'] === 'number' && node['maximum'] < Number.MAX_SAFE_INTEGER ? node['maximum'] : undefined;
      const widget = node['widget'] === 'slider' && min !== undefined && max !== undefined ? ('slider' as const) : ('box' as const);
      const step = typeof node['step'] === 'number' && node['step'] > 0 ? node['step'] : undefined;
      return { ...base, kind: 'number', integer, min, max, minExclusive: exclusive !== undefined && min === exclusive, widget, step };
    }
    case 'string':
      return {
        ...base,
        kind: 'text',
        maxLength: typeof node['maxLength'] === 'number' ? node['maxLength'] : undefined,
        suggestions: Array.isArray(node['suggestions']) ? node['suggestions'].filter((v): v is string => typeof v === 'string') : [],
      };
    default:
      return null;
  }
}

/**
 * The fields of an object schema, in declaration order. Fields marked
 * `hidden` and the `family` key are left out; a nested object's default
 * (lr: { G, D } defaults together) becomes its fields' defaults.
 */
export function fieldsOf(schema: JsonSchema, prefix = '', inheritedDefaults: unknown = undefined): SchemaField[] {
  const properties = isNode(schema['properties']) ? schema['properties'] : {};
  const fields: SchemaField[] = [];
  for (const [name, raw] of Object.entries(properties)) {
    if (!isNode(raw) || raw['hidden'] === true || (prefix === '' && name === 'family')) continue;
    const key = prefix ? `${prefix}.${name}` : name;
    const inherited = isNode(inheritedDefaults) ? inheritedDefaults[name] : undefined;
    if (raw['type'] === 'object' && isNode(raw['properties'])) {
      const nested = fieldsOf(raw, key, 'default' in raw ? raw['default'] : inherited);
      // A nested object's fields join its group unless they name their own.
      fields.push(...nested.map((field) => (raw['group'] === 'basic' ? { ...field, group: 'basic' as const } : field)));
      continue;
    }
    const field = fieldOf(key, raw, inherited);
    if (field) fields.push(field);
  }
  return fields;
}

function valueAt(config: Node, key: string): unknown {
  let node: unknown = config;
  for (const part of key.split('.')) node = isNode(node) ? node[part] : undefined;
  return node;
}

function textOf(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/** The fields' starting values: the schema defaults, with `start` (a preset, or a model's settings) on top. */
export function startValues(fields: readonly SchemaField[], start: Node = {}): FieldValues {
  const values: FieldValues = {};
  for (const field of fields) {
    const preset = valueAt(start, field.key);
    const value = preset !== undefined ? preset : field.defaultValue;
    values[field.key] = field.kind === 'boolean' ? value === true : textOf(value);
  }
  return values;
}

/** Checks one field's value; returns the parsed value, undefined for an empty optional field, or a problem. */
export function parseField(field: SchemaField, raw: string | boolean): { value: number | string | boolean | undefined } | { error: string } {
  if (field.kind === 'boolean') return { value: raw === true };
  const text = String(raw).trim();
  if (field.kind === 'choice') {
    const match = field.choices.find((choice) => String(choice) === text);
    return match !== undefined ? { value: match } : { error: `choose one of ${field.choices.join(', ')}` };
  }
  if (text === '') return field.defaultValue === undefined ? { value: undefined } : { error: field.kind === 'number' ? 'enter a number' : 'enter a value' };
  if (field.kind === 'text') {
    return field.maxLength !== undefined && text.length > field.maxLength ? { error: `at most ${field.maxLength} characters` } : { value: text };
  }
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: `“${text}” is not a number` };
  if (field.integer && !Number.isInteger(value)) return { error: 'must be a whole number' };
  if (field.min !== undefined && (field.minExclusive ? value <= field.min : value < field.min)) {
    return { error: field.minExclusive ? `must be above ${field.min}` : `must be at least ${field.min}` };
  }
  if (field.max !== undefined && value > field.max) return { error: `must be at most ${field.max}` };
  return { value };
}

function setPath(target: Node, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (isNode(next)) node = next;
    else node = node[part] = {} as Node;
  }
  node[parts[parts.length - 1]!] = value;
}

export interface FormResult {
  /** The settings object to send; empty optional fields are left out. */
  config: Record<string, unknown>;
  /** Problems by field key, in the user's words. */
  errors: Record<string, string>;
}

export function configFromValues(fields: readonly SchemaField[], values: FieldValues): FormResult {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const parsed = parseField(field, values[field.key] ?? '');
    if ('error' in parsed) errors[field.key] = parsed.error;
    else if (parsed.value !== undefined) setPath(config, field.key, parsed.value);
  }
  return { config, errors };
}

/** The fields whose value differs from where the form started (`startValues`), for a "3 changed" summary. */
export function changedFields(fields: readonly SchemaField[], values: FieldValues, start: FieldValues): SchemaField[] {
  return fields.filter((field) => {
    const value = values[field.key];
    return field.kind === 'boolean' ? value !== start[field.key] : String(value ?? '').trim() !== String(start[field.key] ?? '').trim();
  });
}

/** Server issues ("config.lr.G: …", "lr.G: …") keyed by the field they name, for showing beside it. */
export function issuesByField(issues: readonly { path: string; message: string }[]): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const issue of issues) byField[issue.path.replace(/^config\./, '')] = issue.message;
  return byField;
}
