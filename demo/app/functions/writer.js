// The writer function: the article's app.py in JavaScript. It puts an item
// (a UUID and created_at) into the table and, when the INJECT_LATENCY
// feature flag is on, first sleeps 150–500 ms: the "gray failure" of the
// experiment. The flag is read once, at cold start, as a Lambda function
// reads its environment; changing it takes a deployment.
'use strict';

const { randomInt, randomUUID } = require('node:crypto');
const { setTimeout: sleep } = require('node:timers/promises');
const table = require('../table');

// --- CONFIGURATION FOR GRAY FAILURE SIMULATION ---
// This environment variable acts as our feature flag for the experiment
const INJECT_LATENCY = (process.env.INJECT_LATENCY ?? 'false').toLowerCase() === 'true';
const MIN_LATENCY_MS = 150; // Minimum artificial latency in milliseconds
const MAX_LATENCY_MS = 500; // Maximum artificial latency in milliseconds

exports.handler = async function handler() {
  // This is the core logic for our "gray failure" simulation
  if (INJECT_LATENCY) {
    await sleep(randomInt(MIN_LATENCY_MS, MAX_LATENCY_MS + 1)); // both ends included, as random.randint
  }
  // The function's primary business logic is to write an item to the table
  const item = { id: randomUUID(), created_at: Math.floor(Date.now() / 1000) };
  await table.putItem(item); // a failure throws: the runtime answers 500 and logs it
  return { statusCode: 201, body: item };
};

exports.close = table.close;
