/**
 * Progress display for long provisioning steps. On a terminal it redraws one line with
 * a spinner, the elapsed time and the tool's latest output; elsewhere (CI, logs) it
 * prints a plain line when a step starts, every 20 seconds while it runs, and when it ends.
 */
export interface Progress {
  step(label: string): ProgressStep;
  info(message: string): void;
}

export interface ProgressStep {
  /** The latest line a tool printed, shown beside the spinner. */
  update(detail: string): void;
  done(summary?: string): void;
  fail(reason: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function seconds(since: number): string {
  const s = Math.round((Date.now() - since) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A progress display writing to `out` (stderr by default). */
export function createProgress(options: { interactive: boolean; out?: NodeJS.WritableStream }): Progress {
  const out = options.out ?? process.stderr;
  return {
    info: (message) => out.write(`${message}\n`),
    step(label) {
      const started = Date.now();
      let detail = '';
      let frame = 0;
      const width = 100;
      const draw = () => {
        const line = `${FRAMES[frame++ % FRAMES.length]} ${label} ${seconds(started)} ${detail}`;
        out.write(`\r${line.slice(0, width).padEnd(width)}`);
      };
      out.write(options.interactive ? '' : `… ${label}\n`);
      const timer = options.interactive
        ? setInterval(draw, 100)
        : setInterval(() => out.write(`  ${label}: still working (${seconds(started)}) ${detail}\n`), 20_000);
      timer.unref();
      const finish = (mark: string, text: string) => {
        clearInterval(timer);
        const line = `${mark} ${label} (${seconds(started)})${text ? `: ${text}` : ''}`;
        out.write(options.interactive ? `\r${line.padEnd(width)}\n` : `${line}\n`);
      };
      return {
        update: (line) => {
          detail = line.trim().slice(0, 60);
        },
        done: (summary) => finish('✔', summary ?? ''),
        fail: (reason) => finish('✖', reason),
      };
    },
  };
}

/** A progress display that prints nothing (tests, scripted use). */
export const silentProgress: Progress = {
  info: () => undefined,
  step: () => ({ update: () => undefined, done: () => undefined, fail: () => undefined }),
};
