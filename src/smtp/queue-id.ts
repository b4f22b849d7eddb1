/**
 * The id a message is known by in our trace header and in its 250 reply ("queued as …"), so a
 * sender's logs and the stored message can be matched. Unique within the process and roughly
 * time-ordered: the millisecond in base 36, then a wrapping counter.
 */
let counter = 0;

export function nextQueueId(nowMs: number): string {
  counter = (counter + 1) % 0x1000000;
  return `${nowMs.toString(36).toUpperCase()}${counter.toString(36).toUpperCase().padStart(5, '0')}`;
}
