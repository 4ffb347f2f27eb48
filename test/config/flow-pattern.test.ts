import { describe, expect, it } from 'vitest';
import { FlowPatternError, parseFlowPattern } from '../../src/config/flow-pattern.js';

describe('parseFlowPattern', () => {
  it('reads a sent request', () => {
    expect(parseFlowPattern('INVITE>')).toEqual({ direction: 'out', method: 'INVITE', optional: false, text: 'INVITE>' });
  });

  it('reads a received status', () => {
    expect(parseFlowPattern('<180')).toEqual({ direction: 'in', status: 180, optional: false, text: '<180' });
  });

  it('reads an optional 100 in either direction', () => {
    expect(parseFlowPattern('<100?')).toMatchObject({ direction: 'in', status: 100, optional: true });
    expect(parseFlowPattern('100>?')).toMatchObject({ direction: 'out', status: 100, optional: true });
  });

  it('reads a status qualified by its CSeq method', () => {
    expect(parseFlowPattern('<200/CANCEL')).toEqual({
      direction: 'in',
      status: 200,
      cseqMethod: 'CANCEL',
      optional: false,
      text: '<200/CANCEL',
    });
    expect(parseFlowPattern('200/INVITE>')).toMatchObject({ direction: 'out', status: 200, cseqMethod: 'INVITE' });
  });

  it('reads a status class', () => {
    expect(parseFlowPattern('<2xx')).toEqual({ direction: 'in', statusClass: 2, optional: false, text: '<2xx' });
    expect(parseFlowPattern('4xx/INVITE>?')).toMatchObject({ direction: 'out', statusClass: 4, cseqMethod: 'INVITE', optional: true });
  });

  it('trims surrounding spaces', () => {
    expect(parseFlowPattern('  <ACK ').text).toBe('<ACK');
  });

  it.each([
    ['INVITE', /no direction/],
    ['<INVITE>', /both < and >/],
    ['<INVTE', /unknown method INVTE/],
    ['<FOO', /unknown method FOO/],
    ['<200/FOO', /unknown method FOO/],
    ['INVITE/ACK>', /only a response/],
    ['<700', /neither a method/],
    ['<7xx', /neither a method/],
    ['<invite', /neither a method/],
    ['?<180', /no direction|neither/],
    ['', /no direction/],
  ])('rejects %j', (text, reason) => {
    expect(() => parseFlowPattern(text)).toThrow(FlowPatternError);
    expect(() => parseFlowPattern(text)).toThrow(reason);
  });

  it('carries a hint with an example', () => {
    const error = (() => {
      try {
        parseFlowPattern('180');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(FlowPatternError);
    expect((error as FlowPatternError).hint).toContain('<200/CANCEL');
  });
});
