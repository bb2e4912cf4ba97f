import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The module a worker thread runs, next to the module that starts it: the
 * same name with the caller's own extension. Worker threads run only from the
 * compiled build (`.js`); loaded from source (`.ts`, the test runner) there is
 * no worker module to start, and callers do the work inline.
 */
export function siblingWorker(callerUrl: string, name: string): URL | undefined {
  if (!callerUrl.endsWith('.js')) return undefined;
  return new URL(`./${name}.js`, callerUrl);
}

/**
 * The process's Node flags without those that apply only to a script given inline (`-e`, `-p`,
 * `--input-type`): a worker's module refuses them (`node --input-type=module -e '...'` would otherwise start
 * workers that fail to load).
 */
export function workerExecArgv(args: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') {
      i++;
      continue;
    }
    if (a.startsWith('--input-type') || a.startsWith('--eval=') || a.startsWith('--print=')) continue;
    kept.push(a);
  }
  return kept;
}

/**
 * Starts a worker thread with the process's flags a worker takes ({@link workerExecArgv}, unless `execArgv` is
 * given); where the worker refuses one of them (`--title`, some V8 options) it starts with none, as it needs none.
 */
export function startWorkerThread(url: URL, options: WorkerOptions): Worker {
  try {
    return new Worker(url, { ...options, execArgv: options.execArgv ?? workerExecArgv() });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(url, { ...options, execArgv: [] });
  }
}
