/**
 * Ending a command-line process with its exit code only once what it wrote has gone. Node writes
 * to a pipe asynchronously, and `process.exit()` drops whatever the pipe has not taken yet: a
 * `--json` answer piped to another program was cut off at 64 kB and still exited 0. An empty write
 * to each stream calls back after every write before it, so the exit waits for both.
 */
export function exitWhenFlushed(code: number): void {
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

/** Runs a command's main and exits with its code once its output has gone; anything unexpected is one line and exit 1. */
export function exitWhenDone(name: string, main: () => Promise<number>): void {
  main().then(exitWhenFlushed, (error: unknown) => {
    console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    exitWhenFlushed(1);
  });
}
