import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnergyContract } from '../contracts/model.js';
import type { Catalog, ContractPayload, EnergyDelivery, Payload } from '../protocol/payloads.js';
import { schemasDir } from '../protocol/validate.js';

/**
 * The six building blocks of DESIGN.md, where each slots into Beckn, and how to tell from a run's
 * messages that a use case used one: each message's domain payload is searched for the block's
 * pack (or the fields that stand for it), and every find is counted as evidence. Packs that are
 * parts of a block (Setpoint, MeterReading, … inside EnergyDelivery) or beside them (Forecast)
 * are counted too, and every field of every pack a run carries is recorded, so the docs can say
 * which fields no use case needed.
 */

export const BLOCKS = ['EnergyResource', 'EnergyOffer', 'OfferCurve', 'EnergyContract', 'GridNode', 'SettlementReport'] as const;
export type Block = (typeof BLOCKS)[number];

/** Packs the blocks are made of or travel with. */
export const SUPPORTING_PACKS = ['EnergyDelivery', 'Setpoint', 'MeterReading', 'ChargeDataRecord', 'Forecast'] as const;
export type SupportingPack = (typeof SUPPORTING_PACKS)[number];

export type Pack = Block | SupportingPack;

export interface BlockInfo {
  readonly block: Block;
  readonly title: string;
  readonly what: string;
  /** Schema file under `schemas/energy/`. */
  readonly schema: string;
  /** Where it travels in a Beckn message. */
  readonly slot: string;
}

export const BLOCK_INFO: Readonly<Record<Block, BlockInfo>> = {
  EnergyResource: {
    block: 'EnergyResource',
    title: 'EnergyResource',
    what: 'Anything with a meter or a role: PV, battery, EVSE, household, the market’s virtual meter, a portfolio. Named by its meter in contracts, setpoints and readings.',
    schema: 'EnergyResource.schema.json',
    slot: '`Item.itemAttributes` (a catalogue resource); referenced by `meterId` in role inputs, setpoints and meter readings',
  },
  EnergyOffer: {
    block: 'EnergyOffer',
    title: 'EnergyOffer',
    what: 'A catalogue entry inviting others to fill an open role of a contract (“the MCA pays PAY_AS_CLEAR”, “the utility pays for verified reduction”).',
    schema: 'EnergyOffer.schema.json',
    slot: '`Offer.offerAttributes`',
  },
  OfferCurve: {
    block: 'OfferCurve',
    title: 'OfferCurve',
    what: 'What a participant values: power (kW, + export) versus price, piecewise linear, non-decreasing.',
    schema: 'OfferCurve.schema.json',
    slot: 'a role input (`offerCurve`) of the contract',
  },
  EnergyContract: {
    block: 'EnergyContract',
    title: 'EnergyContract',
    what: 'Roles (filled or open), role inputs, parameters, input signals, telemetry sources, state and revenue flows written as formulas; PENDING → ACTIVE → COMPLETED.',
    schema: 'EnergyContract.schema.json',
    slot: '`Contract.contractAttributes` (Beckn 2.0) / `Order.orderAttributes` (order draft); the template in `EnergyOffer.contract`',
  },
  GridNode: {
    block: 'GridNode',
    title: 'GridNode',
    what: 'A transformer or the feeder head: its limits, locational price adder and offset commands.',
    schema: 'GridNode.schema.json',
    slot: '`Item.itemAttributes` (a catalogue resource); referenced by `gridNodeId` in role inputs and offers, its offsets in setpoints',
  },
  SettlementReport: {
    block: 'SettlementReport',
    title: 'Settlement report',
    what: 'The evaluated revenue flows of a contract for a period: one line per payer → payee with its formula and inputs, and per-party totals.',
    schema: 'SettlementReport.schema.json',
    slot: 'the contract’s settlements in `on_status` / `on_update`',
  },
};

/** Evidence of one block or pack in one run: messages that carry it, by how they carry it. */
export interface Evidence {
  /** Messages carrying it. */
  readonly messages: number;
  /** How it was carried, e.g. `catalogue item`, `meter in a role`, with message counts. */
  readonly ways: ReadonlyMap<string, number>;
}

/** What the messages of one run show. */
export interface BlockUsage {
  readonly packs: ReadonlyMap<Pack, Evidence>;
  /** Fields seen per pack, across the run. */
  readonly fields: ReadonlyMap<Pack, ReadonlySet<string>>;
}

/** Accumulates evidence over messages. */
export class BlockScan {
  private readonly ways = new Map<Pack, Map<string, number>>();
  private readonly counts = new Map<Pack, number>();
  private readonly fields = new Map<Pack, Set<string>>();

  /** Reads one message's domain payload. */
  add(payload: Payload): void {
    const seen = new Map<Pack, Set<string>>();
    const mark = (pack: Pack, way: string, obj?: object): void => {
      let s = seen.get(pack);
      if (s === undefined) seen.set(pack, (s = new Set()));
      s.add(way);
      if (obj !== undefined) {
        let f = this.fields.get(pack);
        if (f === undefined) this.fields.set(pack, (f = new Set()));
        for (const k of Object.keys(obj)) f.add(k);
      }
    };
    if (payload.kind === 'catalog') for (const c of payload.catalogs) this.catalog(c, mark);
    if (payload.kind === 'contract') this.contractPayload(payload, mark);
    for (const [pack, ways] of seen) {
      this.counts.set(pack, (this.counts.get(pack) ?? 0) + 1);
      let w = this.ways.get(pack);
      if (w === undefined) this.ways.set(pack, (w = new Map()));
      for (const way of ways) w.set(way, (w.get(way) ?? 0) + 1);
    }
  }

  /** The evidence gathered so far. */
  usage(): BlockUsage {
    const packs = new Map<Pack, Evidence>();
    for (const [pack, n] of this.counts) packs.set(pack, { messages: n, ways: new Map([...(this.ways.get(pack) ?? new Map<string, number>())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) });
    return { packs, fields: new Map([...this.fields].map(([p, s]) => [p, new Set([...s].sort())])) };
  }

  private catalog(c: Catalog, mark: (pack: Pack, way: string, obj?: object) => void): void {
    for (const r of c.resources) {
      const a = r.attributes;
      if (a.type === 'EnergyResource') mark('EnergyResource', 'catalogue item', a.value);
      else if (a.type === 'GridNode') mark('GridNode', 'catalogue item', a.value);
      else mark('Forecast', 'catalogue item', a.value);
    }
    for (const o of c.offers) {
      mark('EnergyOffer', 'catalogue offer', o.attributes);
      if (o.attributes.gridNodeId !== undefined) mark('GridNode', 'node of an offer');
      if (o.attributes.contract !== undefined) this.contract(o.attributes.contract, 'template in an offer', mark);
    }
  }

  private contractPayload(p: ContractPayload, mark: (pack: Pack, way: string, obj?: object) => void): void {
    this.contract(p.contract, 'contract', mark);
    if (p.delivery !== undefined) this.delivery(p.delivery, mark);
    if (p.settlement !== undefined) mark('SettlementReport', 'settlement of the contract', p.settlement);
  }

  private contract(c: EnergyContract, way: string, mark: (pack: Pack, way: string, obj?: object) => void): void {
    mark('EnergyContract', way, c);
    for (const r of c.roles) {
      const inputs = r.roleInputs ?? {};
      const curve = inputs['offerCurve'];
      if (curve !== null && typeof curve === 'object') mark('OfferCurve', `${r.role} role input`, curve);
      if (typeof inputs['meterId'] === 'string') mark('EnergyResource', 'meter in a role');
      if (typeof inputs['gridNodeId'] === 'string') mark('GridNode', 'node in a role');
    }
  }

  private delivery(d: EnergyDelivery, mark: (pack: Pack, way: string, obj?: object) => void): void {
    mark('EnergyDelivery', 'delivery of the contract', d);
    for (const s of d.setpoints ?? []) {
      mark('Setpoint', s.commands?.map((c) => (c.standard === 'OCPP' ? 'OCPP SetChargingProfile' : 'IEEE 2030.5 DERControl')).join(', ') || 'setpoint', s);
      mark('EnergyResource', 'setpoint target');
      if ((s.offsetKW ?? 0) !== 0) mark('GridNode', 'offset command');
    }
    for (const r of d.meterReadings ?? []) {
      mark('MeterReading', 'meter reading', r);
      mark('EnergyResource', 'meter reading');
    }
    for (const c of d.chargeDataRecords ?? []) {
      mark('ChargeDataRecord', 'charge data record', c);
      mark('EnergyResource', 'charge data record');
    }
  }
}

/** Property names a pack's schema defines (its own and those of local definitions it composes), without JSON-LD's @context and @type. */
export function schemaFields(pack: Pack): readonly string[] {
  const file = join(schemasDir(), 'energy', `${pack}.schema.json`);
  type Node = { readonly properties?: Readonly<Record<string, unknown>>; readonly allOf?: readonly { readonly $ref?: string }[]; readonly $defs?: Readonly<Record<string, Node>> };
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Node;
  const names = new Set(Object.keys(schema.properties ?? {}));
  for (const part of schema.allOf ?? []) {
    const m = /^#\/\$defs\/(.+)$/.exec(part.$ref ?? '');
    const def = m === null ? undefined : schema.$defs?.[m[1]!];
    for (const k of Object.keys(def?.properties ?? {})) names.add(k);
  }
  return [...names].filter((k) => !k.startsWith('@')).sort();
}
