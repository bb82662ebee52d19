// The contract every module meets to prove its routes are area-scoped. A module adds a file under probes/ that
// exports `probes: CrossAreaProbe[]`, one per route (keyed "METHOD /url/:param" exactly as registered). The
// cross-area test fails for any non-public route that has no probe, so a new route cannot slip through.
import type { TestApp, TestResponse } from '../helpers/app.ts';

export interface ProbeContext {
  app: TestApp;
  /** Tokens of the city-level accounts, to create foreign data through the API. */
  cityAdmin: string;
  /** Area codes inside 隆回县 (430524), the county the attackers do not own. */
  foreign: { county: string; town: string; village: string };
  /** Area codes inside 邵阳县 (430523), the attackers' own county. */
  home: { county: string; town: string; village: string };
}

export interface ProbeRequest {
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * 'denied': the answer must be 403 or 404 (or 400 when the foreign reference itself is refused as invalid);
   * a function: custom check of a 2xx answer (e.g. a list that must not contain foreign records). Throw to fail.
   */
  expect: 'denied' | ((res: TestResponse) => void);
}

export interface CrossAreaProbe {
  route: string;
  /** Prepares foreign data (as the city admin or through services) and returns the requests to try. */
  requests(ctx: ProbeContext): Promise<ProbeRequest[]>;
}
