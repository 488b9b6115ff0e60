import { initialTransition, transition, type AnyStateMachine, type EventFromLogic, type InputFrom, type SnapshotFrom } from 'xstate';

/**
 * Protocol machines are pure: an agent keeps each machine's snapshot and moves it with
 * {@link step}; the machine states what should happen next by emitting effect events
 * (`emit(...)` in xstate), which the agent then carries out (sending a message, recording a
 * contract). Nothing runs inside the machine, so a transition can be tested on its own and
 * replayed without a network, a clock or an actor.
 */
export interface Step<TSnapshot, TEffect> {
  readonly snapshot: TSnapshot;
  /** Effects the transition emitted, in order. */
  readonly effects: readonly TEffect[];
  /** False when the machine ignored the event (no transition was enabled). */
  readonly changed: boolean;
}

function emittedEvents<TEffect>(actions: readonly { readonly type: string; readonly params?: unknown }[]): TEffect[] {
  const out: TEffect[] = [];
  for (const a of actions) {
    if (a.type !== 'xstate.emit') continue;
    const params = a.params as { readonly event?: TEffect } | undefined;
    if (params?.event !== undefined) out.push(params.event);
  }
  return out;
}

/** The machine's first snapshot (and the effects of its entry actions) for `input`. */
export function start<M extends AnyStateMachine, TEffect>(machine: M, input: InputFrom<M>): Step<SnapshotFrom<M>, TEffect> {
  const [snapshot, actions] = (initialTransition as (m: M, i: InputFrom<M>) => [SnapshotFrom<M>, { type: string; params?: unknown }[]])(machine, input);
  return { snapshot, effects: emittedEvents<TEffect>(actions), changed: true };
}

/** One pure transition: the next snapshot and the effects emitted on the way. */
export function step<M extends AnyStateMachine, TEffect>(machine: M, snapshot: SnapshotFrom<M>, event: EventFromLogic<M>): Step<SnapshotFrom<M>, TEffect> {
  const [next, actions] = transition(machine, snapshot, event) as [SnapshotFrom<M>, { type: string; params?: unknown }[]];
  return { snapshot: next, effects: emittedEvents<TEffect>(actions), changed: next !== snapshot };
}
