// Message boxes opened from code do not see <el-config-provider>'s locale, so their buttons are named here.
import { ElMessageBox } from 'element-plus';
import { i18n } from './i18n';

/** Asks for confirmation; resolves true when the user confirms, false when they cancel or close. */
export async function confirmAction(message: string, title: string): Promise<boolean> {
  const t = i18n.global.t;
  try {
    await ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText: t('common.confirm'),
      cancelButtonText: t('common.cancel'),
    });
    return true;
  } catch {
    return false;
  }
}

/** Shows a message with a single close button. */
export async function showMessage(message: string, title: string): Promise<void> {
  await ElMessageBox.alert(message, title, { confirmButtonText: i18n.global.t('common.close') }).catch(() => undefined);
}
