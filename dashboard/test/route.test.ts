import { parseRoute, routeHref } from '../src/route';

describe('routes in the URL fragment', () => {
  it('reads the page and the site', () => {
    expect(parseRoute('#/violations?site=plant-a')).toEqual({
      page: 'violations',
      site: 'plant-a',
    });
    expect(parseRoute('#/facilities')).toEqual({ page: 'facilities', site: undefined });
  });

  it('shows the overview of every site when the fragment names nothing', () => {
    for (const hash of ['', '#', '#/', '#/?site=']) {
      expect(parseRoute(hash)).toEqual({ page: 'overview', site: undefined });
    }
  });

  it('writes a fragment that reads back the same, whatever the site is called', () => {
    for (const route of [
      { page: 'overview', site: undefined },
      { page: 'contracts', site: 'plant a&b=c/ü' },
    ]) {
      expect(parseRoute(routeHref(route))).toEqual(route);
    }
    expect(routeHref({ page: 'overview', site: 'plant-a' })).toBe('#/overview?site=plant-a');
  });
});
