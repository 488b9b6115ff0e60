import { createActor, transition, type ActorScope, type AnyStateMachine, type EventFromLogic, type InputFrom, type SnapshotFrom } from 'xstate';

/**
 * Protocol machines are pure: an agent keeps each machine's snapshot and moves it with
 * {@link step}; the machine states what should happen next by emitting effect events
 * (`emit(...)` in xstate), which the agent then carries out (sending a message, recording a
 * contract). Nothing runs inside the machine, so a transition can be tested on its own and
 * replayed without a network, a clock or an actor.
 *
 * Transitions go through the machine's own `transition` / `getInitialSnapshot` with one inert
 * actor scope per machine, reused (xstate's `transition()` helper builds a new actor, and so a new
 * initial snapshot, on every call: ten times the cost of the transition itself). The scope only
 * collects the actions a transition would run; none is executed.
 */
export interface Step<TSnapshot, TEffect> {
  readonly snapshot: TSnapshot;
  /** Effects the transition emitted, in order. */
  readonly effects: readonly TEffect[];
  /** False when the machine ignored the event (no transition was enabled). */
  readonly changed: boolean;
}

interface Action {
  readonly type: string;
  readonly params?: unknown;
}

interface InertScope {
  readonly scope: ActorScope<never, never>;
  collected: Action[];
}

const scopes = new WeakMap<AnyStateMachine, InertScope>();

/** The machine's reusable inert scope, made once from an actor that is never started. */
function scopeOf(machine: AnyStateMachine, input: unknown): InertScope {
  const hit = scopes.get(machine);
  if (hit !== undefined) return hit;
  const self = createActor(machine, { input });
  const inert: InertScope = {
    collected: [],
    scope: {
      self,
      defer: () => undefined,
      id: '',
      logger: () => undefined,
      sessionId: '',
      stopChild: () => undefined,
      system: self.system,
      emit: () => undefined,
      actionExecutor: (a: Action) => void inert.collected.push(a),
    } as unknown as ActorScope<never, never>,
  };
  scopes.set(machine, inert);
  return inert;
}

function emittedEvents<TEffect>(actions: readonly Action[]): TEffect[] {
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
  const inert = scopeOf(machine, input);
  inert.collected = [];
  const snapshot = machine.getInitialSnapshot(inert.scope as never, input) as SnapshotFrom<M>;
  const actions = inert.collected;
  inert.collected = [];
  return { snapshot, effects: emittedEvents<TEffect>(actions), changed: true };
}

/** One pure transition: the next snapshot and the effects emitted on the way. */
export function step<M extends AnyStateMachine, TEffect>(machine: M, snapshot: SnapshotFrom<M>, event: EventFromLogic<M>): Step<SnapshotFrom<M>, TEffect> {
  const inert = scopes.get(machine);
  if (inert === undefined) {
    const [next, actions] = transition(machine, snapshot, event) as [SnapshotFrom<M>, Action[]];
    return { snapshot: next, effects: emittedEvents<TEffect>(actions), changed: next !== snapshot };
  }
  inert.collected = [];
  const next = machine.transition(snapshot, event, inert.scope as never) as SnapshotFrom<M>;
  const actions = inert.collected;
  inert.collected = [];
  return { snapshot: next, effects: emittedEvents<TEffect>(actions), changed: next !== snapshot };
}
