import { afterEach, describe, expect, it } from 'vitest';
import {
  BenchSetupError,
  choiceListSetting,
  choiceSetting,
  intListSetting,
  intSetting,
  numberSetting,
} from '../../bench/settings.ts';

const NAME = 'GOVFED_TEST_SETTING';

afterEach(() => {
  delete process.env[NAME];
});

function withValue(value: string): void {
  process.env[NAME] = value;
}

describe('bench settings', () => {
  it('gives the default when the variable is not set', () => {
    expect(intSetting(NAME, 7)).toBe(7);
    expect(numberSetting(NAME, 1.5)).toBe(1.5);
    expect(intListSetting(NAME, '5,10,20')).toEqual([5, 10, 20]);
    expect(choiceSetting(NAME, ['both', 'quiet'])).toBe('both');
    expect(choiceListSetting(NAME, ['full', 'minimal'])).toBeUndefined();
  });

  it('reads well-formed values', () => {
    withValue(' 12 ');
    expect(intSetting(NAME, 7)).toBe(12);
    withValue('0');
    expect(intSetting(NAME, 7, 0)).toBe(0);
    withValue('2.5');
    expect(numberSetting(NAME, 10)).toBe(2.5);
    withValue('4, 10,20');
    expect(intListSetting(NAME, '5')).toEqual([4, 10, 20]);
    withValue('quiet');
    expect(choiceSetting(NAME, ['both', 'quiet'])).toBe('quiet');
    withValue('minimal, full');
    expect(choiceListSetting(NAME, ['full', 'minimal'])).toEqual(['minimal', 'full']);
  });

  it.each([
    ['10s', () => intSetting(NAME, 7), 'is not a whole number ≥ 1'],
    ['', () => intSetting(NAME, 7), 'is not a whole number ≥ 1'],
    ['0', () => intSetting(NAME, 7), 'is not a whole number ≥ 1'],
    ['-3', () => intSetting(NAME, 7, 0), 'is not a whole number ≥ 0'],
    ['1e3', () => intSetting(NAME, 7), 'is not a whole number ≥ 1'],
    ['2.5', () => intSetting(NAME, 7), 'is not a whole number ≥ 1'],
    ['99999999999999999999', () => intSetting(NAME, 7), 'is not a whole number ≥ 1'],
    ['ten', () => numberSetting(NAME, 10), 'is not a number ≥ 0'],
    ['0.05', () => numberSetting(NAME, 10, 0.1), 'is not a number ≥ 0.1'],
    ['5,,20', () => intListSetting(NAME, '5'), 'is not a whole number ≥ 1'],
    ['both ', () => choiceSetting(NAME, ['both', 'quiet']), 'is not one of both, quiet'],
    ['full,minmal', () => choiceListSetting(NAME, ['full', 'minimal']), '"minmal" is not one of full, minimal'],
    ['', () => choiceListSetting(NAME, ['full', 'minimal']), '"" is not one of full, minimal'],
  ])('refuses %j with one line naming the variable', (value, read, says) => {
    withValue(value);
    expect(read).toThrow(BenchSetupError);
    expect(read).toThrow(`${NAME}: `);
    expect(read).toThrow(says);
  });
});
