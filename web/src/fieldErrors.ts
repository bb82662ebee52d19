// Validation issues from the server (`{ field, message }`, zod's English wording) in the user's words: the field
// named in their language ("区域形状 · 第 4 个顶点 · 经度") and the reason ("不能大于 180").
import { i18n } from './i18n';

export interface FieldIssue {
  field: string;
  message: string;
}

const t = (key: string, values?: Record<string, unknown>) => i18n.global.t(key, values ?? {});
const te = (key: string) => i18n.global.te(key, 'zh-CN');
const SKIP = new Set(['body', 'querystring', 'params', '(feature)', '']);

/** "geometry.coordinates.0.3.0" → "区域形状 · 第 4 个顶点 · 经度". */
export function fieldLabel(path: string): string {
  const parts = path.split('.').filter((p) => !SKIP.has(p));
  const out: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p === 'coordinates') {
      // Polygon: ring, vertex, lon/lat; MultiPolygon: polygon, ring, vertex, lon/lat. The vertex and axis matter.
      const idx = parts.slice(i + 1).filter((x) => /^\d+$/.test(x)).map(Number);
      const axis = idx.length >= 3 ? idx[idx.length - 1] : undefined;
      const vertex = idx.length >= 3 ? idx[idx.length - 2] : idx.length === 2 ? idx[1] : undefined;
      if (vertex !== undefined) out.push(t('fields.vertex', { n: vertex + 1 }));
      if (axis !== undefined) out.push(t(axis === 0 ? 'fields.lon' : 'fields.lat'));
      if (vertex === undefined) out.push(t('fields.coordinates'));
      break;
    }
    if (/^\d+$/.test(p)) out.push(t('fields.item', { n: Number(p) + 1 }));
    else out.push(te(`fields.${p}`) ? t(`fields.${p}`) : p);
  }
  return out.join(' · ');
}

/** zod's English message → the reason in the user's language. */
export function reasonText(message: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^Too big: expected number to be <=?\s*(\S+)/.exec(message))) return t('reasons.maxNumber', { n: m[1] });
  if ((m = /^Too small: expected number to be >=?\s*(\S+)/.exec(message))) return t('reasons.minNumber', { n: m[1] });
  if ((m = /^Too big: expected string to have <=?\s*(\d+)/.exec(message))) return t('reasons.maxLength', { n: m[1] });
  if ((m = /^Too small: expected string to have >=?\s*(\d+)/.exec(message))) return m[1] === '1' ? t('reasons.empty') : t('reasons.minLength', { n: m[1] });
  if ((m = /^Too big: expected array to have <=?\s*(\d+)/.exec(message))) return t('reasons.maxItems', { n: m[1] });
  if ((m = /^Too small: expected array to have >=?\s*(\d+)/.exec(message))) return t('reasons.minItems', { n: m[1] });
  if (/received undefined$/.test(message)) return t('reasons.required');
  if (/^Invalid input: expected int/.test(message)) return t('reasons.integer');
  if (/^Invalid input: expected/.test(message)) return t('reasons.wrongType');
  if (/^Invalid option/.test(message)) return t('reasons.notAnOption');
  if ((m = /^Unrecognized keys?: (.*)$/.exec(message))) return t('reasons.unknownField', { keys: m[1]!.replace(/"/g, '') });
  if (/^Invalid string: must match pattern/.test(message)) return t('reasons.pattern');
  if (/ring needs at least 4 positions/.test(message)) return t('reasons.ringTooShort');
  if (/ring must be closed/.test(message)) return t('reasons.ringOpen');
  if (/^Invalid input$/.test(message) || /discriminator/i.test(message)) return t('reasons.notPolygon');
  if (/letters, digits, _ \. : -/.test(message)) return t('reasons.zoneCode');
  if (/^no device .* in your area$/.test(message)) return t('reasons.noDevice');
  if (/ cannot broadcast$/.test(message)) return t('reasons.cannotBroadcast');
  if (/^no user .* in your area$/.test(message)) return t('reasons.noUser');
  if (/needs a user or a phone number/.test(message)) return t('reasons.contactNeedsPhone');
  return t('reasons.other', { text: message });
}

/** One line per issue: "区域形状 · 第 4 个顶点 · 经度：不能大于 180". */
export function issueText(issue: FieldIssue): string {
  const label = fieldLabel(issue.field);
  const reason = reasonText(issue.message);
  return label ? `${label}：${reason}` : reason;
}

/** The issues of a 400 answer (`details.issues`), if it has them. */
export function issuesOf(details: unknown): FieldIssue[] {
  const issues = (details as { issues?: unknown } | null | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.filter((i): i is FieldIssue => typeof i === 'object' && i !== null && typeof (i as FieldIssue).field === 'string' && typeof (i as FieldIssue).message === 'string');
}
