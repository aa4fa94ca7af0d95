/** The normalisation layers a pix2pix-style network offers (see normalization.ts), as names a config schema can list without tfjs. */
export const normKinds = ['instance', 'batch'] as const;
export type NormKind = (typeof normKinds)[number];
