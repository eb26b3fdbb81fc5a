import { Resource, type SourceResource } from '../model/resource';
import type { Rule, RuleMeta } from '../rules/rule';
import type { ScanError } from '../sources/source';
import { ExceptionMatcher } from './config';
import type { Finding } from './report';

/**
 * Runs the rules on one source's resources and turns each verdict into a finding, with inline
 * and config suppressions applied. A rule that throws gives an `unknown` finding, not a crash.
 */
export class RuleRunner {
  private readonly rulesByType = new Map<string, Rule[]>();

  constructor(
    rules: readonly Rule[],
    private readonly exceptions: ExceptionMatcher,
  ) {
    for (const rule of rules) {
      for (const type of rule.meta.resourceTypes) {
        const list = this.rulesByType.get(type) ?? [];
        list.push(rule);
        this.rulesByType.set(type, list);
      }
    }
  }

  /** Resource types some rule reads: sources may ignore every other type. */
  get resourceTypes(): Set<string> {
    return new Set(this.rulesByType.keys());
  }

  evaluate(raw: SourceResource, out: Finding[], errors: ScanError[]): void {
    const rules = this.rulesByType.get(raw.type);
    if (!rules) return;
    const resource = new Resource(raw);
    const tags = this.exceptions.usesTags ? liveTags(resource) : undefined;
    // A copy with fresh strings: ids and values sliced out of a template would otherwise keep the
    // whole template text alive for as long as the report lives, so memory would grow per file.
    for (const rule of rules) out.push(structuredClone(this.evaluateRule(rule, resource, tags, errors)));
  }

  private evaluateRule(rule: Rule, resource: Resource, tags: Record<string, string> | undefined, errors: ScanError[]): Finding {
    const meta: RuleMeta = rule.meta;
    let result: Finding['result'];
    let message: string;
    let location = resource.location;
    try {
      const checked = rule.check(resource);
      result = checked.result;
      message = checked.message;
      location = checked.location;
    } catch (e) {
      result = 'unknown';
      message = `the rule could not evaluate this resource: ${(e as Error)?.message ?? String(e)}`;
      errors.push({ file: resource.location.file, line: resource.location.line, message: `${meta.id} on ${resource.id}: ${message}` });
    }
    if (resource.raw.existenceUnknown) message += ` (The resource is created only if ${resource.raw.existenceUnknown}.)`;
    if (resource.raw.deployedAs) message += ` (Evaluated as deployed by ${resource.raw.deployedAs}.)`;

    const finding: Finding = {
      ruleId: meta.id,
      result,
      resource: { type: resource.type, id: resource.id, source: resource.raw.source },
      location: { file: location.file, line: location.line, ...(location.column ? { column: location.column } : {}) },
      message,
      risk: meta.risk,
      suppressed: false,
    };
    if (resource.raw.details) finding.resource.details = resource.raw.details;

    const inline = resource.raw.suppressions?.find((s) => s.ruleId.toLowerCase() === meta.id.toLowerCase());
    if (inline && inline.reason.trim()) {
      finding.suppressed = true;
      finding.suppression = { reason: inline.reason.trim(), source: 'inline', file: inline.location.file, line: inline.location.line };
    } else {
      if (inline) finding.message += ' (An inline suppression was ignored: it gives no reason, and a reason is required.)';
      const ids = [resource.id, ...(resource.raw.details?.name ? [resource.raw.details.name] : [])];
      const exception = this.exceptions.match(meta.id, resource.location.file, ids, tags);
      if (exception) {
        finding.suppressed = true;
        finding.suppression = { reason: exception.reason, source: 'config' };
      }
    }
    return finding;
  }
}

/**
 * A live resource's tags (its `Tags` property, read from ListTags), for exceptions by tag.
 * Undefined for templates, whose tags are not all the deployed resource gets, and when the tags
 * could not be read: then no tag exception applies.
 */
function liveTags(resource: Resource): Record<string, string> | undefined {
  if (resource.raw.source !== 'aws') return undefined;
  const attr = resource.attribute('Tags');
  if (attr.state !== 'set' || !Array.isArray(attr.value)) return undefined;
  const tags: Record<string, string> = Object.create(null);
  for (const tag of attr.value as { Key?: unknown; Value?: unknown }[]) {
    if (typeof tag?.Key === 'string') tags[tag.Key] = typeof tag.Value === 'string' ? tag.Value : '';
  }
  return tags;
}
