/** The adversarial losses the families offer (see losses.ts), as plain names a config schema can list without tfjs. */
export const ganLossKinds = ['vanilla', 'lsgan', 'hinge'] as const;
export type GanLossKind = (typeof ganLossKinds)[number];
