import { Resource, type SourceResource } from '../model/resource';
import type { Rule, RuleMeta } from '../rules/rule';
import type { ScanError } from '../sources/source';
import { hasExpired, isReasonGiven } from '../model/expires';
import { configShownAs, ExceptionMatcher } from './config';
import type { Finding, Suppression } from '../model/report';

/**
 * Runs the rules on one source's resources and turns each verdict into a finding, with inline,
 * Checkov and config suppressions applied (see applySuppressions). A rule that throws gives an
 * `unknown` finding, not a crash.
 */
export class RuleRunner {
  private readonly rulesByType = new Map<string, Rule[]>();

  /** Indices of the config exceptions that matched some finding (expired ones too): see unusedExceptionNotes. */
  readonly matched = new Set<number>();

  /**
   * `now`: when suppressions' `expires` dates are judged (ms since the epoch). `keepTags`: live
   * resources' tags (when read) go into their findings (`resource.tags`), for `--notify-tag`.
   */
  constructor(
    rules: readonly Rule[],
    private readonly exceptions: ExceptionMatcher,
    private readonly now = Date.now(),
    private readonly keepTags = false,
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
    const tags = this.exceptions.usesTags || this.keepTags ? liveTags(resource) : undefined;
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
    else if (resource.raw.root) message += ` (Evaluated as the root module ${resource.raw.root} calls it.)`;

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
    if (resource.raw.root) finding.resource.root = resource.raw.root;
    if (resource.raw.live) finding.resource.live = { ...resource.raw.live };
    // A `__proto__` tag key (AWS allows it) would make the report one its readers refuse: those tags stay unknown.
    if (this.keepTags && tags && !Object.prototype.hasOwnProperty.call(tags, '__proto__')) finding.resource.tags = { ...tags };

    this.applySuppressions(finding, resource, tags);
    return finding;
  }

  /**
   * The first suppression in force marks the finding suppressed: the template's own skips
   * (cloudconform's, then Checkov's), then the config's exceptions. One whose `expires` has
   * passed doesn't apply; when nothing else does, the finding carries it as `expiredSuppression`,
   * so every report says the suppression expired. A skip without a reason applies neither, and the
   * message says why. Every config exception that matches is noted for `matchedExceptions`.
   */
  private applySuppressions(finding: Finding, resource: Resource, tags: Record<string, string> | undefined): void {
    let expired: Finding['expiredSuppression'];
    const ids = [resource.id, ...(resource.raw.details?.name ? [resource.raw.details.name] : [])];
    const matches = this.exceptions.matchAll(finding.ruleId, resource.location.file, ids, tags);
    for (const m of matches) this.matched.add(m.index);
    for (const s of resource.raw.suppressions ?? []) {
      if (s.ruleId !== finding.ruleId) continue;
      if (!isReasonGiven(s.reason)) {
        // Checkov accepts a skip without a reason; we don't, for its skips as for ours: a
        // suppression nobody explained can't be reviewed, and the message says how to make it count.
        finding.message +=
          s.source === 'checkov'
            ? ` (A Checkov skip of ${s.writtenAs ?? s.ruleId} was ignored: it gives no reason (checkov:skip=ID:reason, or a comment in Metadata), and cloudconform requires one.)`
            : ' (An inline suppression was ignored: it gives no reason, and a reason is required.)';
        continue;
      }
      const suppression: Suppression = { reason: s.reason, source: s.source, file: s.location.file, line: s.location.line, ...(s.expires ? { expires: s.expires } : {}) };
      if (!hasExpired(s.expires, this.now)) return suppress(finding, suppression);
      expired ??= { ...suppression, expires: s.expires as string };
    }
    for (const { exception, expired: isExpired } of matches) {
      const suppression: Suppression = {
        reason: exception.reason,
        source: 'config',
        ...(exception.file ? { file: configShownAs(exception.file) } : {}),
        ...(exception.expires ? { expires: exception.expires } : {}),
      };
      if (!isExpired) return suppress(finding, suppression);
      expired ??= { ...suppression, expires: exception.expires as string };
    }
    if (expired) finding.expiredSuppression = expired;
  }
}

function suppress(finding: Finding, suppression: Suppression): void {
  finding.suppressed = true;
  finding.suppression = suppression;
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
