// The reader function: the newest READ_LIMIT items of the table.
'use strict';

const table = require('../table');

const READ_LIMIT = Math.max(1, Number(process.env.READ_LIMIT) || 10);

exports.handler = async function handler() {
  const items = await table.newestItems(READ_LIMIT);
  return { statusCode: 200, body: { items, count: items.length } };
};

exports.close = table.close;
