/** What every section is given. */
export interface Options {
  /** Smaller sizes, for a run of a minute or two. */
  quick: boolean;
  /** Progress, to stderr. */
  log: (message: string) => void;
}
