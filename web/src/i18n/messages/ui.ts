import { defineMessages } from '../define';

// The ui domain: the generic components (sheets, fields, spinners), the
// API client's fallback sentences and the appearance settings.
export const ui = defineMessages(
  {
    'ui.sheet.close': 'Close',
    'ui.field.showPassword': 'Show password',
    'ui.field.hidePassword': 'Hide password',
    'ui.spinner.loading': 'Loading…',
    'ui.api.network': 'Can’t reach Plaza. Check your connection and try again.',
    'ui.api.unauthenticated': 'Please log in to continue.',
    'ui.api.forbidden': 'You don’t have permission to do that.',
    'ui.api.notFound': 'Not found.',
    'ui.api.tooLarge': 'That file is too large.',
    'ui.api.tooMany': 'Too many attempts. Please wait a moment and try again.',
    'ui.api.server': 'Plaza is having trouble right now. Please try again shortly.',
    'ui.api.failed': 'Request failed ({status}).',
    'ui.theme.title': 'Appearance',
    'ui.theme.light': 'Light',
    'ui.theme.dark': 'Dark',
    'ui.theme.system': 'System',
    'ui.theme.hint': 'System follows your device’s light or dark setting.',
  },
  {
    'ui.sheet.close': '关闭',
    'ui.field.showPassword': '显示密码',
    'ui.field.hidePassword': '隐藏密码',
    'ui.spinner.loading': '加载中…',
    'ui.api.network': '无法连接 Plaza，请检查网络后重试。',
    'ui.api.unauthenticated': '请先登录。',
    'ui.api.forbidden': '你没有权限进行此操作。',
    'ui.api.notFound': '内容不存在。',
    'ui.api.tooLarge': '文件太大。',
    'ui.api.tooMany': '操作太频繁，请稍后再试。',
    'ui.api.server': 'Plaza 暂时出了点问题，请稍后再试。',
    'ui.api.failed': '请求失败（{status}）。',
    'ui.theme.title': '外观',
    'ui.theme.light': '浅色',
    'ui.theme.dark': '深色',
    'ui.theme.system': '跟随系统',
    'ui.theme.hint': '跟随系统：与设备的浅色或深色设置保持一致。',
  },
);
