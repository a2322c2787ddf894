export const PASSWORD: string;
export function postgresBin(): string | undefined;
export function postgresMissing(): string | undefined;
export interface PostgresServer {
  readonly dir: string;
  readonly port: number;
  url(db?: string): string;
  bareUrl(db?: string): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<string>;
  destroy(): Promise<void>;
}
export function startPostgres(opts?: { fsync?: boolean }): Promise<PostgresServer>;
