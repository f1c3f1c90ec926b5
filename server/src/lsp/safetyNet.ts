// The language server's one safety net: every request and notification runs in a context that names it, and an exception that escapes it (a timer, a callback, a rejected promise) is logged with that name and its stack, answers the request with an LSP error, and leaves the server running.
import { AsyncLocalStorage } from 'async_hooks';

/** What the safety net knows about the message being handled when an exception escapes. */
interface MessageContext {
  /** `textDocument/hover #12`, or a notification's method. */
  name: string;
  /** Answers the request with an error; a no-op for notifications and for requests already answered. */
  fail?(error: unknown): void;
}

const messages = new AsyncLocalStorage<MessageContext>();
let installed: ((line: string) => void)[] | undefined;

/**
 * Installs the process-wide handlers for uncaught exceptions and unhandled rejections (once per
 * process, however the server was started: `perfcontract lsp`, the extension's bundle, or
 * `node main.js`). `log` receives one line per escaped exception; several servers in one process
 * (tests) each get their own line.
 */
export function installSafetyNet(log: (line: string) => void): void {
  if (installed) {
    installed.push(log);
    return;
  }
  installed = [log];
  const report = (kind: string, error: unknown) => {
    const context = messages.getStore();
    const stack = error instanceof Error ? error.stack ?? `${error.name}: ${error.message}` : String(error);
    const line = `perfcontract server: ${kind} while handling ${context ? context.name : 'no request (a timer or event of the server itself)'}; the server keeps running. ${stack}`;
    for (const sink of installed!) {
      try {
        sink(line);
      } catch {
        // A log that cannot be written must not throw from the safety net itself.
      }
    }
    try {
      process.stderr.write(`${line}\n`);
    } catch {
      // stderr closed: nothing more to do.
    }
    context?.fail?.(error);
  };
  process.on('uncaughtException', (error) => report('uncaught exception', error));
  process.on('unhandledRejection', (reason) => report('unhandled promise rejection', reason));
}

/**
 * Runs a request handler in its named context. The returned promise settles with the handler's
 * answer, or rejects with `toError(error)` when the handler throws, rejects, or when an exception
 * escapes from work it started (a timer, a callback) before it answered.
 */
export function runRequest<R>(name: string, handler: () => R | Promise<R>, toError: (error: unknown) => unknown, log: (line: string) => void): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(toError(error));
    };
    const answer = (value: R) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    messages.run({ name, fail }, () => {
      try {
        Promise.resolve(handler()).then(answer, (error: unknown) => {
          if (!isAnswer(error)) log(`perfcontract server: ${name} failed; the server keeps running. ${describe(error)}`);
          fail(error);
        });
      } catch (error) {
        if (!isAnswer(error)) log(`perfcontract server: ${name} failed; the server keeps running. ${describe(error)}`);
        fail(error);
      }
    });
  });
}

/** Runs a notification handler in its named context; an exception is logged, and nothing is answered. */
export function runNotification(name: string, handler: () => unknown, log: (line: string) => void): void {
  messages.run({ name }, () => {
    try {
      const result = handler();
      if (result instanceof Promise) result.catch((error: unknown) => log(`perfcontract server: ${name} failed; the server keeps running. ${describe(error)}`));
    } catch (error) {
      log(`perfcontract server: ${name} failed; the server keeps running. ${describe(error)}`);
    }
  });
}

/** An error the handler meant as its answer (an LSP `ResponseError`): not a fault of the server. */
function isAnswer(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number' && (error as { constructor?: { name?: string } }).constructor?.name === 'ResponseError';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.stack ?? error.message : String(error);
}
