/**
 * The writer thread of an audit store open for writing: group commits of
 * the guard's staged entries (`stageAttempt`, `stageOutcome`, `enqueue`) run
 * on a thread of their own, so the thread that staged them goes on
 * serializing and signing the request meanwhile, and the guard waits for
 * the attempt's commit only when the request is about to leave (the
 * transport check). The store's thread still prepares every row (id, time,
 * redaction, body text), so nothing secret crosses as anything but the
 * redacted text that is written anyway; the writer chains the rows to the
 * head it reads inside its own transaction, exactly as the store's thread
 * does, and fsyncs the write-ahead log with the same group fsync. A large
 * `appendBatch` comes in parts of one transaction ({@link WriterThread.part},
 * then a `submit` that ends it), so the writer inserts one part while the
 * store's thread prepares the next.
 *
 * The thread starts with the first staged entry or large batch (what comes
 * before the thread is ready is committed on the store's thread, as
 * before), only from the compiled build and only for format-2 stores. Every
 * other write and every read first waits, without the event loop, until the
 * writer has replied to each batch it was given and takes those replies, so
 * the order of the chain and of the security log is the order of the calls.
 * A writer that cannot start leaves the store committing on its own thread;
 * one that stops or fails after it started leaves the store refusing writes
 * (what it had not committed is reported as not written).
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { siblingWorker, startWorkerThread } from '../util/workerModule.js';
import { type WriterBatch, type WriterReply, type WriterSetup, WriterSlot, WriterState } from './writerProtocol.js';

const WORKER_URL = siblingWorker(import.meta.url, 'writerWorker');

/** True where a writer thread can run (the compiled build). */
export const WRITER_THREADS = WORKER_URL !== undefined;

/** How long a wait for the writer (its replies, its close) lasts at most beyond the store's busy timeout. */
const WAIT_MARGIN_MS = 30_000;

type BatchReply = Extract<WriterReply, { kind: 'batch' }>;

interface DurableWaiter {
  through: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class WriterThread {
  readonly #worker: Worker;
  readonly #state: Int32Array;
  readonly #port: MessagePort;
  readonly #waitMs: number;
  #nextId = 1;
  #posted = 0;
  #replied = 0;
  readonly #pending = new Map<number, (reply: BatchReply | Error) => void>();
  #durableThrough = 0;
  #durableWaiters: DurableWaiter[] = [];
  #failure: Error | undefined;
  #closing = false;
  #referenced = false;
  #fsyncs = 0;
  #idleWaiters: (() => void)[] = [];

  private constructor(worker: Worker, state: Int32Array, port: MessagePort, waitMs: number) {
    this.#worker = worker;
    this.#state = state;
    this.#port = port;
    this.#waitMs = waitMs;
    port.on('message', (message: WriterReply) => this.#dispatch(message));
    port.unref();
    worker.unref();
    worker.once('error', (err) => this.#stopped(err));
    worker.once('exit', (code) => this.#stopped(new Error(`the audit writer thread exited (${code})`)));
  }

  /** Starts a writer; undefined where none can run or it cannot be started. */
  static start(setup: Omit<WriterSetup, 'state' | 'reply'>): WriterThread | undefined {
    if (WORKER_URL === undefined) return undefined;
    const state = new SharedArrayBuffer(8);
    const { port1, port2 } = new MessageChannel();
    let worker: Worker;
    try {
      // Its stdout and stderr stay its own (see integrityCheck.ts).
      worker = startWorkerThread(WORKER_URL, {
        workerData: { ...setup, state, reply: port2 } satisfies WriterSetup,
        transferList: [port2],
        stdout: true,
        stderr: true,
      });
    } catch {
      port1.close();
      return undefined;
    }
    return new WriterThread(worker, new Int32Array(state), port1, setup.busyTimeoutMs + WAIT_MARGIN_MS);
  }

  /** The writer is running and takes batches. */
  get ready(): boolean {
    return (
      this.#failure === undefined && !this.#closing && Atomics.load(this.#state, WriterSlot.STATE) === WriterState.READY
    );
  }

  /** The writer ended before it was ever ready: the store commits on its own thread instead. */
  get neverStarted(): boolean {
    return (
      this.#posted === 0 &&
      (this.#failure !== undefined || Atomics.load(this.#state, WriterSlot.STATE) === WriterState.CLOSED)
    );
  }

  /** Why the writer can no longer be trusted with writes (it stopped, or an fsync failed). */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** fsyncs the writer reported. */
  get fsyncs(): number {
    return this.#fsyncs;
  }

  /** Batches given and not yet replied to. */
  get outstanding(): number {
    return this.#posted - this.#replied;
  }

  /**
   * Gives the writer a batch; `done` gets its reply, or the error that ended the writer first. With `last`, the
   * batch ends (or aborts) the transaction that {@link part} opened, and the reply covers the rows of every part.
   */
  submit(
    rows: WriterBatch['rows'],
    waited: WriterBatch['waited'],
    done: (reply: BatchReply | Error) => void,
    last?: { part: 'end' | 'abort'; sync: boolean },
  ): void {
    const id = this.#nextId++;
    this.#pending.set(id, done);
    this.#posted += 1;
    this.#refresh();
    this.#worker.postMessage({ id, rows, waited, ...last } satisfies WriterBatch);
  }

  /**
   * Gives the writer the first rows of a transaction that a {@link submit} with `last` ends: it inserts them
   * while this thread prepares the rest. No reply of its own.
   */
  part(rows: WriterBatch['rows']): void {
    this.#worker.postMessage({ id: 0, rows, waited: [], part: 'more' } satisfies WriterBatch);
  }

  /** Resolves once the writer's commit `n` is on the disk. */
  durable(n: number): Promise<void> {
    if (n <= this.#durableThrough) return Promise.resolve();
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise<void>((resolve, reject) => {
      this.#durableWaiters.push({ through: n, resolve, reject });
      this.#refresh();
    });
  }

  /**
   * Waits, blocking this thread, until the writer replied to every batch it was given, and handles those
   * replies now (their callbacks run before this returns). A writer that stopped meanwhile fails them.
   */
  settle(): void {
    if (this.#posted === this.#replied) return;
    const deadline = Date.now() + this.#waitMs;
    for (;;) {
      this.#take();
      if (this.#posted === this.#replied || this.#failure !== undefined) break;
      if (Atomics.load(this.#state, WriterSlot.STATE) === WriterState.CLOSED || Date.now() > deadline) {
        this.#take();
        if (this.#posted !== this.#replied) this.#fail(new Error('the audit writer thread stopped answering'));
        break;
      }
      const done = Atomics.load(this.#state, WriterSlot.DONE);
      if (done < this.#posted) Atomics.wait(this.#state, WriterSlot.DONE, done, 50);
    }
  }

  /** Resolves once the writer replied to every batch given so far. */
  idle(): Promise<void> {
    if (this.#posted === this.#replied) return Promise.resolve();
    return new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Ends the writer, blocking this thread until it has closed its connection (after its last fsync). */
  closeSync(): void {
    if (this.#closing) return;
    this.settle();
    this.#closing = true;
    try {
      this.#worker.postMessage('close');
      const deadline = Date.now() + this.#waitMs;
      while (Atomics.load(this.#state, WriterSlot.STATE) !== WriterState.CLOSED && Date.now() < deadline)
        Atomics.wait(this.#state, WriterSlot.STATE, WriterState.READY, 50);
    } catch {
      // A writer already gone.
    }
    this.#take();
    const closed = new Error('the audit store was closed');
    for (const w of this.#durableWaiters.splice(0)) w.reject(closed);
    this.#port.close();
    void this.#worker.terminate();
  }

  /** Takes the replies already on the port, without the event loop. */
  #take(): void {
    for (let m = receiveMessageOnPort(this.#port); m !== undefined; m = receiveMessageOnPort(this.#port))
      this.#dispatch(m.message as WriterReply);
  }

  #dispatch(message: WriterReply): void {
    if (message.kind === 'batch') {
      const done = this.#pending.get(message.id);
      if (done === undefined) return;
      this.#pending.delete(message.id);
      this.#replied += 1;
      this.#refresh();
      done(message);
      this.#wake();
      return;
    }
    if (message.kind === 'durable') {
      this.#fsyncs = message.fsyncs;
      if (message.through > this.#durableThrough) this.#durableThrough = message.through;
      const still: DurableWaiter[] = [];
      for (const w of this.#durableWaiters) {
        if (w.through <= this.#durableThrough) w.resolve();
        else still.push(w);
      }
      this.#durableWaiters = still;
      this.#refresh();
      return;
    }
    this.#fail(
      new Error(
        message.kind === 'fsync-failed'
          ? `syncing the write-ahead log to the disk failed (${message.error.message}); entries since the last sync may be lost, so the store accepts no more writes`
          : `the audit writer thread failed (${message.error.message}); the store accepts no more writes`,
      ),
    );
  }

  #stopped(err: Error): void {
    if (this.#closing) return;
    // Replies it sent before it ended are still on the port.
    this.#take();
    this.#fail(err);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    const failure = this.#failure;
    for (const [id, done] of [...this.#pending]) {
      this.#pending.delete(id);
      this.#replied += 1;
      done(failure);
    }
    for (const w of this.#durableWaiters.splice(0)) w.reject(failure);
    this.#refresh();
    this.#wake();
  }

  #wake(): void {
    if (this.#posted !== this.#replied) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /** The thread keeps the process alive while something waits for it, never when idle. */
  #refresh(): void {
    const busy = this.#posted !== this.#replied || this.#durableWaiters.length > 0;
    if (busy === this.#referenced || this.#closing) return;
    this.#referenced = busy;
    if (busy) {
      this.#worker.ref();
      this.#port.ref();
    } else {
      this.#worker.unref();
      this.#port.unref();
    }
  }
}
