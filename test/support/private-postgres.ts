import { type ChildProcess, execFileSync, spawn } from 'child_process';
import { chmodSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

import { freePort } from './ferry-system';

/**
 * A throwaway PostgreSQL cluster (`initdb` + `postgres` in a temp dir, on a free port) that a fault
 * test may crash and restart; the shared server at 5432 is never touched. PostgreSQL refuses to run
 * as root, so under root the binaries run as the `postgres` user.
 */
export class PrivatePostgres {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'ferry-pg-'));
  private readonly dataDir = path.join(this.dir, 'data');
  private log: string[] = [];

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivatePostgres> {
    const pg = new PrivatePostgres(await freePort());
    chmodSync(pg.dir, 0o777);
    pg.exec('initdb', [
      '-D',
      pg.dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    await pg.restart();
    return pg;
  }

  /** The admin URL (database `postgres`); startFerry creates its own database on it. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  output(): string {
    return this.log.join('');
  }

  async restart(): Promise<void> {
    if (this.child) return;
    const args = [
      '-D',
      this.dataDir,
      '-p',
      String(this.port),
      '-k',
      this.dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      // Durable enough for a process crash (the OS keeps the page cache), and fast.
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
    ];
    const [cmd, all] = this.asPostgres('postgres', args);
    const child = spawn(cmd, all, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => this.log.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => this.log.push(d.toString()));
    this.child = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        this.exec('pg_isready', ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'postgres']);
        return;
      } catch {
        if (child.exitCode !== null) throw new Error(`postgres exited:\n${this.output()}`);
        if (Date.now() > deadline) throw new Error(`postgres did not start:\n${this.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /**
   * An immediate shutdown (SIGQUIT, what `pg_ctl stop -m immediate` sends): every backend dies at
   * once, nothing is checkpointed, and the next start recovers from the WAL — a crash.
   */
  async crash(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGQUIT');
      await exited;
    }
  }

  async destroy(): Promise<void> {
    if (this.child && this.child.exitCode === null) {
      const child = this.child;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT'); // fast shutdown
      await exited;
    }
    this.child = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  private asPostgres(cmd: string, args: string[]): [string, string[]] {
    // setpriv execs (unlike runuser), so the child's pid is the postmaster's.
    return process.getuid?.() === 0
      ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', cmd, ...args]]
      : [cmd, args];
  }

  private exec(cmd: string, args: string[]): void {
    const [c, a] = this.asPostgres(cmd, args);
    execFileSync(c, a, { stdio: 'pipe' });
  }
}
