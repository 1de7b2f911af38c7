/**
 * SerialBatches: one batch in flight at a time, the next one gathering meanwhile; a lone
 * caller is sent at the next turn; a batch that never answers stops holding the others back.
 */
import { describe, expect, it } from 'vitest';
import { SerialBatches } from './serial-batches.js';

const turn = () => new Promise((r) => setImmediate(r));

describe('SerialBatches', () => {
  it('sends a batch at the next turn when none is in flight, else when the one in flight answers', async () => {
    const batches = new SerialBatches();
    const sent: string[] = [];
    let answer!: () => void;
    batches.schedule(() => {
      sent.push('first');
      void batches.track(new Promise<void>((r) => (answer = r)));
    });
    expect(sent).toEqual([]);
    await turn();
    expect(sent).toEqual(['first']);

    batches.schedule(() => sent.push('second'));
    for (let i = 0; i < 5; i++) await turn();
    expect(sent).toEqual(['first']);
    answer();
    for (let i = 0; i < 3; i++) await turn();
    expect(sent).toEqual(['first', 'second']);
  });

  it('lets the next batch go after a batch that never answers, within a second', async () => {
    const batches = new SerialBatches();
    const sent: number[] = [];
    batches.schedule(() => void batches.track(new Promise<void>(() => {})));
    await turn();
    const started = Date.now();
    batches.schedule(() => sent.push(Date.now() - started));
    await new Promise((r) => setTimeout(r, 1300));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeGreaterThanOrEqual(900);
  });

  it('a batch that sent nothing does not hold up the ones queued after it', async () => {
    const batches = new SerialBatches();
    const sent: string[] = [];
    let answer!: () => void;
    batches.schedule(() => void batches.track(new Promise<void>((r) => (answer = r))));
    await turn();
    batches.schedule(() => sent.push('answered locally'));
    batches.schedule(() => sent.push('after it'));
    answer();
    for (let i = 0; i < 5; i++) await turn();
    expect(sent).toEqual(['answered locally', 'after it']);
  });

  it('with a gather time, a batch opened with none in flight waits that long instead of a turn', async () => {
    const batches = new SerialBatches(20);
    const started = Date.now();
    let sentAfter = -1;
    batches.schedule(() => (sentAfter = Date.now() - started));
    for (let i = 0; i < 5; i++) await turn();
    expect(sentAfter).toBe(-1);
    await new Promise((r) => setTimeout(r, 40));
    expect(sentAfter).toBeGreaterThanOrEqual(15);
  });
});
