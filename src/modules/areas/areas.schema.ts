import { z } from 'zod';

export const areaLevelSchema = z.enum(['province', 'city', 'county', 'town', 'village', 'grid']);
export const areaCodeParam = z.object({ code: z.string().regex(/^\d{2,15}$/, 'an area code of digits') });

export const areaView = z.object({
  code: z.string(),
  name: z.string(),
  level: areaLevelSchema,
  parentCode: z.string().nullable(),
  childCount: z.number().int(),
});
export type AreaView = z.infer<typeof areaView>;

export const areaSearchView = areaView.extend({ path: z.string() });
export type AreaSearchView = z.infer<typeof areaSearchView>;

export const searchAreasQuery = z.object({
  q: z.string().trim().min(1, 'type part of a name').max(40),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** `level`: the stored boundaries of every area of that level under the area (towns, villages), for map layers. */
export const boundariesQuery = z.object({ level: z.enum(['county', 'town', 'village', 'grid']).optional() });

export const createGridBody = z.object({
  parentCode: z.string().regex(/^\d{12}$/, 'a village code of 12 digits'),
  name: z.string().trim().min(1).max(60),
});

export const featureCollection = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(
    z.object({
      type: z.literal('Feature'),
      id: z.string().optional(),
      properties: z.object({
        code: z.string(),
        name: z.string(),
        level: z.string(),
        cp: z.tuple([z.number(), z.number()]).nullable(),
        source: z.string(),
      }),
      geometry: z.unknown(),
    }),
  ),
});
export type FeatureCollection = z.infer<typeof featureCollection>;
