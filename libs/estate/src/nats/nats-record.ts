import { headers as natsHeaders } from '@nats-io/transport-node';
import { NatsRecordBuilder, type NatsRecord } from '@nestjs/microservices';

/**
 * A Nest NATS payload carrying message headers (the hop headers travel this way). Each header
 * is set once: NATS headers may repeat, and the receiving checks count them.
 */
export function natsRecord<T>(data: T, headers: Readonly<Record<string, string>>): NatsRecord<T> {
  const record = natsHeaders();
  for (const [name, value] of Object.entries(headers)) record.set(name, value);
  return new NatsRecordBuilder<T>(data).setHeaders(record).build();
}
