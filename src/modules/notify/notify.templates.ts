// Message templates (zh-CN: the recipients are parents, teachers, households and staff in Hunan). A rule or a
// caller names a template and gives its parameters; `{name}` is replaced, and a missing parameter is an error
// rather than a message with a hole in it.
import { errors } from '../../platform/errors.ts';

export interface Template {
  subject: string;
  text: string;
}

export const templates: Record<string, Template> = {
  'drowning.student_at_water': {
    subject: '防溺水预警',
    text: '【防溺水预警】{student}同学于{time}出现在{place}附近，请立即联系孩子确认安全，并提醒远离水域。',
  },
  'drowning.call': {
    subject: '防溺水预警电话',
    text: '紧急提醒：{student}同学出现在{place}附近，水边危险，请立即确认孩子安全。',
  },
  'drowning.person_in_water': {
    subject: '落水警情',
    text: '【落水警情】{place}发现有人落水，请立即赶赴现场救援。',
  },
  'alert.raised': { subject: '预警通知', text: '【预警】{title}（{place}），请及时处置。' },
  'alert.escalated': { subject: '预警升级', text: '【预警升级】{title}（{place}）超时未确认，已升级至{level}，请立即处置。' },
  'alert.reminder': { subject: '预警提醒', text: '【提醒】{title}（{place}）仍未确认，请立即处置。' },
  'fire.gas_alarm': {
    subject: '燃气报警',
    text: '【燃气报警】{place}的燃气探测器报警，请立即开窗通风、关闭气源并撤离，切勿开关电器。',
  },
  'fire.escalated': { subject: '燃气报警升级', text: '【燃气报警】{place}报警超时未确认，请消防救援力量前往处置。' },
  test: { subject: '测试消息', text: '这是一条来自市域社会治理平台的测试消息（{channel}）。' },
};

export function renderTemplate(id: string, params: Record<string, string | number> = {}): Template {
  const t = templates[id];
  if (!t) throw errors.validation('notify.unknown_template', `No template ${id}.`, [{ field: 'template', message: 'unknown template' }]);
  const missing: string[] = [];
  const fill = (s: string) =>
    s.replace(/\{(\w+)\}/g, (_, k: string) => {
      const v = params[k];
      if (v === undefined) {
        missing.push(k);
        return '';
      }
      return String(v);
    });
  const out = { subject: fill(t.subject), text: fill(t.text) };
  if (missing.length) {
    throw errors.validation('notify.template_params', `Template ${id} needs ${[...new Set(missing)].join(', ')}.`, [
      { field: 'params', message: `missing ${[...new Set(missing)].join(', ')}` },
    ]);
  }
  return out;
}
