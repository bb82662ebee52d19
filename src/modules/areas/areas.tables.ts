export type AreaLevel = 'province' | 'city' | 'county' | 'town' | 'village' | 'grid';

export interface AreaRow {
  /** GB/T 2260 (6 digits) for province, city and county; 9 digits for towns; 12 for villages; 15 for grids. */
  code: string;
  name: string;
  level: AreaLevel;
  parent_code: string | null;
  /** The code prefix that every descendant's code starts with: '4305' for the city 430500, the code itself below. */
  scope_prefix: string;
  child_count: number;
  created_at: string;
}

export interface AreaBoundaryRow {
  area_code: string;
  /** GeoJSON geometry (Polygon or MultiPolygon) as text. */
  geometry: string;
  center_lon: number | null;
  center_lat: number | null;
  /** Where the boundary came from, shown with it (the demo file is coarse and old). */
  source: string;
  updated_at: string;
}

export interface AreaTables {
  areas: AreaRow;
  area_boundaries: AreaBoundaryRow;
}
