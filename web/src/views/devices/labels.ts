// Message keys for server names that contain dots (event kinds, command types): vue-i18n reads dots as paths.
export const msgKey = (name: string): string => name.replace(/\./g, '_');
