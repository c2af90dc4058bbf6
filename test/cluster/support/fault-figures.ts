import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the cluster fault tests leave their measured figures (recovery, lost, duplicated) for a report. */
export const FAULT_FIGURES_FILE = join(tmpdir(), 'estate-cluster-faults.json');

export async function writeFaultFigures(figures: Record<string, unknown>): Promise<void> {
  await writeFile(FAULT_FIGURES_FILE, `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`cluster fault figures (${FAULT_FIGURES_FILE}): ${JSON.stringify(figures)}\n`);
}
