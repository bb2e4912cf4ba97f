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
