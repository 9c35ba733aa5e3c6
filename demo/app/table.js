// The table the functions share: a Redis server the platform started
// (TABLE_URL), standing in for the article's DynamoDB table (TABLE_NAME).
// An item is a hash `<table>:<id>`; the index `<table>:by_time` (a sorted
// set scored by creation time in ms) lets the reader list the newest.
// ioredis is required after telemetry.js, so every command becomes a
// CLIENT span with db.system=redis.
'use strict';

const Redis = require('ioredis');

const TABLE_NAME = process.env.TABLE_NAME || 'items';
const INDEX = `${TABLE_NAME}:by_time`;

const client = new Redis(process.env.TABLE_URL, {
  // Fail a request instead of queueing it forever when the table is down:
  // the function answers 500 and logs an error line.
  maxRetriesPerRequest: 1,
  connectTimeout: 2_000,
});
client.on('error', (err) => process.stderr.write(`table: ${err.message}\n`));

async function putItem(item) {
  await client.hset(`${TABLE_NAME}:${item.id}`, item);
  await client.zadd(INDEX, Date.now(), item.id);
}

async function newestItems(limit) {
  const ids = await client.zrevrange(INDEX, 0, limit - 1);
  if (ids.length === 0) return [];
  const replies = await client.pipeline(ids.map((id) => ['hgetall', `${TABLE_NAME}:${id}`])).exec();
  return replies.map(([err, item]) => {
    if (err) throw err;
    return { id: item.id, created_at: Number(item.created_at) };
  });
}

async function close() {
  await client.quit().catch(() => client.disconnect());
}

module.exports = { putItem, newestItems, close };
