export {
  type ConsumeOptions,
  NatsWatches,
  type NatsWatchOptions,
  parseEvent,
  type StreamedEvent,
} from "./watches.ts";
