// Display helpers shared by the pages.

const shanghai = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `2026-05-22 14:03` in Asia/Shanghai, whatever the browser's own time zone; '' for no date. */
export function formatDateTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return '';
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const parts: Record<string, string> = {};
  for (const part of shanghai.formatToParts(date)) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** The instant a Shanghai calendar day (`YYYY-MM-DD`) starts or ends, as an ISO string for the API. */
export function shanghaiDayBound(day: string, end: boolean): string {
  const time = end ? '23:59:59.999' : '00:00:00.000';
  return new Date(`${day}T${time}+08:00`).toISOString();
}

/** "邵阳县 (430523)" */
export function areaLabel(name: string | null | undefined, code: string | null | undefined): string {
  if (!code) return name ?? '';
  return name ? `${name} (${code})` : code;
}

/** Downloads rows as a CSV file that Excel opens directly (UTF-8 with BOM so Chinese is read correctly). */
export function downloadCsv(filename: string, header: string[], rows: (string | number | null | undefined)[][]): void {
  const cell = (v: string | number | null | undefined): string => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n');
  saveBlob(new Blob(['\uFEFF', text], { type: 'text/csv;charset=utf-8' }), filename);
}

/** Hands a file made in the browser to the user as a download. */
function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

type Cell = string | number | null | undefined;

/** Downloads rows as an Excel workbook (.xlsx, through exceljs, loaded only when asked for), header row bold. */
export async function downloadXlsx(filename: string, header: string[], rows: Cell[][]): Promise<void> {
  const ExcelJS = (await import('exceljs')).default;
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(filename.slice(0, 31) || 'Sheet1');
  ws.addRow(header).font = { bold: true };
  for (const r of rows) ws.addRow(r.map((v) => (v === null || v === undefined ? '' : v)));
  ws.columns.forEach((c, i) => {
    const longest = Math.max(...[header[i] ?? '', ...rows.map((r) => String(r[i] ?? ''))].map((s) => s.length));
    c.width = Math.min(60, Math.max(8, longest * 2));
  });
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const buf = await wb.xlsx.writeBuffer();
  saveBlob(new Blob([buf], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }), `${filename}.xlsx`);
}

/** Every list exports as Excel (the default) and as CSV; `filename` without extension. */
export function downloadTable(format: 'csv' | 'xlsx', filename: string, header: string[], rows: Cell[][]): void {
  if (format === 'csv') downloadCsv(`${filename}.csv`, header, rows);
  else void downloadXlsx(filename, header, rows);
}
