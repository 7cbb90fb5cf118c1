import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ANNEX_III_AREAS,
  AUTONOMY_TYPES,
  assertRegistrable,
  CARD_LIMITS,
  checkModelCard,
  EU_AI_ACT_CATEGORIES,
} from '../../../protocol/registry/card.ts';
import { repoPath } from '../../helpers/paths.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const EXAMPLE = JSON.parse(readFileSync(repoPath('docs/examples/model-card.json'), 'utf8')) as Record<string, unknown>;
const MINIMAL = {
  intendedUse: 'Summarises support tickets.',
  license: 'MIT',
  autonomyType: 'human-on-the-loop',
  useSensitivePersonalInformation: false,
  euAiActCategory: 'minimal',
};
const bad = (v: unknown) => expect(() => checkModelCard(v)).toThrow(code('ERR_INVALID_MODEL_CARD'));

describe('checkModelCard', () => {
  describe("when given docs/registry.md's example card (docs/examples/model-card.json)", () => {
    it('accepts it and returns a copy', () => {
      const c = checkModelCard(EXAMPLE);
      expect(c).toEqual(EXAMPLE);
      expect(c.datasets).not.toBe(EXAMPLE.datasets);
      expect(c.jurisdictions).not.toBe(EXAMPLE.jurisdictions);
    });
  });
  describe('when given only the required fields', () => {
    it('accepts them', () => {
      expect(checkModelCard(MINIMAL)).toEqual(MINIMAL);
    });
  });
  describe('when a required field is missing', () => {
    it.each(Object.keys(MINIMAL))('refuses a card without %s, naming it', (k) => {
      const { [k]: _, ...rest } = MINIMAL as Record<string, unknown>;
      expect(() => checkModelCard(rest)).toThrow(new RegExp(k));
    });
  });
  describe('when an enum field takes each of its values', () => {
    it('accepts every autonomy type, category and Annex III area', () => {
      for (const a of AUTONOMY_TYPES) expect(checkModelCard({ ...MINIMAL, autonomyType: a }).autonomyType).toBe(a);
      for (const e of EU_AI_ACT_CATEGORIES)
        expect(checkModelCard({ ...MINIMAL, euAiActCategory: e }).euAiActCategory).toBe(e);
      for (const x of ANNEX_III_AREAS) {
        expect(checkModelCard({ ...MINIMAL, euAiActCategory: 'high', annexIIIArea: x }).annexIIIArea).toBe(x);
      }
    });
  });
  describe('when a value is out of bounds or of the wrong type', () => {
    it.each([
      ['an unknown field', { ...MINIMAL, expires: '2027-01-01' }],
      ['a long intendedUse', { ...MINIMAL, intendedUse: 'x'.repeat(CARD_LIMITS.intendedUse + 1) }],
      ['an empty license', { ...MINIMAL, license: '' }],
      ['a license with a control character', { ...MINIMAL, license: 'MIT\u0007' }],
      ['a line break outside prose', { ...MINIMAL, license: 'MIT\nGPL' }],
      ['an unknown autonomy type', { ...MINIMAL, autonomyType: 'semi' }],
      ['an unknown category', { ...MINIMAL, euAiActCategory: 'low' }],
      ['a string boolean', { ...MINIMAL, useSensitivePersonalInformation: 'no' }],
      [
        'too many datasets',
        { ...MINIMAL, datasets: Array.from({ length: CARD_LIMITS.datasets + 1 }, (_, i) => ({ name: `d${i}` })) },
      ],
      ['a dataset as a string', { ...MINIMAL, datasets: ['imagenet'] }],
      ['a dataset with an unknown field', { ...MINIMAL, datasets: [{ name: 'd', size: 3 }] }],
      ['a dataset with an http URL', { ...MINIMAL, datasets: [{ name: 'd', url: 'http://example.com/d' }] }],
      ['a bad jurisdiction', { ...MINIMAL, jurisdictions: ['europe'] }],
      ['a jurisdiction listed twice', { ...MINIMAL, jurisdictions: ['EU', 'EU'] }],
      ['no jurisdictions', { ...MINIMAL, jurisdictions: [] }],
      ['an Annex III area outside "high"', { ...MINIMAL, annexIIIArea: 'education' }],
      ['an unknown Annex III area', { ...MINIMAL, euAiActCategory: 'high', annexIIIArea: 'space' }],
      ['an array', [MINIMAL]],
      ['null', null],
    ])('refuses %s', (_, v) => bad(v));
  });
  describe('when prose holds line breaks', () => {
    it('accepts them in intendedUse and limitations', () => {
      const c = checkModelCard({ ...MINIMAL, intendedUse: 'line one\nline two', limitations: 'a\r\nb' });
      expect(c.intendedUse).toBe('line one\nline two');
    });
  });
});

describe('assertRegistrable', () => {
  describe('when the card is a prohibited practice', () => {
    it('refuses it: ERR_MODEL_PROHIBITED, citing Art. 5', () => {
      const c = checkModelCard({ ...MINIMAL, euAiActCategory: 'prohibited' });
      expect(() => assertRegistrable(c)).toThrow(code('ERR_MODEL_PROHIBITED'));
      expect(() => assertRegistrable(c)).toThrow(/Art\. 5/);
    });
  });
  describe('when it is any other category', () => {
    it('lets it through', () => {
      for (const e of EU_AI_ACT_CATEGORIES.filter((x) => x !== 'prohibited')) {
        expect(() => assertRegistrable(checkModelCard({ ...MINIMAL, euAiActCategory: e }))).not.toThrow();
      }
    });
  });
});
