/** Keeps the Temporal SDK's info logs (webpack bundle reports) out of test output. */
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // A runtime already exists in this test process: it was installed by an earlier file.
}
