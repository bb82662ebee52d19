import { z } from 'zod';
import { areaCodeSchema, phoneSchema } from '../accounts/accounts.schema.ts';
import { zoneGeometrySchema } from './geo.ts';
import { periodsSchema } from './periods.ts';

export const zoneKinds = ['key_water', 'school_surroundings', 'key_fire_unit', 'construction_site', 'household', 'other'] as const;
export const contactRoles = ['keeper', 'grid_worker', 'village_head', 'principal', 'police', 'household', 'fire_brigade'] as const;
export type ContactRole = (typeof contactRoles)[number];

export const zoneCodeSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{1,63}$/, '2–64 letters, digits, _ . : -');

export const contactInput = z
  .object({
    role: z.enum(contactRoles),
    /** A platform user (notified through the platform); or a name and phone for someone without an account. */
    userId: z.string().min(1).max(64).nullable().optional(),
    name: z.string().trim().min(1).max(40).nullable().optional(),
    phone: phoneSchema.nullable().optional(),
  })
  .strict()
  .refine((c) => !!c.userId || !!c.phone, { message: 'a contact needs a user or a phone number', path: ['phone'] });
export type ContactInput = z.infer<typeof contactInput>;

const zoneFields = {
  name: z.string().trim().min(1).max(80),
  kind: z.enum(zoneKinds),
  riskLevel: z.number().int().min(1).max(4),
  /** The village, town or county the zone lies in. */
  areaCode: areaCodeSchema,
  geometry: zoneGeometrySchema,
  activePeriods: periodsSchema.default([]),
  /** The loudspeakers (device ids) that cover the zone. */
  speakerIds: z.array(z.string().min(1).max(64)).max(50).default([]),
  contacts: z.array(contactInput).max(30).default([]),
  description: z.string().trim().max(500).nullable().optional(),
};

export const createZoneBody = z.object({ code: zoneCodeSchema.optional(), ...zoneFields }).strict();
export type CreateZoneInput = z.infer<typeof createZoneBody>;

export const updateZoneBody = z
  .object({
    name: zoneFields.name.optional(),
    kind: zoneFields.kind.optional(),
    riskLevel: zoneFields.riskLevel.optional(),
    areaCode: zoneFields.areaCode.optional(),
    geometry: zoneFields.geometry.optional(),
    activePeriods: periodsSchema.optional(),
    speakerIds: z.array(z.string().min(1).max(64)).max(50).optional(),
    contacts: z.array(contactInput).max(30).optional(),
    description: zoneFields.description,
    /** Optimistic concurrency: refused when someone else saved in between. */
    expectedVersion: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).some((k) => k !== 'expectedVersion'), 'nothing to change');
export type UpdateZoneInput = z.infer<typeof updateZoneBody>;

export const zoneListQuery = z.object({
  kind: z.enum(zoneKinds).optional(),
  areaCode: areaCodeSchema.optional(),
  q: z.string().trim().min(1).max(40).optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});

export const contactView = z.object({
  id: z.string(),
  role: z.string(),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  nameMasked: z.string().nullable(),
  phoneMasked: z.string().nullable(),
});

export const zoneView = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  riskLevel: z.number(),
  areaCode: z.string(),
  areaName: z.string().nullable(),
  geometry: z.unknown(),
  centre: z.tuple([z.number(), z.number()]),
  activePeriods: z.unknown(),
  activeNow: z.boolean(),
  speakers: z.array(z.object({ id: z.string(), code: z.string().nullable(), name: z.string().nullable(), online: z.boolean().nullable() })),
  contacts: z.array(contactView),
  description: z.string().nullable(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ZoneView = z.infer<typeof zoneView>;

/** A GeoJSON FeatureCollection whose features carry the zone fields in `properties`. */
export const importZonesBody = z.object({
  type: z.literal('FeatureCollection'),
  features: z
    .array(z.object({ type: z.literal('Feature'), geometry: z.unknown(), properties: z.record(z.string(), z.unknown()).nullable() }))
    .min(1)
    .max(2000),
});
export const importZonesResult = z.object({
  created: z.number(),
  updated: z.number(),
  rejected: z.array(z.object({ index: z.number(), code: z.string().nullable(), reason: z.string().optional(), errors: z.array(z.object({ field: z.string(), message: z.string() })) })),
});

export const holidaysBody = z.object({
  items: z
    .array(
      z.object({
        name: z.string().trim().min(1).max(40),
        from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      }).refine((h) => h.from <= h.to, { message: 'from must not be after to', path: ['to'] }),
    )
    .max(50),
});
export const holidayView = z.object({ id: z.string(), areaCode: z.string(), name: z.string(), from: z.string(), to: z.string() });
