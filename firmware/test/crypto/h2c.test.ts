// RFC 9380 hash_to_curve P256_XMD:SHA-256_SSWU_RO_: the RFC's own vectors and @noble/curves.
import { p256_hasher } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { fe } from '../../src/crypto/field.ts';
import { expandMessageXmd, hashToCurve, mapToCurve } from '../../src/crypto/h2c.ts';
import { Fp } from '../../src/crypto/p256.ts';
import { Point, pointEncode, toAffine } from '../../src/crypto/point.ts';
import { opCounts, resetOpCounts } from '../../src/crypto/index.ts';
import { ascii, hex, randBytes } from './helpers.ts';

// RFC 9380 Appendix J.1.1, suite P256_XMD:SHA-256_SSWU_RO_ (copied from the RFC text).
const DST = 'QUUX-V01-CS02-with-P256_XMD:SHA-256_SSWU_RO_';
const VECTORS = [
  {
    msg: '',
    Px: '2c15230b26dbc6fc9a37051158c95b79656e17a1a920b11394ca91c44247d3e4',
    Py: '8a7a74985cc5c776cdfe4b1f19884970453912e9d31528c060be9ab5c43e8415',
    u0: 'ad5342c66a6dd0ff080df1da0ea1c04b96e0330dd89406465eeba11582515009',
    u1: '8c0f1d43204bd6f6ea70ae8013070a1518b43873bcd850aafa0a9e220e2eea5a',
    Q0x: 'ab640a12220d3ff283510ff3f4b1953d09fad35795140b1c5d64f313967934d5',
    Q0y: 'dccb558863804a881d4fff3455716c836cef230e5209594ddd33d85c565b19b1',
    Q1x: '51cce63c50d972a6e51c61334f0f4875c9ac1cd2d3238412f84e31da7d980ef5',
    Q1y: 'b45d1a36d00ad90e5ec7840a60a4de411917fbe7c82c3949a6e699e5a1b66aac',
  },
  {
    msg: 'abc',
    Px: '0bb8b87485551aa43ed54f009230450b492fead5f1cc91658775dac4a3388a0f',
    Py: '5c41b3d0731a27a7b14bc0bf0ccded2d8751f83493404c84a88e71ffd424212e',
    u0: 'afe47f2ea2b10465cc26ac403194dfb68b7f5ee865cda61e9f3e07a537220af1',
    u1: '379a27833b0bfe6f7bdca08e1e83c760bf9a338ab335542704edcd69ce9e46e0',
    Q0x: '5219ad0ddef3cc49b714145e91b2f7de6ce0a7a7dc7406c7726c7e373c58cb48',
    Q0y: '7950144e52d30acbec7b624c203b1996c99617d0b61c2442354301b191d93ecf',
    Q1x: '019b7cb4efcfeaf39f738fe638e31d375ad6837f58a852d032ff60c69ee3875f',
    Q1y: '589a62d2b22357fed5449bc38065b760095ebe6aeac84b01156ee4252715446e',
  },
  {
    msg: 'abcdef0123456789',
    Px: '65038ac8f2b1def042a5df0b33b1f4eca6bff7cb0f9c6c1526811864e544ed80',
    Py: 'cad44d40a656e7aff4002a8de287abc8ae0482b5ae825822bb870d6df9b56ca3',
    u0: '0fad9d125a9477d55cf9357105b0eb3a5c4259809bf87180aa01d651f53d312c',
    u1: 'b68597377392cd3419d8fcc7d7660948c8403b19ea78bbca4b133c9d2196c0fb',
    Q0x: 'a17bdf2965eb88074bc01157e644ed409dac97cfcf0c61c998ed0fa45e79e4a2',
    Q0y: '4f1bc80c70d411a3cc1d67aeae6e726f0f311639fee560c7f5a664554e3c9c2e',
    Q1x: '7da48bb67225c1a17d452c983798113f47e438e4202219dd0715f8419b274d66',
    Q1y: 'b765696b2913e36db3016c47edb99e24b1da30e761a8a3215dc0ec4d8f96e6f9',
  },
  {
    msg: 'q128_' + 'q'.repeat(128),
    Px: '4be61ee205094282ba8a2042bcb48d88dfbb609301c49aa8b078533dc65a0b5d',
    Py: '98f8df449a072c4721d241a3b1236d3caccba603f916ca680f4539d2bfb3c29e',
    u0: '3bbc30446f39a7befad080f4d5f32ed116b9534626993d2cc5033f6f8d805919',
    u1: '76bb02db019ca9d3c1e02f0c17f8baf617bbdae5c393a81d9ce11e3be1bf1d33',
    Q0x: 'c76aaa823aeadeb3f356909cb08f97eee46ecb157c1f56699b5efebddf0e6398',
    Q0y: '776a6f45f528a0e8d289a4be12c4fab80762386ec644abf2bffb9b627e4352b1',
    Q1x: '418ac3d85a5ccc4ea8dec14f750a3a9ec8b85176c95a7022f391826794eb5a75',
    Q1y: 'fd6604f69e9d9d2b74b072d14ea13050db72c932815523305cb9e807cc900aff',
  },
  {
    msg: 'a512_' + 'a'.repeat(512),
    Px: '457ae2981f70ca85d8e24c308b14db22f3e3862c5ea0f652ca38b5e49cd64bc5',
    Py: 'ecb9f0eadc9aeed232dabc53235368c1394c78de05dd96893eefa62b0f4757dc',
    u0: '4ebc95a6e839b1ae3c63b847798e85cb3c12d3817ec6ebc10af6ee51adb29fec',
    u1: '4e21af88e22ea80156aff790750121035b3eefaa96b425a8716e0d20b4e269ee',
    Q0x: 'd88b989ee9d1295df413d4456c5c850b8b2fb0f5402cc5c4c7e815412e926db8',
    Q0y: 'bb4a1edeff506cf16def96afff41b16fc74f6dbd55c2210e5b8f011ba32f4f40',
    Q1x: 'a281e34e628f3a4d2a53fa87ff973537d68ad4fbc28d3be5e8d9f6a2571c5a4b',
    Q1y: 'f6ed88a7aab56a488100e6f1174fa9810b47db13e86be999644922961206e184',
  },
];

function affineHex(p: Point): [string, string] {
  const x = fe();
  const y = fe();
  toAffine(x, y, p);
  const bx = new Uint8Array(32);
  const by = new Uint8Array(32);
  Fp.toBytes(x, bx, 0);
  Fp.toBytes(y, by, 0);
  return [hex(bx), hex(by)];
}

describe('hash_to_curve P256_XMD:SHA-256_SSWU_RO_', () => {
  it('RFC 9380 J.1.1 vectors: u0, u1, Q0, Q1 and P', () => {
    for (const v of VECTORS) {
      const m = ascii(v.msg);
      // hash_to_field, count 2, L 48: the two halves of 96 expanded bytes, each mod p
      const b = expandMessageXmd(m, ascii(DST), 96);
      const u = [fe(), fe()];
      Fp.fromBytes48(u[0], b, 0);
      Fp.fromBytes48(u[1], b, 48);
      const ub = new Uint8Array(32);
      Fp.toBytes(u[0], ub, 0);
      expect(hex(ub)).toBe(v.u0);
      Fp.toBytes(u[1], ub, 0);
      expect(hex(ub)).toBe(v.u1);
      const q = new Point();
      mapToCurve(q, u[0], Fp.sgn0(u[0]), fe(), fe());
      expect(affineHex(q)).toEqual([v.Q0x, v.Q0y]);
      mapToCurve(q, u[1], Fp.sgn0(u[1]), fe(), fe());
      expect(affineHex(q)).toEqual([v.Q1x, v.Q1y]);
      expect(affineHex(hashToCurve(m, ascii(DST)))).toEqual([v.Px, v.Py]);
    }
  });

  it('matches noble on 800 random messages under the Sipster token DST', () => {
    const dst = ascii('Sipster-v1-token-P256_XMD:SHA-256_SSWU_RO_');
    for (let i = 0; i < 800; i++) {
      const msg = randBytes('h2c', i, 32);
      expect(hex(pointEncode(hashToCurve(msg, dst)))).toBe(hex(p256_hasher.hashToCurve(msg, { DST: dst }).toBytes(true)));
    }
  });

  it('costs two sqrt_ratio exponentiations and no inversion', () => {
    resetOpCounts();
    hashToCurve(ascii('count me'), ascii(DST));
    expect(opCounts.sqrt).toBe(2);
    expect(opCounts.inv).toBe(0);
    expect(opCounts.invN).toBe(0);
    expect(opCounts.mul + opCounts.sqr).toBeLessThan(620);
  });
});
