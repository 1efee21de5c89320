import { mkdirSync, writeFileSync } from 'fs';
import path from 'path';

export interface ScenarioFigures {
  faults: number;
  rowsChecked: number;
  duplicates: number;
  longestRecoveryMs: number;
  tasks: number;
  /** Wall time of a scenario that injects no fault but load (the concurrent tasks). */
  wallMs?: number;
}

/**
 * The figures a fault run reports (faults injected, rows checked, duplicates found, longest
 * recovery), per scenario and in total; printed at the end and written to tmp/faults/latest.json.
 */
export class FaultFigures {
  private readonly scenarios: Record<string, ScenarioFigures> = {};

  constructor(private readonly settings: Record<string, unknown>) {}

  scenario(name: string): ScenarioFigures {
    return (this.scenarios[name] ??= {
      faults: 0,
      rowsChecked: 0,
      duplicates: 0,
      longestRecoveryMs: 0,
      tasks: 0,
    });
  }

  recovered(name: string, ms: number): void {
    const s = this.scenario(name);
    s.longestRecoveryMs = Math.max(s.longestRecoveryMs, Math.round(ms));
  }

  took(name: string, ms: number): void {
    this.scenario(name).wallMs = Math.round(ms);
  }

  totals(): ScenarioFigures {
    const all = Object.values(this.scenarios);
    return {
      faults: sum(all.map((s) => s.faults)),
      rowsChecked: sum(all.map((s) => s.rowsChecked)),
      duplicates: sum(all.map((s) => s.duplicates)),
      longestRecoveryMs: Math.max(0, ...all.map((s) => s.longestRecoveryMs)),
      tasks: sum(all.map((s) => s.tasks)),
    };
  }

  write(root: string): string {
    const report = {
      at: new Date().toISOString(),
      settings: this.settings,
      totals: this.totals(),
      scenarios: this.scenarios,
    };
    const dir = path.join(root, 'tmp/faults');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'latest.json');
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
    return JSON.stringify(report, null, 2);
  }
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
