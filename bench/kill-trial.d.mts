// Types of ./kill-trial.mjs, for test/resume.test.ts.
export declare const DEFAULT_CLI: string;
export declare const RUNBOOK: string;
export declare const EXPECTED: readonly string[];
export declare function traceProblem(trace: readonly string[]): string | undefined;
export declare function wholeRunMs(cli?: string, n?: number, url?: () => Promise<string>): Promise<number>;
export declare function killTrial(o: { cli?: string; spanMs: number; url?: string }): Promise<{ kills: number; failure: string | undefined }>;
