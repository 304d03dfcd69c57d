/**
 * MQTT topic filters (`+` one level, `#` the rest), compiled once into level tests. Topics starting
 * with `$` never match `+` or `#` at the first level (MQTT 5, 4.7.2).
 */
export class TopicFilter {
  private readonly levels: readonly string[];
  /** Levels before a trailing `#` (or all levels): the ones a topic must have. */
  readonly fixedLevels: number;
  private readonly multiLevel: boolean;

  constructor(readonly filter: string) {
    const problem = TopicFilter.problem(filter);
    if (problem !== undefined) throw new Error(problem);
    this.levels = filter.split('/');
    this.multiLevel = this.levels.at(-1) === '#';
    this.fixedLevels = this.multiLevel ? this.levels.length - 1 : this.levels.length;
  }

  /** Why a string is not a valid topic filter, or undefined when it is one. */
  static problem(filter: string): string | undefined {
    if (filter === '') return 'a topic filter cannot be empty';
    const levels = filter.split('/');
    for (const [index, level] of levels.entries()) {
      if (level.includes('#') && (level !== '#' || index !== levels.length - 1))
        return `"${filter}": "#" must be a whole level and the last one`;
      if (level.includes('+') && level !== '+') return `"${filter}": "+" must be a whole level`;
    }
    return undefined;
  }

  /** Whether the topic (already split into levels) matches the filter. */
  matches(topicLevels: readonly string[]): boolean {
    if (topicLevels.length < this.fixedLevels) return false;
    if (!this.multiLevel && topicLevels.length !== this.fixedLevels) return false;
    if (
      topicLevels[0]?.startsWith('$') === true &&
      (this.levels[0] === '+' || this.levels[0] === '#')
    )
      return false;
    for (let index = 0; index < this.fixedLevels; index += 1) {
      const level = this.levels[index];
      if (level !== '+' && level !== topicLevels[index]) return false;
    }
    return true;
  }
}
