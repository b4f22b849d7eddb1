/**
 * Summarise a V8 CPU profile (`node --cpu-prof`, the .cpuprofile JSON): self time per function
 * (name, file, line), from the sample counts of each node, top first. Idle and GC are listed as
 * V8 names them ("(idle)", "(garbage collector)"), since "how much was idle" is half the answer.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  function: string;
  location: string;
  selfMs: number;
  percent: number;
}

/** Shorten a file URL to the part a reader recognises: src/…, node_modules/<pkg>/…, node:… */
export function shortLocation(url: string, line: number): string {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('node_modules/');
  const inDist = path.lastIndexOf('/dist/');
  const short = inModules >= 0 ? path.slice(inModules) : inDist >= 0 ? path.slice(inDist + '/dist/'.length) : path;
  return `${short}:${line + 1}`;
}

export function selfTimes(profile: CpuProfile): { totalMs: number; functions: SelfTime[] } {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, { function: string; location: string; selfUs: number }>();
  let totalUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]!);
    const deltaUs = profile.timeDeltas[i] ?? 0;
    if (!node || deltaUs < 0) continue;
    totalUs += deltaUs;
    const frame = node.callFrame;
    const name = frame.functionName || '(anonymous)';
    const location = shortLocation(frame.url, frame.lineNumber);
    const key = `${name}@${location}`;
    const entry = byFunction.get(key) ?? { function: name, location, selfUs: 0 };
    entry.selfUs += deltaUs;
    byFunction.set(key, entry);
  }
  const functions = [...byFunction.values()]
    .sort((a, b) => b.selfUs - a.selfUs)
    .map((f) => ({ function: f.function, location: f.location, selfMs: f.selfUs / 1000, percent: totalUs ? (100 * f.selfUs) / totalUs : 0 }));
  return { totalMs: totalUs / 1000, functions };
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}
