/** The list of sources, relative to the output folder, that the bin compares the bundle with. */
export declare const INPUTS_FILE: string;

/**
 * Bundles cli/main.ts for Node 20 into `outdir` (default dist/ of the project): `cli.mjs`,
 * its chunks and the list of the project files it was built from. Answers the output files.
 */
export declare function buildCli(options?: { root?: string; outdir?: string }): Promise<string[]>;
