// Bulk import of devices from CSV or Excel (.xlsx). Every row is checked on its own (schema, area in scope,
// codes unique in the file and in the registry) and gets its own result naming the fields at fault; the good
// rows are created together in one transaction. A dry run checks and reports without creating anything.
import ExcelJS from 'exceljs';
import type { Actor } from '../../platform/access.ts';
import { requirePermission } from '../../platform/access.ts';
import type { Platform } from '../../platform/context.ts';
import { sha256Hex } from '../../platform/crypto.ts';
import { errors, isDomainError, type FieldIssue } from '../../platform/errors.ts';
import { parseCsv, toCsv } from './csv.ts';
import { kindNamesZh, subsystemNamesZh } from './devices.catalog.ts';
import { devicesRepo } from './devices.repo.ts';
import { createDeviceBody, type ImportResult } from './devices.schema.ts';
import type { DevicesService } from './devices.service.ts';
import type { DeviceRow } from './devices.tables.ts';

const MAX_ROWS = 10_000;

/** Column headers: the field name, or its Chinese label as in the template. */
export const importColumns: { field: string; zh: string; example: string }[] = [
  { field: 'code', zh: '设备编码', example: 'SY-WT-0001' },
  { field: 'name', zh: '设备名称', example: '资江塘渡口段防溺水终端' },
  { field: 'subsystem', zh: '子系统', example: 'smart_water' },
  { field: 'kind', zh: '设备类型', example: 'water_area_terminal' },
  { field: 'gbId', zh: '国标编码', example: '43052300001320000001' },
  { field: 'capabilities', zh: '能力', example: 'video|snapshot|broadcast' },
  { field: 'lon', zh: '经度', example: '111.2856' },
  { field: 'lat', zh: '纬度', example: '27.0013' },
  { field: 'areaCode', zh: '区划代码', example: '' },
  { field: 'address', zh: '安装地址', example: '塘渡口镇资江大桥南侧' },
  { field: 'vendor', zh: '厂商', example: '' },
  { field: 'model', zh: '型号', example: '' },
  { field: 'heartbeatIntervalS', zh: '心跳间隔(秒)', example: '60' },
  { field: 'secret', zh: '设备密钥', example: '' },
];

const headerToField = new Map<string, string>();
for (const c of importColumns) {
  headerToField.set(c.field.toLowerCase(), c.field);
  headerToField.set(c.zh, c.field);
}
headerToField.set('心跳间隔', 'heartbeatIntervalS');
const subsystemByZh = new Map(Object.entries(subsystemNamesZh).map(([k, v]) => [v, k]));
const kindByZh = new Map(Object.entries(kindNamesZh).map(([k, v]) => [v, k]));

export async function readTable(fileName: string, content: Buffer): Promise<string[][]> {
  if (/\.xlsx$/i.test(fileName)) {
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(content as unknown as ArrayBuffer);
    } catch {
      throw errors.validation('import.unreadable', 'The file is not a readable .xlsx workbook.', [{ field: 'content', message: 'not an .xlsx workbook' }]);
    }
    const ws = wb.worksheets[0];
    if (!ws) return [];
    const rows: string[][] = [];
    ws.eachRow({ includeEmpty: false }, (row) => {
      const cells: string[] = [];
      for (let i = 1; i <= ws.columnCount; i++) cells.push(row.getCell(i).text ?? '');
      rows.push(cells);
    });
    return rows.filter((r) => r.some((f) => f.trim() !== ''));
  }
  if (/\.(csv|txt)$/i.test(fileName)) return parseCsv(content.toString('utf8'));
  throw errors.validation('import.file_type', 'Upload a .csv or .xlsx file.', [{ field: 'fileName', message: 'a .csv or .xlsx file' }]);
}

export class DeviceImporter {
  constructor(
    private readonly p: Platform,
    private readonly devices: DevicesService,
  ) {}

  async import(actor: Actor, fileName: string, content: Buffer, dryRun: boolean): Promise<ImportResult> {
    requirePermission(actor, 'devices:write');
    const table = await readTable(fileName, content);
    const [header, ...body] = table;
    if (!header) throw errors.validation('import.empty', 'The file has no rows.', [{ field: 'content', message: 'empty' }]);
    if (body.length > MAX_ROWS) throw errors.validation('import.too_large', `At most ${MAX_ROWS} rows per file.`, [{ field: 'content', message: `more than ${MAX_ROWS} rows` }]);
    const fields = header.map((h) => headerToField.get(h.trim()) ?? headerToField.get(h.trim().toLowerCase()) ?? null);
    const missing = ['code', 'name', 'subsystem', 'kind'].filter((f) => !fields.includes(f));
    if (missing.length) {
      throw errors.validation('import.columns_missing', `Missing columns: ${missing.join(', ')}.`, missing.map((f) => ({ field: f, message: 'column missing' })));
    }

    const db = this.p.db.kysely;
    const records = body.map((cells) => {
      const rec: Record<string, string> = {};
      fields.forEach((f, i) => {
        if (f) rec[f] = (cells[i] ?? '').trim();
      });
      return rec;
    });
    const taken = await devicesRepo.takenCodes(
      db,
      records.map((r) => r.code ?? '').filter(Boolean),
      records.map((r) => r.gbId ?? '').filter(Boolean),
      records.map((r) => r.secret ?? '').filter(Boolean).map(sha256Hex),
    );
    const seenCodes = new Set<string>();
    const seenGb = new Set<string>();
    const seenSecrets = new Set<string>();
    const out: ImportResult['rows'] = [];
    const good: { row: DeviceRow; secret: string; result: ImportResult['rows'][number] }[] = [];

    for (let i = 0; i < records.length; i++) {
      const rec = records[i]!;
      const rowNo = i + 2; // 1-based, after the header, as the spreadsheet shows it
      const issues: FieldIssue[] = [];
      const parsed = createDeviceBody.safeParse(toInput(rec));
      if (!parsed.success) {
        for (const iss of parsed.error.issues) issues.push({ field: iss.path.map(String).join('.') || 'row', message: iss.message });
      } else {
        const d = parsed.data;
        if (seenCodes.has(d.code)) issues.push({ field: 'code', message: 'appears twice in this file' });
        else if (taken.codes.has(d.code)) issues.push({ field: 'code', message: 'already registered' });
        if (d.gbId) {
          if (seenGb.has(d.gbId)) issues.push({ field: 'gbId', message: 'appears twice in this file' });
          else if (taken.gbIds.has(d.gbId)) issues.push({ field: 'gbId', message: 'already registered' });
        }
        if (d.secret) {
          // A secret identifies its device: two devices cannot share one.
          const hash = sha256Hex(d.secret);
          if (seenSecrets.has(hash)) issues.push({ field: 'secret', message: 'appears twice in this file' });
          else if (taken.tokenHashes.has(hash)) issues.push({ field: 'secret', message: 'used by another device' });
          seenSecrets.add(hash);
        }
        seenCodes.add(d.code);
        if (d.gbId) seenGb.add(d.gbId);
        if (issues.length === 0) {
          try {
            const prepared = await this.devices.prepare(actor, d);
            const result = { row: rowNo, code: d.code, status: dryRun ? ('valid' as const) : ('created' as const), errors: [] };
            good.push({ ...prepared, result });
            out.push(result);
            continue;
          } catch (e) {
            if (!isDomainError(e)) throw e;
            const details = e.details as { issues?: FieldIssue[] } | undefined;
            if (details?.issues?.length) issues.push(...details.issues);
            else issues.push({ field: e.code === 'area.not_found' ? 'areaCode' : 'row', message: e.code === 'area.not_found' ? 'outside your area' : e.message });
          }
        }
      }
      out.push({ row: rowNo, code: rec.code || null, status: 'error', errors: issues });
    }

    if (!dryRun && good.length > 0) {
      await db.transaction().execute(async (trx) => {
        await devicesRepo.insertMany(trx, this.p.db.dialect, good.map((g) => g.row));
        for (const g of good) {
          await this.p.audit.record(trx, actor, {
            action: 'device.create', entityType: 'device', entityId: g.row.id, areaCode: g.row.area_code,
            detail: { code: g.row.code, subsystem: g.row.subsystem, kind: g.row.kind, via: 'import', file: fileName },
          });
        }
      });
      for (const g of good) {
        g.result.id = g.row.id;
        g.result.secret = g.secret;
        this.p.bus.emit('device.created', { id: g.row.id, code: g.row.code, areaCode: g.row.area_code, subsystem: g.row.subsystem, kind: g.row.kind });
      }
    }
    return {
      dryRun,
      total: records.length,
      created: dryRun ? 0 : good.length,
      valid: good.length,
      failed: records.length - good.length,
      rows: out,
    };
  }

  async template(format: 'csv' | 'xlsx'): Promise<Buffer> {
    const header = importColumns.map((c) => c.zh);
    const example = importColumns.map((c) => c.example);
    if (format === 'csv') return Buffer.from(toCsv([header, example]), 'utf8');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('devices');
    ws.addRow(header);
    ws.addRow(example);
    // Long digit strings (GB/T 28181 IDs, area codes) must stay text, or Excel rounds them.
    for (const c of ['gbId', 'areaCode']) ws.getColumn(importColumns.findIndex((x) => x.field === c) + 1).numFmt = '@';
    ws.getRow(1).font = { bold: true };
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
}

/** A spreadsheet row (all text) as the create-device input: numbers parsed, lists split, Chinese names mapped. */
function toInput(rec: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) {
    if (v === '') continue;
    if (k === 'lon' || k === 'lat' || k === 'heartbeatIntervalS') out[k] = Number.isFinite(Number(v)) ? Number(v) : v;
    else if (k === 'capabilities') out[k] = v.split(/[|;,，、\s]+/).filter(Boolean);
    else if (k === 'subsystem') out[k] = subsystemByZh.get(v) ?? v;
    else if (k === 'kind') out[k] = kindByZh.get(v) ?? v;
    else out[k] = v;
  }
  return out;
}
