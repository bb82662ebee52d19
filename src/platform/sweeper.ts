// The loop behind every stored-timer sweeper (case deadlines, key-person visits): the timers are rows with a due
// time, `tick()` fires the due ones once; this only calls it on a period, never two at a time in this process.
import type { Logger } from 'pino';

/** Runs `tick()` every `seconds` (and once at once), never two at a time; returns the stop function. 0: never. */
export function startSweeper(work: { tick(): Promise<{ fired: number }> }, seconds: number, log: Logger, what: string): () => void {
  if (seconds <= 0) return () => {};
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    work
      .tick()
      .then((r) => r.fired && log.info({ fired: r.fired }, `${what} timers fired`))
      .catch((err: unknown) => log.error({ err }, `${what} sweeper failed`))
      .finally(() => (running = false));
  };
  const timer = setInterval(run, seconds * 1000);
  timer.unref();
  run();
  return () => clearInterval(timer);
}
