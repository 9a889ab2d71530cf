#!/usr/bin/env node
// Prints every closed window of stream-pipeline as it happens, one JSON object per line on stdout.
//
// It speaks the Vert.x TCP event-bus bridge protocol with nothing but Node's standard library: each frame
// is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. It registers for the address
// live.windows.closed (--stats: the dashboard's live figures on dashboard.stats instead) and prints the body
// of each message. Status lines go to stderr.
//
//   node examples/live-windows.mjs [--host=127.0.0.1] [--port=7000] [--stats]
//
// Windows arrive at least once (the same window_id may come again, with the same figures): upsert by
// window_id.
import net from 'node:net';

const option = (name, fallback) => {
  const arg = process.argv.slice(2).find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (arg === undefined) return fallback;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : true;
};
const host = option('host', '127.0.0.1');
const port = Number(option('port', 7000));
const address = option('stats', false) ? 'dashboard.stats' : 'live.windows.closed';

const frame = (message) => {
  const json = Buffer.from(JSON.stringify(message), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([length, json]);
};

const socket = net.connect({ host, port }, () => {
  socket.write(frame({ type: 'register', address, headers: {} }));
  // Frames are handled in order: the pong means the registration is in place.
  socket.write(frame({ type: 'ping' }));
});

let pending = Buffer.alloc(0);
socket.on('data', (data) => {
  pending = Buffer.concat([pending, data]);
  while (pending.length >= 4) {
    const length = pending.readUInt32BE(0);
    if (pending.length < 4 + length) break;
    const message = JSON.parse(pending.subarray(4, 4 + length).toString('utf8'));
    pending = pending.subarray(4 + length);
    if (message.type === 'pong') {
      console.error(`listening on ${address} at ${host}:${port}`);
    } else if (message.type === 'message') {
      process.stdout.write(JSON.stringify(message.body) + '\n');
    } else if (message.type === 'err') {
      console.error(`refused: ${message.message}`);
      process.exitCode = 1;
      socket.end();
    }
  }
});
socket.on('error', (err) => {
  console.error(`connection ended: ${err.message}`);
  process.exitCode = 2;
});
socket.on('close', () => {
  if (process.exitCode === undefined) {
    console.error('connection ended: the pipeline closed the connection');
    process.exitCode = 2;
  }
});
