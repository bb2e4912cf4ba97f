import type { CircuitStateChange } from '../breaker/BreakerRegistry.js';
import type { ClassifiedError } from './ErrorClassifier.js';
import type { ErrorThresholdAlert } from './ErrorThresholdWindow.js';
import type { ResourceSample } from './ResourceSampler.js';
import type { SecurityEventRecord } from './records.js';

/** A resource reading above its configured threshold. */
export interface PerformanceThresholdBreach {
  timestamp: string;
  metric: 'cpu' | 'memory' | 'disk';
  /** The measured percentage. */
  value: number;
  threshold: number;
  sample: ResourceSample;
}

/** An operation that took longer than `slowOperationThresholdSeconds`. */
export interface SlowOperationEvent {
  timestamp: string;
  service: string;
  operation: string;
  durationSeconds: number;
  thresholdSeconds: number;
  success: boolean;
}

/** A security event as emitted, with an ISO timestamp. */
export interface SecurityEventNotice extends Omit<SecurityEventRecord, 'at'> {
  timestamp: string;
}

/** Events of `ProductionSafetyMonitor`; subscribe with `monitor.on(name, listener)`. */
export interface MonitorEvents {
  errorHandled: [ClassifiedError];
  errorThresholdExceeded: [ErrorThresholdAlert];
  performanceSample: [ResourceSample];
  performanceThresholdExceeded: [PerformanceThresholdBreach];
  circuitStateChange: [CircuitStateChange];
  slowOperation: [SlowOperationEvent];
  securityEvent: [SecurityEventNotice];
}
