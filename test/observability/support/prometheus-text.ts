/** GETs Prometheus text from an operations port (127.0.0.1). */
export async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

/**
 * The value of the sample of `name` whose labels include all of `labels` (0 when there is none),
 * from Prometheus text exposition format 0.0.4.
 */
export function sampleOf(text: string, name: string, labels: Readonly<Record<string, string>>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const labelText = line.slice(name.length + 1, close);
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) return Number(line.slice(close + 1).trim().split(' ')[0]);
  }
  return 0;
}
