/** Which model cards offer Delete, and what the others say instead (the server refuses the same ones). */
import { expect, it } from 'vitest';
import { deletion } from '../../../src/renderer/src/lib/train/model-actions.js';

it('offers Delete for trained and imported models only, and says why the others stay', () => {
  expect(deletion({ source: 'trained' })).toEqual({ allowed: true });
  expect(deletion({ source: 'imported' })).toEqual({ allowed: true });
  expect(deletion({ source: 'bundled' })).toEqual({ allowed: false, reason: 'Ships with GANvas, so it cannot be deleted' });
  expect(deletion({ source: 'package' })).toMatchObject({ allowed: false, reason: expect.stringMatching(/npm package: uninstall the package/) });
});
