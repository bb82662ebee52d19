import { z } from 'zod';
import { roles } from '../../platform/auth/policy.ts';

export const areaCodeSchema = z.string().regex(/^\d{6}$|^\d{9}$|^\d{12}$|^\d{15}$/, 'an area code of 6, 9, 12 or 15 digits');
export const usernameSchema = z.string().regex(/^[a-zA-Z0-9_.-]{3,40}$/, '3–40 letters, digits, _ . -');
export const passwordSchema = z.string().min(8, 'at least 8 characters').max(200);
export const phoneSchema = z.string().regex(/^\+?\d{7,15}$/, 'a phone number of 7–15 digits');
export const roleSchema = z.enum(roles);

export const loginBody = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

export const userView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  areaCode: z.string(),
  areaName: z.string().nullable(),
  phoneMasked: z.string().nullable(),
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type UserView = z.infer<typeof userView>;

export const meView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: roleSchema,
  areaCode: z.string(),
  areaName: z.string().nullable(),
  areaLevel: z.string().nullable(),
  permissions: z.array(z.string()),
});
export type MeView = z.infer<typeof meView>;

export const loginResult = z.object({ token: z.string(), expiresAt: z.string(), user: meView });

export const createUserBody = z.object({
  username: usernameSchema,
  displayName: z.string().trim().min(1).max(60),
  role: roleSchema,
  areaCode: areaCodeSchema,
  password: passwordSchema,
  phone: phoneSchema.optional(),
});
export type CreateUserInput = z.infer<typeof createUserBody>;

export const updateUserBody = z
  .object({
    displayName: z.string().trim().min(1).max(60).optional(),
    role: roleSchema.optional(),
    areaCode: areaCodeSchema.optional(),
    disabled: z.boolean().optional(),
    phone: phoneSchema.nullable().optional(),
    password: passwordSchema.optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateUserInput = z.infer<typeof updateUserBody>;

export const listUsersQuery = z.object({
  q: z.string().max(60).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

export const tokenView = z.object({
  id: z.string(),
  name: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export const createTokenBody = z.object({
  name: z.string().trim().min(1).max(60),
  days: z.coerce.number().int().min(1).max(730).default(90),
});
