import { describe, expect, it } from 'vitest';
import { byCategory, categoryOf, parsePerfReport, perfCount } from '../../bench/server-profile.js';

/** The shape `perf report --stdio --no-children --sort sym` prints (perf 6, Debian). */
const REPORT = `# To display the perf.data header info, please use --header/--header-only options.
#
# Total Lost Samples: 0
#
# Samples: 26K of event 'cpu-clock:ppp'
# Event count (approx.): 130650000000
#
# Overhead  Symbol
# ........  ...............................................
#
    21.40%  [.] modernc.org/sqlite/lib.sqlite3VdbeExec
     9.10%  [.] github.com/FerretDB/FerretDB/internal/handler/sjson.unmarshalSingleValue
     6.25%  [.] runtime.scanobject
     5.00%  [.] runtime.mallocgc
     4.00%  [k] do_syscall_64
     3.00%  [.] github.com/FerretDB/FerretDB/internal/bson.(*Document).MarshalBinary
     2.50%  [.] encoding/json.(*decodeState).object
     2.00%  [.] modernc.org/libc.Xmemcpy
     1.75%  [.] runtime.memmove
     1.00%  [.] go.temporal.io/server/common/persistence/sql.(*sqlExecutionStore).UpdateWorkflowExecution
     0.50%  [.] google.golang.org/grpc.(*Server).handleStream
     0.25%  [.] some_c_function   -      -


#
# (Tip: Print event counts in CSV format with: perf stat -x,)
#
`;

describe('where a server’s CPU went (npm run bench -- sweep --perf 1)', () => {
  it('reads every symbol line of perf’s report with its share, kernel symbols marked, comments skipped', () => {
    const symbols = parsePerfReport(REPORT);
    expect(symbols).toHaveLength(12);
    expect(symbols[0]).toEqual({ name: 'modernc.org/sqlite/lib.sqlite3VdbeExec', share: 0.214 });
    expect(symbols[4]).toEqual({ name: '[k] do_syscall_64', share: 0.04 });
    expect(symbols[11]).toEqual({ name: 'some_c_function', share: 0.0025 });
  });

  it('sums the shares by what the code does, largest first, and loses no sample', () => {
    const categories = byCategory(parsePerfReport(REPORT));
    expect(categories[0]).toEqual({ name: 'SQLite (modernc.org/sqlite: C translated to Go)', share: 0.214 });
    expect(categories.map((c) => c.name)).toContain('FerretDB: documents to and from SQLite JSON (sjson)');
    const total = categories.reduce((sum, c) => sum + c.share, 0);
    expect(total).toBeCloseTo(0.5675, 6);
  });

  it('tells the Go runtime’s collector from its allocator, and the kernel from user code', () => {
    expect(categoryOf('runtime.scanobject')).toBe('Go runtime: garbage collection');
    expect(categoryOf('runtime.mallocgc')).toBe('Go runtime: allocation');
    expect(categoryOf('runtime.memmove')).toBe('Go runtime: scheduler, copies, maps and other');
    expect(categoryOf('[k] do_syscall_64')).toBe('kernel (system calls: sockets, file I/O, scheduling)');
    expect(categoryOf('github.com/FerretDB/FerretDB/internal/bson.(*Document).MarshalBinary')).toBe(
      'FerretDB: BSON on the wire (bson, wire)',
    );
    expect(
      categoryOf('go.temporal.io/server/common/persistence/sql.(*sqlExecutionStore).UpdateWorkflowExecution'),
    ).toBe('Temporal: persistence (SQL stores, serialization)');
    expect(categoryOf('internal/runtime/gc/scan.scanSpanPackedAVX512.abi0')).toBe('Go runtime: garbage collection');
    expect(categoryOf('runtime.pcvalue')).toBe('Go runtime: stack unwinding (stack scans, runtime.Callers)');
    expect(categoryOf('some_c_function')).toBe('other');
  });

  it('reads perf’s sample counts, shortened or not', () => {
    expect(perfCount('812')).toBe(812);
    expect(perfCount('34K')).toBe(34_000);
    expect(perfCount('1M')).toBe(1_000_000);
    expect(perfCount(undefined)).toBeNaN();
  });
});
