import type { Result } from '../../diagnostics.js';
import type { ContextInput, MessageContext, ProfileId } from '../context.js';
import type { Action, PayloadByAction, PayloadFor } from '../payloads.js';

/** A wire message: plain JSON, ready for `JSON.stringify`. */
export interface WireMessage {
  readonly context: Readonly<Record<string, unknown>>;
  readonly message: Readonly<Record<string, unknown>>;
}

/** A wire message read back: its context and its domain payload, discriminated by action. */
export type ParsedMessage = {
  readonly [A in Action]: {
    readonly profile: ProfileId;
    readonly action: A;
    readonly context: ContextInput;
    readonly payload: PayloadByAction[A];
  };
}[Action];

export interface ParseOptions {
  /**
   * Skip schema validation because the caller has just validated the message (the transports
   * do). Only for messages that passed `validateMessage` with this profile.
   */
  readonly assumeValid?: boolean;
}

/**
 * A wire dialect. Agents hand it domain payloads and get plain JSON; a receiver hands it JSON and
 * gets the payload back. build → parse returns the same payload (and context) in both profiles.
 */
export interface Profile {
  readonly id: ProfileId;
  /** Protocol version written in every context. */
  readonly version: string;
  /** The action as the wire and the endpoint path spell it (`rating` is `rate` in Beckn 2.0.0). */
  wireAction(action: Action): string;
  /** The protocol-neutral action of a wire action, or undefined if the profile has no such action. */
  actionOf(wireAction: string): Action | undefined;
  /** HTTP path of an action's endpoint, relative to the subscriber URI (`/init`, `/beckn/init`). */
  endpointPath(action: Action): string;
  /**
   * Builds the wire message of `action`. `context.action` must equal `action` (a programming
   * error otherwise: throws). The result is not validated; see `validateMessage`.
   */
  build<A extends Action>(action: A, context: ContextInput, payload: PayloadFor<A>): WireMessage;
  /**
   * Reads a wire message back into context and domain payload. The message is validated against
   * the profile's schemas first (unless `assumeValid`); every problem is returned at once.
   */
  parse(wire: unknown, options?: ParseOptions): Result<ParsedMessage>;
  /** The routing facts of a message (action, ids, sender, expiry) without reading its body. */
  contextOf(wire: unknown): Result<MessageContext>;
}
