import type { SipbotsEvent } from './types.js';

export type EventListener = (event: SipbotsEvent) => void;

/**
 * A synchronous fan-out of events to writers. Synchronous so that the order in every output
 * is the order things happened; writers that do I/O buffer on their own. A listener that throws
 * is reported through `onListenerError` and does not stop the others.
 */
export class EventStream {
  private listeners: EventListener[] = [];
  /** The case or scenario currently running; stamped on events that carry none. */
  caseId: string | undefined;

  constructor(private readonly onListenerError: (error: unknown) => void = rethrowLater) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(event: SipbotsEvent): void {
    if (event.caseId === undefined && this.caseId !== undefined) event.caseId = this.caseId;
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}

function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
