export {
  LOG_CHANNELS,
  LOG_FILE_NAMES,
  LogFilesError,
  createLogFiles,
  createMemoryLogFiles,
  createNoopLogFiles,
  isLogFilesError,
} from './LogFiles.js';
export type { InventagLoggers, LogChannel, LogFilesOptions, MemoryLoggers } from './LogFiles.js';
export { RotatingFileDestination } from './RotatingFileDestination.js';
export type { RotatingFileOptions } from './RotatingFileDestination.js';
export { LOG_LEVELS, LogLevelError, parseLogLevel, setLogLevel } from './debugLog.js';
export type { LogLevel } from './debugLog.js';
