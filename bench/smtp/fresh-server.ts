/**
 * One SMTP load measurement on a server of its own, stopped before the next starts: a server
 * left running keeps parsing the backlog of the cell before it and would tax the one measured.
 */
import { startTarget } from '../target.js';
import { runSmtpCell, type SmtpCellResult, type SmtpCellSpec } from './load.js';

export async function measureOnFreshServer(args: string[], cell: Omit<SmtpCellSpec, 'host' | 'port' | 'serverPid'>): Promise<SmtpCellResult> {
  const target = await startTarget([], args);
  try {
    return await runSmtpCell({ ...cell, host: target.host, port: target.ports.smtp!, serverPid: target.pid });
  } finally {
    await target.stop();
  }
}
