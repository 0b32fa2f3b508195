/** Koji task states (koji.TASK_STATES) and the words kplay shows for them. */
export const KOJI_TASK_STATES = {
  FREE: 0,
  OPEN: 1,
  CLOSED: 2,
  CANCELED: 3,
  ASSIGNED: 4,
  FAILED: 5,
} as const;

export type TaskStateWord = 'waiting' | 'running' | 'succeeded' | 'canceled' | 'assigned' | 'failed' | 'unknown';

const WORDS: Record<number, TaskStateWord> = {
  0: 'waiting',
  1: 'running',
  2: 'succeeded',
  3: 'canceled',
  4: 'assigned',
  5: 'failed',
};

export function taskStateWord(state: number): TaskStateWord {
  return WORDS[state] ?? 'unknown';
}

/** CLOSED, CANCELED and FAILED end a task; FREE, OPEN and ASSIGNED do not. */
export function isTaskFinished(state: number): boolean {
  return state === KOJI_TASK_STATES.CLOSED || state === KOJI_TASK_STATES.CANCELED || state === KOJI_TASK_STATES.FAILED;
}
