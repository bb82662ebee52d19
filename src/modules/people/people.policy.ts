// Key-person management as pure rules: the GB/T 31000 special-population categories (and the usual local
// extension), the graded levels (分档), and what each level means for visits and tests. No I/O here.

/** GB/T 31000 special populations: 01–06, plus key youth and the common local extension of key petitioners. */
export const keyPersonCategories = [
  'released_prisoner', // 01 刑满释放人员
  'community_correction', // 02 社区矫正人员
  'mental_disorder', // 03 严重精神障碍患者
  'drug_user', // 04 吸毒人员
  'hiv_risk', // 05 艾滋病危险人员
  'key_youth', // 06 重点青少年
  'key_petitioner', // local extension: 重点上访人员
] as const;
export type KeyPersonCategory = (typeof keyPersonCategories)[number];

export const keyPersonLevels = ['key', 'attention', 'general'] as const;
export type KeyPersonLevel = (typeof keyPersonLevels)[number];

export const DAY_MS = 86_400_000;

/** Days between visits by level: weekly for 重点, monthly for 关注, quarterly for 一般. */
export const visitIntervalDays: Record<KeyPersonLevel, number> = { key: 7, attention: 30, general: 90 };

/** Tests by category and level: a drug user's hair test (毛发检测) monthly, quarterly or half-yearly. */
export const testIntervalDays: Partial<Record<KeyPersonCategory, Record<KeyPersonLevel, number>>> = {
  drug_user: { key: 30, attention: 90, general: 180 },
};

/** After an item falls due and is not done: the helper is reminded at once, the town is told this many days later. */
export const ESCALATE_AFTER_DAYS = 3;

export function intervalsFor(category: KeyPersonCategory, level: KeyPersonLevel): { visitDays: number; testDays: number | null } {
  return { visitDays: visitIntervalDays[level], testDays: testIntervalDays[category]?.[level] ?? null };
}

export function addDays(at: Date | string, days: number): Date {
  return new Date(new Date(at).getTime() + days * DAY_MS);
}

/** Household roles as grid systems register them. */
export const householdRoles = ['head', 'spouse', 'child', 'parent', 'grandchild', 'sibling', 'other'] as const;
export const residenceKinds = ['registered', 'floating'] as const;

/** A village representative serves 5–15 households; outside that range only with a recorded reason. */
export const REP_MIN_HOUSEHOLDS = 5;
export const REP_MAX_HOUSEHOLDS = 15;
