/**
 * Turns (method name, untrusted payload) into an Outcome, for any transport.
 * Validation happens here once, so no handler ever sees an unchecked payload
 * and no bad payload can crash the process.
 */
import {
  isMethodName,
  methods,
  type MethodName,
  type Outcome,
  type ParsedRequest,
  type Response,
} from '../../shared/contract.js';
import { UserFacingError } from '../engine/errors.js';
import { zodIssues } from '../../shared/zod-issues.js';

export type Handler<M extends MethodName> = (request: ParsedRequest<M>) => Promise<Response<M>> | Response<M>;
export type Handlers = { [M in MethodName]: Handler<M> };

export { UserFacingError };

const MAX_ISSUES = 20;
const MAX_ISSUE_TEXT = 300;

/** Issue paths and messages can quote what the client sent (a 1 MB key); an answer quotes at most a little of it. */
function clip(text: string): string {
  return text.length > MAX_ISSUE_TEXT ? `${text.slice(0, MAX_ISSUE_TEXT)}…` : text;
}

export function createDispatcher(handlers: Handlers, log: (message: string) => void = () => {}) {
  return async function dispatch(method: unknown, payload: unknown): Promise<Outcome<unknown>> {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'unknown_method', message: `Unknown method: ${String(method).slice(0, 100)}` } };
    }
    const parsed = methods[method].request.safeParse(payload ?? {});
    if (!parsed.success) {
      const all = zodIssues(parsed.error);
      // A payload with 100,000 unknown keys must not come back as a 100,000-line answer.
      const issues = all.slice(0, MAX_ISSUES).map((issue) => ({ path: clip(issue.path), message: clip(issue.message) }));
      const more = all.length > issues.length ? `; and ${all.length - issues.length} more` : '';
      return {
        ok: false,
        error: {
          code: 'invalid_request',
          message: `Invalid request for ${method}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}${more}`,
          issues,
        },
      };
    }
    try {
      const handler = handlers[method] as (request: unknown) => unknown;
      const value = await handler(parsed.data);
      return { ok: true, value };
    } catch (error) {
      if (error instanceof UserFacingError) return { ok: false, error: { code: error.code, message: error.message } };
      const message = error instanceof Error ? error.message : String(error);
      log(`${method} failed: ${error instanceof Error && error.stack ? error.stack : message}`);
      return { ok: false, error: { code: 'failed', message } };
    }
  };
}

export type Dispatch = ReturnType<typeof createDispatcher>;
