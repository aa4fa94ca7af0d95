import type { z } from 'zod';

/** zod's issues as path + message pairs a user can read ("tags.2: a tag cannot be empty"). */
export function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(payload)',
    message: issue.message,
  }));
}
