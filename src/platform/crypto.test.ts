import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { maskIdNumber, maskName, maskPhone, PiiProtector } from './crypto.ts';
import { hashPassword, verifyPassword } from './auth/passwords.ts';

test('personal data is encrypted with authentication and a keyed index', () => {
  const p = new PiiProtector(crypto.randomBytes(32));
  const stored = p.encrypt('430523200801011234');
  assert.ok(stored.startsWith('v1:'));
  assert.ok(!stored.includes('4305232008'));
  assert.notEqual(p.encrypt('430523200801011234'), stored, 'a fresh IV each time');
  assert.equal(p.decrypt(stored), '430523200801011234');
  const tampered = stored.slice(0, -4) + (stored.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  assert.throws(() => p.decrypt(tampered));
  assert.equal(p.blindIndex('43052320080101123x'), p.blindIndex(' 43052320080101123X '));
  const other = new PiiProtector(crypto.randomBytes(32));
  assert.notEqual(other.blindIndex('13800000000'), p.blindIndex('13800000000'));
  assert.throws(() => other.decrypt(stored));
});

test('masks keep only what the UI conventions show', () => {
  assert.equal(maskPhone('13812345678'), '138****5678');
  assert.equal(maskIdNumber('430523200801011234'), '430523********1234');
  assert.equal(maskName('张三'), '张*');
  assert.equal(maskName('欧阳明月'), '欧**月');
  assert.equal(maskName('李'), '*');
});

test('passwords are hashed with scrypt and verified in constant time', async () => {
  const h = await hashPassword('Shiyu@2026');
  assert.match(h, /^scrypt\$16384\$8\$1\$/);
  assert.ok(await verifyPassword('Shiyu@2026', h));
  assert.ok(!(await verifyPassword('Shiyu@2027', h)));
  assert.ok(!(await verifyPassword('x', 'garbage')));
});
