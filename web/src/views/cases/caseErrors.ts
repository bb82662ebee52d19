// Errors of the cases screens in the user's words: our own wording for the module's codes, else the shell's.
import { ApiError } from '../../api';
import { errorText, i18n } from '../../i18n';

export function caseError(err: unknown): string {
  if (err instanceof ApiError) {
    const key = `cases.errors.${err.code}`;
    if (i18n.global.te(key, 'zh-CN')) return i18n.global.t(key, { message: err.message });
  }
  return errorText(err);
}
