// Registers an Avro schema with a Schema Registry and sends events serialized by Confluent's AvroSerializer
// (registry framing: 0x00, 4-byte schema id, Avro body) to Kafka with kafkajs.
//
// Environment: BOOTSTRAP, TOPIC, REGISTRY_URL, REGISTRY_USER_INFO (user:password, optional),
// SCHEMA_FILE (the Avro schema, JSON), EVENTS_FILE (one JSON object per line, field names as in the schema).
// Prints one JSON line at the end: {"id": <schema id>, "sent": <count>}.
import { readFileSync } from 'node:fs';
import { AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { Kafka, Partitioners, logLevel } from 'kafkajs';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

const topic = env('TOPIC');
const subject = `${topic}-value`;
const registry = new SchemaRegistryClient({
  baseURLs: [env('REGISTRY_URL')],
  ...(process.env.REGISTRY_USER_INFO
    ? { basicAuthCredentials: { credentialsSource: 'USER_INFO', userInfo: process.env.REGISTRY_USER_INFO } }
    : {}),
});
const schema = readFileSync(env('SCHEMA_FILE'), 'utf8');
const id = await registry.register(subject, { schemaType: 'AVRO', schema });
// useLatestVersion: serialize with the schema just registered, not one inferred from the first message.
const serializer = new AvroSerializer(registry, SerdeType.VALUE, { useLatestVersion: true });

const events = readFileSync(env('EVENTS_FILE'), 'utf8').split('\n').filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line));
const messages = [];
for (const event of events) {
  messages.push({ key: event.user_id, value: await serializer.serialize(topic, event) });
}

const kafka = new Kafka({ clientId: 'registry-producer', brokers: env('BOOTSTRAP').split(','), logLevel: logLevel.WARN });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
try {
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  }
} finally {
  await producer.disconnect();
}
console.log(JSON.stringify({ id, sent: messages.length }));
