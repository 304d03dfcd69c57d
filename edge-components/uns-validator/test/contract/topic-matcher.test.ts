import { TopicMatcher, parseAddress } from '../../src/contract/topic-matcher';

function matcherOf(...addresses: string[]): TopicMatcher<string> {
  const matcher = new TopicMatcher<string>();
  for (const address of addresses) matcher.add(address, address);
  return matcher;
}

describe('parseAddress', () => {
  it('splits an address into literal and parameter levels', () => {
    expect(parseAddress('{enterprise}/{site}/_validation')).toEqual([
      { kind: 'parameter', name: 'enterprise' },
      { kind: 'parameter', name: 'site' },
      { kind: 'literal', value: '_validation' },
    ]);
  });

  it('rejects a parameter that shares its topic level with text', () => {
    expect(() => parseAddress('plant/line-{no}/status')).toThrow(/line-\{no\}.*whole topic level/);
  });
});

describe('TopicMatcher', () => {
  it('matches a literal address exactly', () => {
    const matcher = matcherOf('spBv1.0/STATE/{hostId}', 'plant/status');
    expect(matcher.match('plant/status')).toEqual([
      { channel: 'plant/status', parameters: {}, rank: 0 },
    ]);
  });

  it('captures the topic level each parameter stands for', () => {
    const matcher = matcherOf('{enterprise}/{site}/_validation');
    expect(matcher.match('acme/zwickau/_validation')).toEqual([
      {
        channel: '{enterprise}/{site}/_validation',
        parameters: { enterprise: 'acme', site: 'zwickau' },
        rank: 0,
      },
    ]);
  });

  it('matches nothing when the number of levels differs', () => {
    const matcher = matcherOf('{enterprise}/{site}/_validation');
    expect(matcher.match('acme/zwickau')).toEqual([]);
    expect(matcher.match('acme/zwickau/_validation/extra')).toEqual([]);
  });

  it('lets a parameter capture an empty level, for the caller to judge', () => {
    const matcher = matcherOf('{enterprise}/{site}/_validation');
    expect(matcher.match('acme//_validation')[0]?.parameters).toEqual({
      enterprise: 'acme',
      site: '',
    });
  });

  it('returns every candidate, a literal level before a parameter at the first difference', () => {
    const matcher = matcherOf('plant/{site}/status', '{a}/hq/status', 'plant/hq/status');
    expect(matcher.match('plant/hq/status').map((match) => match.channel)).toEqual([
      'plant/hq/status',
      'plant/{site}/status',
      '{a}/hq/status',
    ]);
  });

  it('names parameters per address when addresses share a trie path', () => {
    const matcher = matcherOf('plant/{site}/status', 'plant/{area}/status');
    expect(matcher.match('plant/north/status').map((match) => match.parameters)).toEqual([
      { site: 'north' },
      { area: 'north' },
    ]);
  });

  it('orders candidates by rank before specificity', () => {
    const matcher = new TopicMatcher<string>();
    matcher.add('plant/hq/status', 'second contract, literal', 1);
    matcher.add('plant/{site}/status', 'first contract, parameter', 0);
    expect(matcher.match('plant/hq/status').map((match) => match.channel)).toEqual([
      'first contract, parameter',
      'second contract, literal',
    ]);
  });

  it('finds one channel among 10,000 addresses', () => {
    const matcher = new TopicMatcher<number>();
    for (let index = 0; index < 10_000; index += 1)
      matcher.add(`plant/line-${String(index)}/{x}`, index);
    expect(matcher.match('plant/line-9999/state')).toEqual([
      { channel: 9999, parameters: { x: 'state' }, rank: 0 },
    ]);
  });
});
