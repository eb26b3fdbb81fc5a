import type { Rule } from './rule';
import { rule as sageMaker004 } from './sagemaker-004/rule';
import { rule as sageMaker005 } from './sagemaker-005/rule';

/** Every rule, in id order. A rule is one folder; add it here and the meta test checks it is complete. */
export const ALL_RULES: readonly Rule[] = [sageMaker004, sageMaker005];

export function findRule(id: string): Rule | undefined {
  const wanted = id.toLowerCase();
  return ALL_RULES.find((r) => r.meta.id.toLowerCase() === wanted || r.meta.aliases.some((a) => a.id.toLowerCase() === wanted));
}
