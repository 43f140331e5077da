/**
 * Names and labels of `all`/`any` groups inside condition trees (`{ "any": [...], "name":
 * "maleBorn1965", "label": {...} }`): a large condition — a hundred birth cohorts — stays readable
 * when explanations can group its leaves by named group. A name is lowerCamelCase like a named
 * condition's, unique in the policy and distinct from every named condition; a label needs a name.
 */
import { at, checkText, type Issues } from './validate-support.js';

/** What the check needs of validate-conditions.ts's context: where issues go, and the named conditions. */
interface GroupNameContext {
  issues: Issues;
  named: Record<string, unknown>;
}

const NAME = /^[a-z][A-Za-z0-9]*$/;

/** Group names seen so far, per validation run (one ConditionContext per validatePolicy call). */
const seen = new WeakMap<GroupNameContext, Set<string>>();

/** The keys an inline group may carry besides `all`/`any`. */
export const GROUP_NAME_KEYS = ['name', 'label'] as const;

/** Checks an inline group's `name` and `label`, when present. */
export function checkGroupName(ctx: GroupNameContext, path: string, node: Record<string, unknown>): void {
  const { name, label } = node;
  if (label !== undefined) checkText(ctx.issues, at(path, 'label'), label);
  if (name === undefined) {
    if (label !== undefined)
      ctx.issues.add(
        at(path, 'name'),
        'a labelled group needs a name, e.g. "maleBorn1965"',
        '带说明的条件组须有名称，例如 "maleBorn1965"',
      );
    return;
  }
  if (typeof name !== 'string' || !NAME.test(name)) {
    ctx.issues.add(
      at(path, 'name'),
      `name ${JSON.stringify(name)} must be lowerCamelCase, e.g. maleBorn1965`,
      `名称 ${JSON.stringify(name)} 必须是小写字母开头的驼峰式英文，例如 maleBorn1965`,
    );
    return;
  }
  const names = seen.get(ctx) ?? new Set<string>();
  seen.set(ctx, names);
  if (Object.hasOwn(ctx.named, name) || names.has(name))
    ctx.issues.add(
      at(path, 'name'),
      `name "${name}" is already used by ${Object.hasOwn(ctx.named, name) ? 'a named condition' : 'another group'}: each names one group`,
      `名称 "${name}" 已被${Object.hasOwn(ctx.named, name) ? '命名条件' : '其他条件组'}使用，名称须唯一`,
    );
  names.add(name);
}
