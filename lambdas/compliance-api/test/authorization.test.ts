import { EVERY_SITE } from '@uns-mlops/validation-store';
import { groupsOf, readableSites } from '../src/authorization';

describe('the groups of the caller', () => {
  it('reads the list claim as the HTTP API hands it over, as text in brackets', () => {
    expect(groupsOf({ 'cognito:groups': '[uns-site-zwickau uns-site-dresden]' })).toEqual([
      'uns-site-zwickau',
      'uns-site-dresden',
    ]);
  });

  it('reads a real list and a single name too', () => {
    expect(groupsOf({ 'cognito:groups': ['uns-quality', 42] })).toEqual(['uns-quality']);
    expect(groupsOf({ 'cognito:groups': 'uns-site-zwickau' })).toEqual(['uns-site-zwickau']);
  });

  it('finds no group without the claim, in an empty list or in a value of another kind', () => {
    expect(groupsOf(undefined)).toEqual([]);
    expect(groupsOf({ sub: 'someone' })).toEqual([]);
    expect(groupsOf({ 'cognito:groups': '[]' })).toEqual([]);
    expect(groupsOf({ 'cognito:groups': { uns: 'quality' } })).toEqual([]);
  });
});

describe('the sites a caller may read', () => {
  it('are every site for the quality team, whatever else it belongs to', () => {
    expect(readableSites(['uns-site-zwickau', 'uns-quality'])).toBe(EVERY_SITE);
  });

  it("are a plant engineer's site, and the union of several site groups", () => {
    expect(readableSites(['uns-site-zwickau'])).toEqual(['zwickau']);
    expect(
      readableSites(['uns-site-zwickau', 'other', 'uns-site-dresden', 'uns-site-zwickau']),
    ).toEqual(['dresden', 'zwickau']);
  });

  it('are none without a reader group (a site group without a site, look-alikes)', () => {
    expect(readableSites([])).toBeUndefined();
    expect(
      readableSites(['uns-site-', 'UNS-QUALITY', 'uns-sites-zwickau', 'admins']),
    ).toBeUndefined();
  });
});
