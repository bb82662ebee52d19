// The grassroots module: the register, key persons (with their sweeper) and village representatives with visits.
import type { Platform } from '../../platform/context.ts';
import { startSweeper } from '../../platform/sweeper.ts';
import type { CasesService } from '../cases/cases.service.ts';
import type { NotifyService } from '../notify/notify.service.ts';
import { KeyPersonsService } from './keypersons.service.ts';
import { RegisterService } from './register.service.ts';
import { RepsService } from './reps.service.ts';

export class PeopleModule {
  readonly register: RegisterService;
  readonly keyPersons: KeyPersonsService;
  readonly reps: RepsService;
  private stopSweeper: (() => void) | null = null;

  constructor(
    private readonly p: Platform,
    deps: { notify: NotifyService; cases: CasesService },
  ) {
    this.register = new RegisterService(p);
    this.keyPersons = new KeyPersonsService(p, this.register, deps.notify);
    this.reps = new RepsService(p, this.register, this.keyPersons, deps.cases);
  }

  /** Fires due key-person timers (overdue reminders, escalation). */
  tick(): Promise<{ fired: number }> {
    return this.keyPersons.tick();
  }

  /** Runs the sweeper every `seconds` (and once at once), never two at a time in this process. */
  start(seconds: number): void {
    if (seconds <= 0 || this.stopSweeper) return;
    this.stopSweeper = startSweeper(this, seconds, this.p.log, 'key-person');
  }

  stop(): void {
    this.stopSweeper?.();
    this.stopSweeper = null;
  }
}
