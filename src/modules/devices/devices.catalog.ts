// What the registry knows about: the eleven subsystems the brief joins, device kinds with their default
// capabilities, well-known event kinds, preset voice messages and the commands a device can be sent.
// Event kinds are open (any dotted lower-case name is accepted); the list here is what the UI and rules offer.

export const subsystems = [
  'safe_city_video', // 平安城市视频
  'smart_traffic', // 智慧交通
  'smart_fire', // 智慧消防
  'smart_water', // 智慧水务（防溺水）
  'safe_construction', // 平安工地
  'elderly_care', // 平安养老
  'sharp_eyes', // 雪亮工程
  'key_person', // 重点人员管控
  'parcel_logistics', // 寄递物流
  'ebike_antitheft', // 两车防盗
  'face_recognition', // 人脸识别
] as const;
export type Subsystem = (typeof subsystems)[number];

export const capabilities = [
  'video',
  'snapshot',
  'face',
  'plate',
  'ptz',
  'thermal',
  'broadcast',
  'strobe',
  'gas',
  'smoke',
  'water_level',
  'blind_spot',
  'gps',
  'alarm_button',
  'fall_detection',
  'rfid',
  'access',
  'parcel_scan',
  'environment',
] as const;
export type Capability = (typeof capabilities)[number];

/** Device kinds and the capabilities a device of that kind has unless it says otherwise. */
export const deviceKinds = {
  bullet_camera: ['video', 'snapshot'],
  dome_camera: ['video', 'snapshot', 'ptz'],
  thermal_camera: ['video', 'snapshot', 'thermal'],
  face_camera: ['video', 'snapshot', 'face'],
  plate_camera: ['video', 'snapshot', 'plate'],
  loudspeaker: ['broadcast'],
  water_area_terminal: ['video', 'snapshot', 'broadcast', 'strobe'],
  strobe_light: ['strobe'],
  alarm_button: ['alarm_button', 'broadcast'],
  gas_detector: ['gas'],
  smoke_detector: ['smoke'],
  water_level_sensor: ['water_level'],
  blind_spot_monitor: ['blind_spot', 'gps', 'video'],
  fall_detector: ['fall_detection'],
  wearable: ['gps', 'alarm_button'],
  access_controller: ['access', 'face'],
  parcel_scanner: ['parcel_scan'],
  ebike_tag_reader: ['rfid'],
  environment_sensor: ['environment'],
} as const satisfies Record<string, readonly Capability[]>;
export type DeviceKind = keyof typeof deviceKinds;
export const deviceKindNames = Object.keys(deviceKinds) as DeviceKind[];

/** Well-known event kinds (rules and screens offer these; devices may send others of the same form). */
export const eventKinds = [
  'person.near_water',
  'person.in_water',
  'intrusion',
  'face.captured',
  'person.captured',
  'vehicle.captured',
  'nonmotor.captured',
  'gas.alarm',
  'smoke.alarm',
  'water.level_high',
  'blind_spot.warning',
  'vehicle.accident',
  'alarm.button',
  'fall.detected',
  'helmet.missing',
  'ebike.moved',
  'parcel.scanned',
  'access.denied',
  'device.fault',
  'device.online',
  'device.offline',
] as const;

/** Preset voice messages a loudspeaker can play by name. */
export const voicePresets: Record<string, string> = {
  water_danger: '水边危险，请速离开',
  water_leave_now: '您已进入危险水域，请立即离开！',
  water_no_swimming: '此处禁止游泳、戏水，请注意安全',
  fire_evacuate: '发生火情，请立即有序疏散',
  gas_leak: '检测到燃气泄漏，请开窗通风、关闭阀门，切勿使用明火',
  construction_helmet: '进入施工现场，请佩戴安全帽',
  antifraud_reminder: '陌生来电要警惕，转账汇款需核实',
};

/** Commands and the capability a device needs to receive them (null: any device). */
export const commandTypes = {
  'broadcast.text': 'broadcast',
  'broadcast.preset': 'broadcast',
  'broadcast.stop': 'broadcast',
  strobe: 'strobe',
  'ptz.preset': 'ptz',
  reboot: null,
} as const satisfies Record<string, Capability | null>;
export type CommandType = keyof typeof commandTypes;
export const commandTypeNames = Object.keys(commandTypes) as CommandType[];

/** A device is marked offline after this many heartbeat intervals without hearing from it (GB/T 28181 practice). */
export const OFFLINE_AFTER_MISSES = 3;

export function isDeviceKind(k: string): k is DeviceKind {
  return Object.prototype.hasOwnProperty.call(deviceKinds, k);
}

/** Chinese names, so that an import file may say 雪亮工程 instead of sharp_eyes (the web app has its own i18n). */
export const subsystemNamesZh: Record<Subsystem, string> = {
  safe_city_video: '平安城市视频',
  smart_traffic: '智慧交通',
  smart_fire: '智慧消防',
  smart_water: '智慧水务',
  safe_construction: '平安工地',
  elderly_care: '平安养老',
  sharp_eyes: '雪亮工程',
  key_person: '重点人员管控',
  parcel_logistics: '寄递物流',
  ebike_antitheft: '两车防盗',
  face_recognition: '人脸识别',
};

export const kindNamesZh: Record<DeviceKind, string> = {
  bullet_camera: '枪机',
  dome_camera: '球机',
  thermal_camera: '热成像摄像机',
  face_camera: '人脸抓拍机',
  plate_camera: '卡口相机',
  loudspeaker: '高音喇叭',
  water_area_terminal: '防溺水智能终端',
  strobe_light: '爆闪灯',
  alarm_button: '一键报警柱',
  gas_detector: '燃气报警器',
  smoke_detector: '烟感报警器',
  water_level_sensor: '水位传感器',
  blind_spot_monitor: '盲区监测仪',
  fall_detector: '跌倒监测器',
  wearable: '智能手环',
  access_controller: '门禁控制器',
  parcel_scanner: '寄递安检机',
  ebike_tag_reader: '电动车防盗基站',
  environment_sensor: '环境监测仪',
};
