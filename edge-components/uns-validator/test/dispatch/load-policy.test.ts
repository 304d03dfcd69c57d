import {
  initialState,
  nextChange,
  type LoadPolicy,
  type LoadSample,
} from '../../src/dispatch/load-policy';

const ADAPTIVE: LoadPolicy = {
  dispatch: 'adaptive',
  minWorkers: 1,
  maxWorkers: 4,
  cores: 4,
  spareCores: 0.5,
};
const INLINE = { mode: 'inline', workers: 1 } as const;

function load(mainUtilization: number, workerCores = 0, idleCores = 2): LoadSample {
  return { mainUtilization, workerCores, messagesPerSecond: 1000, idleCores };
}

describe('the load policy of the adaptive dispatcher', () => {
  it('starts inline with the fewest workers, or on every worker when fixed to workers', () => {
    expect(initialState(ADAPTIVE)).toEqual(INLINE);
    expect(initialState({ ...ADAPTIVE, dispatch: 'workers' })).toEqual({
      mode: 'pooled',
      workers: 4,
    });
    expect(initialState({ ...ADAPTIVE, dispatch: 'workers', cores: 2 })).toEqual({
      mode: 'pooled',
      workers: 2,
    });
  });

  it('moves judging to workers once the main thread was busy for two intervals, not after one', () => {
    expect(nextChange(INLINE, [load(0.2), load(0.9)], ADAPTIVE)).toBeUndefined();
    expect(nextChange(INLINE, [load(0.8), load(0.9)], ADAPTIVE)).toEqual({
      state: { mode: 'pooled', workers: 1 },
      reason: 'main thread busy 80 %, 90 % for 2 intervals, 2.00, 2.00 cores idle',
    });
  });

  it('stays inline while the machine has no idle core for a worker (the broker or other components use it)', () => {
    expect(nextChange(INLINE, [load(1, 0, 0.6), load(1, 0, 0.4)], ADAPTIVE)).toBeUndefined();
    expect(
      nextChange({ mode: 'pooled', workers: 1 }, [load(0.5, 0.9, 0.3)], ADAPTIVE),
    ).toBeUndefined();
  });

  it('comes back inline when the machine stayed without an idle core and one thread would do', () => {
    const saturated = [load(0.4, 0.3, 0.1), load(0.4, 0.3, 0.1), load(0.4, 0.3, 0.1)];
    expect(nextChange({ mode: 'pooled', workers: 1 }, saturated, ADAPTIVE)).toEqual({
      state: INLINE,
      reason:
        'no idle core (0.10, 0.10, 0.10 cores) and one thread would do: handing messages over only costs',
    });
    const needsTwo = saturated.map((sample) => ({ ...sample, mainUtilization: 0.6 }));
    expect(nextChange({ mode: 'pooled', workers: 1 }, needsTwo, ADAPTIVE)).toBeUndefined();
  });

  it('adds workers whatever the machine load when no spare cores are asked for', () => {
    const policy = { ...ADAPTIVE, spareCores: 0 };
    expect(nextChange(INLINE, [load(1, 0, 0), load(1, 0, 0)], policy)?.state.mode).toBe('pooled');
    const saturated = [load(0.4, 0.3, 0), load(0.4, 0.3, 0), load(0.4, 0.3, 0)];
    expect(nextChange({ mode: 'pooled', workers: 1 }, saturated, policy)).toBeUndefined();
  });

  it('stays inline on a single core, and never changes when fixed', () => {
    const busy = [load(1), load(1), load(1)];
    expect(nextChange(INLINE, busy, { ...ADAPTIVE, cores: 1 })).toBeUndefined();
    expect(nextChange(INLINE, busy, { ...ADAPTIVE, dispatch: 'inline' })).toBeUndefined();
  });

  it('adds a worker as soon as the workers are busy, up to the most allowed and the cores', () => {
    const pooled = { mode: 'pooled', workers: 2 } as const;
    expect(nextChange(pooled, [load(0.5, 1.7)], ADAPTIVE)?.state).toEqual({
      mode: 'pooled',
      workers: 3,
    });
    expect(nextChange(pooled, [load(0.5, 1.7)], { ...ADAPTIVE, cores: 2 })).toBeUndefined();
    expect(nextChange(pooled, [load(0.5, 1.2)], ADAPTIVE)).toBeUndefined();
  });

  it('removes a worker only after three intervals in which one fewer would have had room', () => {
    const pooled = { mode: 'pooled', workers: 3 } as const;
    expect(nextChange(pooled, [load(0.6, 0.5), load(0.6, 0.5)], ADAPTIVE)).toBeUndefined();
    expect(nextChange(pooled, [load(0.6, 0.5), load(0.6, 0.5), load(0.6, 0.5)], ADAPTIVE)).toEqual({
      state: { mode: 'pooled', workers: 2 },
      reason: '2 workers would be below 0.5 busy for 3 intervals',
    });
    expect(
      nextChange(
        { mode: 'pooled', workers: 1 },
        [load(0.6, 0.3), load(0.6, 0.3), load(0.6, 0.3)],
        ADAPTIVE,
      ),
    ).toBeUndefined();
  });

  it('comes back inline when main thread and workers together stayed light for three intervals', () => {
    const pooled = { mode: 'pooled', workers: 2 } as const;
    const light = [load(0.2, 0.1), load(0.2, 0.1), load(0.2, 0.1)];
    expect(nextChange(pooled, light, ADAPTIVE)).toEqual({
      state: { mode: 'inline', workers: 1 },
      reason: 'light load: main thread and workers together below 0.45 for 3 intervals',
    });
    expect(nextChange(pooled, [load(0.5, 0.1), ...light.slice(1)], ADAPTIVE)?.state.mode).not.toBe(
      'inline',
    );
  });
});
