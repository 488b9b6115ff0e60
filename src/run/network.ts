import type { Bus, NackNotice as BusNack } from '../protocol/transport/bus.js';
import type { AcceptedMessage } from '../protocol/receiver.js';
import type { ContextInput, ProfileId } from '../protocol/context.js';
import { isoDuration, isUuid, uuidForName } from '../protocol/context.js';
import { isCallback, type Action, type PayloadFor } from '../protocol/payloads.js';
import type { Profile } from '../protocol/profiles/index.js';
import { isoOf, parseIsoMs } from '../kernel/clock.js';
import type { Agent, AgentNetwork, Directory, InboundMessage, NackNotice } from './agent.js';

/** Counters a run reports about its messages. */
export interface NetworkStats {
  readonly sent: number;
  readonly refusedAtSender: number;
  readonly nacks: number;
  readonly byAction: ReadonlyMap<string, number>;
}

/**
 * The messaging layer between agents and the bus: builds each message with the scenario's
 * profile (agents hand over domain payloads only), gives it a deterministic message id and the
 * simulated timestamp, and hands it to the bus, which validates, signs and delivers it. Accepted
 * deliveries are parsed back into domain payloads for the receiving agent.
 */
export interface Network {
  /** The messaging surface of one agent. */
  forAgent(agentId: string): AgentNetwork;
  /** Connects an agent to the bus as a local endpoint. */
  attach(agent: Agent): void;
  /** Sets the simulated time at which phase handlers run. */
  setNow(ms: number): void;
  readonly stats: NetworkStats;
}

export interface NetworkOptions {
  readonly profileId: ProfileId;
  readonly profile: Profile;
  readonly domain: string;
  readonly ttlSeconds: number;
  readonly bus: Bus;
  readonly directory: Directory;
  /**
   * Wire UUID → readable key of the run's transactions. Pass one map to share what the network
   * learns with others of the same run (a mixed run's driver and its nodes exchange entries), as
   * a receiver gets a transaction's key back only if the map knows it.
   */
  readonly transactionKeys?: Map<string, string>;
}

/** Creates the network of a run. */
export function createNetwork(o: NetworkOptions): Network {
  let nowMs = 0;
  const ttl = isoDuration(o.ttlSeconds);
  const seqBySender = new Map<string, number>();
  const inboundContext = new Map<string, ContextInput>();
  const agents = new Map<string, Agent>();
  const byAction = new Map<string, number>();
  const stats = { sent: 0, refusedAtSender: 0, nacks: 0, byAction };

  // Agents name transactions with readable keys (`txn-i12-prosumer-3`); the wire carries the
  // UUID derived from the key, and inbound messages give the agent its own key back.
  const keyOfUuid = o.transactionKeys ?? new Map<string, string>();
  function wireTransactionId(key: string): string {
    if (isUuid(key)) return key;
    const id = uuidForName(`transaction/${key}`);
    keyOfUuid.set(id, key);
    return id;
  }

  function nextMessageId(sender: string): string {
    const n = (seqBySender.get(sender) ?? 0) + 1;
    seqBySender.set(sender, n);
    return uuidForName(`${sender}/${n}`);
  }

  function send(fromId: string, toId: string, action: Action, context: ContextInput, payload: unknown): void {
    const wire = o.profile.build(action, context, payload as PayloadFor<Action>);
    const r = o.bus.send({ fromId, toId, wire, atMs: nowMs });
    stats.sent++;
    byAction.set(action, (byAction.get(action) ?? 0) + 1);
    if (r.status === 'NACK') {
      stats.refusedAtSender++;
      agents.get(fromId)?.onNack?.({
        action,
        to: toId,
        transactionId: context.transactionId,
        messageId: context.messageId,
        code: r.refusal.code,
        message: r.refusal.message,
      });
    }
  }

  function forAgent(agentId: string): AgentNetwork {
    return {
      nowMs: () => nowMs,
      request(msg) {
        const action = msg.action as Action;
        const context: ContextInput = {
          domain: o.domain,
          action,
          bapId: agentId,
          bapUri: o.directory.uriOf(agentId),
          bppId: msg.to,
          bppUri: o.directory.uriOf(msg.to),
          transactionId: wireTransactionId(msg.transactionId),
          messageId: nextMessageId(agentId),
          timestamp: isoOf(nowMs),
          ttl,
        };
        send(agentId, msg.to, action, context, msg.payload);
      },
      callback(inReplyTo, action, payload) {
        const req = inboundContext.get(inReplyTo.messageId);
        if (req === undefined) throw new Error(`${agentId} answers message ${inReplyTo.messageId}, which it never received`);
        const context: ContextInput = {
          domain: req.domain,
          action: action as Action,
          bapId: req.bapId,
          bapUri: req.bapUri,
          bppId: agentId,
          bppUri: o.directory.uriOf(agentId),
          transactionId: req.transactionId,
          messageId: nextMessageId(agentId),
          timestamp: isoOf(nowMs),
          ttl,
        };
        send(agentId, req.bapId, action as Action, context, payload);
      },
    };
  }

  function attach(agent: Agent): void {
    agents.set(agent.id, agent);
    o.bus.register(
      agent.id,
      (accepted: AcceptedMessage, atMs: number) => {
        nowMs = atMs;
        const parsed = o.profile.parse(accepted.wire, { assumeValid: true });
        if (!parsed.ok) {
          // The bus validated the message against the profile's schemas; a parse failure here is a
          // profile defect, reported to the receiver as a refusal of its own.
          agent.onNack?.({ action: accepted.context.action, to: agent.id, transactionId: accepted.context.transactionId ?? '', messageId: accepted.context.messageId, code: 'SCH_INVALID_FORMAT', message: parsed.errors.map((e) => e.message).join('; ') });
          return;
        }
        const ctx = parsed.value.context;
        const callback = isCallback(ctx.action);
        if (!callback) inboundContext.set(ctx.messageId, ctx);
        const inbound: InboundMessage = {
          action: ctx.action,
          from: callback ? (ctx.bppId ?? '') : ctx.bapId,
          transactionId: keyOfUuid.get(ctx.transactionId) ?? ctx.transactionId,
          messageId: ctx.messageId,
          timestampMs: parseIsoMs(ctx.timestamp),
          payload: parsed.value.payload,
        };
        agent.onMessage(inbound);
      },
      {
        onNack(n: BusNack) {
          stats.nacks++;
          nowMs = Math.max(nowMs, n.atMs);
          const notice: NackNotice = { action: n.action, to: n.to, transactionId: '', messageId: n.messageId, code: n.refusal.code, message: n.refusal.message };
          agent.onNack?.(notice);
        },
      },
    );
  }

  return {
    forAgent,
    attach,
    setNow(ms: number) {
      nowMs = ms;
    },
    stats,
  };
}
