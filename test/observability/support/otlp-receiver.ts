// The estate's OTLP/HTTP receiver (scripts/estate/otlp-receiver.ts): the tests use the same one
// `npm run estate` runs when no Jaeger is at hand.
export { OtlpReceiver, type ReceivedPoint, type ReceivedSpan } from '../../../scripts/estate/otlp-receiver.js';
