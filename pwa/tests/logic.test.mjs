// The app's pure logic, without a browser: `npm test` (node's own test runner).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryGroups, rank, normalise } from '../src/lib/offline-knowledge.js';
import { verdict } from '../src/lib/outbox.js';
import { toGcj02 } from '../src/lib/geo.js';
import { STRINGS } from '../src/lib/strings.js';

test('a Chinese query becomes its bigrams, cut at function words', () => {
  assert.deepEqual(queryGroups('怎么报价'), [{ cjk: ['报价'] }]);
  assert.deepEqual(queryGroups('保修期'), [{ cjk: ['保修'] }, { cjk: ['修期'] }]);
  assert.deepEqual(queryGroups('价'), [{ cjk: ['价'] }]);
});

test('English words lose stop words; product codes keep a joined form', () => {
  assert.deepEqual(queryGroups('the warranty '), [{ word: 'warranty', last: false }]);
  assert.deepEqual(queryGroups('EG-100'), [{ exact: ['eg100', 'eg', '100'] }]);
  assert.equal(normalise('ＥＧ－１００ Café'), 'eg-100 cafe');
});

test('ranking over the bundle index: every part must match, stems and typed prefixes count', () => {
  const index = {
    docs: ['a', 'b', 'c'],
    lengths: [10, 10, 40],
    postings: { 报价: [0, 3, 2, 1], 价格: [1, 2], warranti: [2, 4], 保修: [1, 1] },
  };
  assert.deepEqual(rank(index, '报价').map((h) => h.id), ['a', 'c']);
  assert.deepEqual(rank(index, 'warranty').map((h) => h.id), ['c']); // the stem is a prefix of the word
  assert.deepEqual(rank(index, 'warr').map((h) => h.id), ['c']); // still typing
  // No article has both: the best partial matches come back rather than nothing.
  assert.equal(rank(index, '报价 保修').length, 3);
  assert.deepEqual(rank(index, 'nothing'), []);
});

test('what an answer means for a change waiting in the outbox', () => {
  assert.equal(verdict(200), 'done');
  assert.equal(verdict(201), 'done');
  assert.equal(verdict(0), 'retry'); // no signal
  assert.equal(verdict(503), 'retry');
  assert.equal(verdict(429), 'retry');
  assert.equal(verdict(409, { type: 'https://fieldloop.example/problems/idempotency-key-in-use' }), 'retry');
  assert.equal(verdict(409, { type: 'https://fieldloop.example/problems/not-pending' }), 'conflict');
  assert.equal(verdict(412), 'conflict');
  assert.equal(verdict(422), 'failed');
  assert.equal(verdict(404), 'failed');
});

test('WGS-84 to GCJ-02 matches the server (the Amap link of a Shanghai stop)', () => {
  const [lat, lon] = toGcj02(31.266711, 121.591561);
  assert.ok(Math.abs(lat - 31.264525) < 1e-5 && Math.abs(lon - 121.595768) < 1e-5, `${lat},${lon}`);
  assert.deepEqual(toGcj02(48.8566, 2.3522), [48.8566, 2.3522]); // outside China: unchanged
});

test('every text has both languages', () => {
  for (const [key, [en, zh]] of Object.entries(STRINGS)) {
    assert.ok(en && zh, key);
    assert.deepEqual(en.match(/\{\w+\}/g)?.sort(), zh.match(/\{\w+\}/g)?.sort(), `placeholders of ${key}`);
  }
});

test('stems that change the last letter still match the word', () => {
  const index = { docs: ['p', 'q'], lengths: [5, 5], postings: { price: [0, 1], pric: [], polici: [1, 2] } };
  assert.deepEqual(rank(index, 'pricing ').map((h) => h.id), ['p']);
  assert.deepEqual(rank(index, 'policy ').map((h) => h.id), ['q']);
});
