/**
 * The header's choice of site, among those the caller may read. "All sites" is offered when the
 * caller may read several (or the list is not known); a site named by the URL but not listed
 * stays shown as chosen, so the page's "you may not read" answer matches what the header says.
 */
export function SiteSelector({
  sites,
  error,
  chosen,
  onChoose,
}: {
  /** Readable sites, alphabetical; `undefined` while loading. */
  sites: readonly string[] | undefined;
  /** Why the list could not be loaded, if it could not. */
  error: string | undefined;
  /** The site in the URL; `undefined` for every site. */
  chosen: string | undefined;
  onChoose: (site: string | undefined) => void;
}) {
  const names = sites ?? [];
  const options = chosen === undefined || names.includes(chosen) ? names : [chosen, ...names];
  const allSites = names.length !== 1;
  return (
    <label className="site-select">
      Site{' '}
      <select
        value={chosen ?? (allSites ? '' : names[0])}
        disabled={sites === undefined && error === undefined}
        aria-describedby={error === undefined ? undefined : 'sites-error'}
        onChange={(event) => {
          onChoose(event.target.value === '' ? undefined : event.target.value);
        }}
      >
        {allSites && <option value="">All sites</option>}
        {options.map((site) => (
          <option key={site} value={site}>
            {site}
          </option>
        ))}
      </select>
      {error !== undefined && (
        <span id="sites-error" className="top-note" title={error}>
          (the list of sites could not be loaded)
        </span>
      )}
    </label>
  );
}
