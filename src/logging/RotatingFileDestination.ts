/**
 * A pino destination that appends JSON lines to one file and rotates it by
 * size (`name.log` -> `name.log.1` -> ... -> `name.log.N`, oldest dropped).
 *
 * Why not pino-roll or rotating-file-stream: pino-roll always writes to
 * numbered files, so the seed's fixed names (`inventag_errors.log`) would not
 * exist; rotating-file-stream buffers writes asynchronously, so lines are lost
 * when the process is killed, and it keeps an extra history file. Writing
 * synchronously costs little at audit-log volumes and a line is in the file
 * (the OS page cache) as soon as the log call returns.
 */
import { closeSync, existsSync, fstatSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';

export interface RotatingFileOptions {
  /** The live log file. */
  file: string;
  /**
   * Rotate before a write would make the file larger than this.
   * @default 10485760 (10 MiB)
   */
  maxBytes?: number;
  /**
   * Rotated files kept beside the live one (`.1` newest). 0 keeps none.
   * @default 5
   */
  maxFiles?: number;
  /**
   * File mode for new log files: owner-only, since logs describe the account's resources.
   * @default 0o600
   */
  mode?: number;
}

export class RotatingFileDestination {
  readonly file: string;
  readonly maxBytes: number;
  readonly maxFiles: number;
  readonly #mode: number;
  #fd: number;
  #size: number;
  #closed = false;

  constructor(options: RotatingFileOptions) {
    this.file = options.file;
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.maxFiles = options.maxFiles ?? 5;
    this.#mode = options.mode ?? 0o600;
    this.#fd = openSync(this.file, 'a', this.#mode);
    this.#size = fstatSync(this.#fd).size;
  }

  /** Lines that could not be written (full disk, I/O error) or came after close. */
  droppedLines = 0;
  /** The last write error, if any. */
  lastError: Error | undefined;

  /**
   * Appends one chunk (pino hands one JSON line per call). A failing write
   * (full disk) is counted in `droppedLines`, reported once on stderr, and
   * never thrown: a log call must not fail the operation being logged.
   */
  write(chunk: string): void {
    if (this.#closed) {
      this.droppedLines += 1;
      return;
    }
    try {
      const data = Buffer.from(chunk);
      if (this.#size > 0 && this.#size + data.length > this.maxBytes) this.rotate();
      let offset = 0;
      while (offset < data.length) offset += writeSync(this.#fd, data, offset);
      this.#size += data.length;
    } catch (err) {
      this.droppedLines += 1;
      if (this.lastError === undefined)
        process.stderr.write(
          `inventag: cannot write ${this.file}: ${(err as Error).message}; further log lines may be lost\n`,
        );
      this.lastError = err as Error;
    }
  }

  /** Moves the live file to `.1` (shifting older ones) and starts a new one. */
  rotate(): void {
    if (this.#closed) return;
    // Another process writing the same directory may have rotated already: then
    // the path names a newer file than our descriptor, and we just follow it.
    let rotatedElsewhere = false;
    try {
      rotatedElsewhere = statSync(this.file).ino !== fstatSync(this.#fd).ino;
    } catch {
      rotatedElsewhere = true;
    }
    closeSync(this.#fd);
    if (!rotatedElsewhere) {
      if (this.maxFiles === 0) {
        unlinkSync(this.file);
      } else {
        const oldest = `${this.file}.${this.maxFiles}`;
        if (existsSync(oldest)) unlinkSync(oldest);
        for (let i = this.maxFiles - 1; i >= 1; i -= 1) {
          const from = `${this.file}.${i}`;
          if (existsSync(from)) renameSync(from, `${this.file}.${i + 1}`);
        }
        renameSync(this.file, `${this.file}.1`);
      }
    }
    this.#fd = openSync(this.file, 'a', this.#mode);
    this.#size = fstatSync(this.#fd).size;
  }

  /** Lines are written synchronously; nothing is buffered. Present for pino's flush protocol. */
  flushSync(): void {}

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}
