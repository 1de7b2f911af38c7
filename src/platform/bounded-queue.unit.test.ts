import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';

describe('BoundedQueue', () => {
  it('hands items to a waiting consumer and holds at most `capacity` for a slow one', async () => {
    const queue = new BoundedQueue<number>(2);
    const waiting = queue.next();
    queue.push(1);
    expect(await waiting).toEqual({ value: 1, done: false });
    for (const n of [2, 3, 4, 5]) queue.push(n);
    expect(queue.dropped).toBe(2);
    expect(await queue.next()).toEqual({ value: 4, done: false });
    expect(await queue.next()).toEqual({ value: 5, done: false });
  });

  it('ends after what is queued, or fails after it', async () => {
    const ended = new BoundedQueue<number>(5);
    ended.push(1);
    ended.end();
    ended.push(2);
    expect(await ended.next()).toEqual({ value: 1, done: false });
    expect(await ended.next()).toEqual({ value: undefined, done: true });

    const failed = new BoundedQueue<number>(5);
    failed.push(1);
    failed.fail(new Error('gone'));
    expect(await failed.next()).toEqual({ value: 1, done: false });
    await expect(failed.next()).rejects.toThrow('gone');
    expect(await failed.next()).toEqual({ value: undefined, done: true });

    const failedWhileWaiting = new BoundedQueue<number>(5);
    const pending = failedWhileWaiting.next();
    failedWhileWaiting.fail(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
  });

  it('releases the producer once when the consumer stops', async () => {
    let ends = 0;
    const queue = new BoundedQueue<number>(5, () => ends++);
    const pending = queue.next();
    await queue.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    queue.end();
    expect(ends).toBe(1);
    queue.push(1);
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });
});
