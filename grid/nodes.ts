import { compileFeeder, type CompiledFeeder } from './compile.js';
import { FEEDER_HEAD_ID, type Feeder } from './feeder.js';

/**
 * A node of the radial tree that grid-aware clearing works on: the feeder head (root) or a
 * transformer. Limits are magnitudes in kW: forward = towards the customers (the subtree imports),
 * reverse = towards the substation (the subtree exports). Shaped so it can be handed to the
 * market's grid input as it is (absent parent = root, absent limit = unlimited).
 */
export interface GridNode {
  readonly id: string;
  /** Parent node id; absent at the root. */
  readonly parent?: string;
  readonly kind: 'feeder-head' | 'transformer';
  /** Bus where the node's subtree starts: the slack bus for the head, the secondary bus for a transformer. */
  readonly bus: string;
  /** Largest import into the subtree, kW; absent = unlimited (a head without stated limits). */
  readonly maxForwardFlowKW?: number;
  /** Largest export out of the subtree, kW; absent = unlimited. */
  readonly maxReverseFlowKW?: number;
  /** Nameplate rating, kVA (transformers only). */
  readonly ratingKVA?: number;
}

/**
 * The tree of GridNodes of a feeder, parents before children: the feeder head (`feeder-head`, at
 * the slack bus, limits from `feeder.headLimits`, none when it states none), then one node per
 * transformer whose parent is the nearest transformer upstream of it, or the head.
 */
export function gridNodesFromFeeder(feeder: Feeder, compiled: CompiledFeeder = compileFeeder(feeder)): GridNode[] {
  const nodes: GridNode[] = [
    {
      id: FEEDER_HEAD_ID,
      kind: 'feeder-head',
      bus: feeder.slackBus,
      ...(feeder.headLimits === undefined ? {} : { maxForwardFlowKW: feeder.headLimits.maxForwardFlowKW, maxReverseFlowKW: feeder.headLimits.maxReverseFlowKW }),
    },
  ];
  // Compiled order puts every bus after its parent, so walking transformers by their secondary
  // bus index lists parents first.
  const order = compiled.transformers.map((_, k) => k).sort((a, b) => compiled.transformerBranch[a]! - compiled.transformerBranch[b]!);
  for (const k of order) {
    const t = compiled.transformers[k]!;
    const secondary = compiled.transformerBranch[k]!;
    const up = compiled.transformerOfBus[compiled.parent[secondary]!]!;
    nodes.push({
      id: t.id,
      parent: up === -1 ? FEEDER_HEAD_ID : compiled.transformers[up]!.id,
      kind: 'transformer',
      bus: t.to,
      maxForwardFlowKW: t.maxForwardFlowKW,
      maxReverseFlowKW: t.maxReverseFlowKW,
      ratingKVA: t.ratingKVA,
    });
  }
  return nodes;
}

/** Meter id → GridNode id (its transformer, or `feeder-head` for MV-connected meters). */
export function meterNodeMap(feeder: Feeder): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const c of feeder.connections) map.set(c.meterId, c.transformer ?? FEEDER_HEAD_ID);
  return map;
}

/** The GridNode a meter sits under, or undefined for an unknown meter. O(connections); use `meterNodeMap` in loops. */
export function nodeOfMeter(feeder: Feeder, meterId: string): string | undefined {
  const c = feeder.connections.find((x) => x.meterId === meterId);
  if (c === undefined) return undefined;
  return c.transformer ?? FEEDER_HEAD_ID;
}
