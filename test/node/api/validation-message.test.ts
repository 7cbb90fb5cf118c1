import { describe, expect, it } from 'vitest';
import { validationMessage } from '../../../node/api/validation-message.ts';
import { TIME_BOUND_PATTERN } from '../../../protocol/audit/time-bound.ts';

describe('validationMessage', () => {
  it('names a long pattern by what it takes, with where the value was', () => {
    const err = {
      message: `querystring/since must match pattern "${TIME_BOUND_PATTERN}"`,
      validationContext: 'querystring',
      validation: [{ keyword: 'pattern', instancePath: '/since', params: { pattern: TIME_BOUND_PATTERN } }],
    };
    expect(validationMessage(err)).toBe(
      'querystring/since must be an RFC 3339 time (years 0000..9999) or a duration before now (30s, 15m, 12h, 7d)',
    );
  });

  it("keeps ajv's message for any other failure", () => {
    const short = {
      message: 'querystring/limit must match pattern "^[1-9][0-9]{0,3}$"',
      validationContext: 'querystring',
      validation: [{ keyword: 'pattern', instancePath: '/limit', params: { pattern: '^[1-9][0-9]{0,3}$' } }],
    };
    expect(validationMessage(short)).toBe(short.message);
    const required = { message: "body must have required property 'rules'", validation: [{ keyword: 'required' }] };
    expect(validationMessage(required)).toBe(required.message);
    expect(validationMessage({ message: 'no details' })).toBe('no details');
  });
});
