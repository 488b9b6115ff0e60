import type { ArrowStep, Diagram, Lifeline, NoteStep } from './build.js';
import type { LifelineRole } from './roles.js';

export interface SvgOptions {
  /** Prefix of the ids inside the SVG (markers), so several diagrams can share one HTML page. Default `sd`. */
  readonly idPrefix?: string;
  /** Number the arrows; default true (matches the Mermaid `autonumber`). */
  readonly autonumber?: boolean;
}

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif";
const LABEL_PX = 13;
const HEAD_PX = 14;
const MARGIN = 20;
const HEAD_H = 38;
const ARROW_ROW = 38;
const SELF_ROW = 50;
const NOTE_ROW = 38;
const BADGE_R = 9;

const PALETTE: Readonly<Record<LifelineRole, { readonly fill: string; readonly stroke: string }>> = {
  participant: { fill: '#eaf2fb', stroke: '#3d6a9e' },
  network: { fill: '#f2f2f2', stroke: '#6e7781' },
  mca: { fill: '#fff1dc', stroke: '#b86200' },
  utility: { fill: '#e7f5e9', stroke: '#2e7d32' },
};
const REQUEST_COLOR = '#24292f';
const CALLBACK_COLOR = '#57606a';
const NACK_COLOR = '#cf222e';
/** A white outline under label text so it stays legible where it crosses a lifeline. */
const HALO = ' stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"';

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Width in px of `text` at `px` font size, estimated from character classes of common sans-serif
 * faces (slightly generous, so labels never overflow their boxes). Deterministic: no font metrics.
 */
export function textWidth(text: string, px: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if ('il.,:;|!\'`·'.includes(ch)) em += 0.3;
    else if ('fjrtI()[] '.includes(ch)) em += 0.38;
    else if ('mwMW…'.includes(ch)) em += 0.9;
    else if (ch >= 'A' && ch <= 'Z') em += 0.7;
    else if (ch >= '0' && ch <= '9') em += 0.6;
    else em += 0.6;
  }
  return em * px * (bold ? 1.08 : 1);
}

function n1(x: number): string {
  const s = x.toFixed(1).replace(/\.0$/, '');
  return s === '-0' ? '0' : s;
}

/**
 * Draws a diagram as a standalone SVG document fragment (`<svg>…</svg>`) with our own layout:
 * lifeline boxes top and bottom, dashed lifelines, solid request arrows and dashed callbacks with
 * the label above the line, self-messages as loops, notes as boxes. Column gaps grow to fit the
 * widest label between two lifelines. Attributes only (no `<style>`), so it can be inlined in HTML
 * without leaking styles. Same diagram ⇒ same bytes.
 */
export function toSvg(diagram: Diagram, opts: SvgOptions = {}): string {
  const prefix = (opts.idPrefix ?? 'sd').replace(/[^A-Za-z0-9_-]/g, '_');
  const numbered = opts.autonumber !== false;
  const lanes = diagram.lifelines;
  const index = new Map<string, number>(lanes.map((l, i) => [l.id, i]));
  const boxW = lanes.map((l) => Math.max(96, textWidth(l.label, HEAD_PX, true) + 28));

  // Horizontal layout: minimal gaps, widened to fit the labels that span them.
  const gaps = lanes.slice(1).map((_, i) => (boxW[i] ?? 0) / 2 + (boxW[i + 1] ?? 0) / 2 + 28);
  let rightExtra = 0;
  const badge = numbered ? 2 * BADGE_R + 6 : 0;
  for (const s of diagram.steps) {
    if (s.type !== 'arrow') continue;
    const a = index.get(s.from) ?? 0;
    const b = index.get(s.to) ?? 0;
    const need = textWidth(s.label, LABEL_PX) + 24 + badge;
    if (a === b) {
      const loopNeed = 40 + textWidth(s.label, LABEL_PX) + 16;
      if (a < gaps.length) gaps[a] = Math.max(gaps[a] ?? 0, loopNeed + 16);
      else rightExtra = Math.max(rightExtra, loopNeed);
      continue;
    }
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    let have = 0;
    for (let i = lo; i < hi; i++) have += gaps[i] ?? 0;
    if (have < need) {
      const add = (need - have) / (hi - lo);
      for (let i = lo; i < hi; i++) gaps[i] = (gaps[i] ?? 0) + add;
    }
  }
  const xs: number[] = [];
  let x = MARGIN + (boxW[0] ?? 96) / 2;
  for (let i = 0; i < lanes.length; i++) {
    xs.push(x);
    x += gaps[i] ?? 0;
  }
  const laneX = (id: string): number => xs[index.get(id) ?? 0] ?? MARGIN;

  // Notes may be wider than their lifelines: shift everything right if one pokes out on the left.
  let minX = MARGIN;
  let maxX = (xs[xs.length - 1] ?? MARGIN) + (boxW[lanes.length - 1] ?? 96) / 2 + rightExtra;
  for (const s of diagram.steps) {
    if (s.type !== 'note') continue;
    const [l, r] = noteSpan(s, laneX);
    minX = Math.min(minX, l);
    maxX = Math.max(maxX, r);
  }
  const shift = MARGIN - minX;
  for (let i = 0; i < xs.length; i++) xs[i] = (xs[i] ?? 0) + shift;
  const titleW = textWidth(diagram.title, 15, true);
  const width = Math.max(maxX + shift + MARGIN, MARGIN * 2 + titleW);

  const parts: string[] = [];
  const top = MARGIN + 26;
  let y = top + HEAD_H + 14;
  let number = 0;
  for (const s of diagram.steps) {
    if (s.type === 'note') {
      parts.push(drawNote(s, y, laneX));
      y += NOTE_ROW;
    } else {
      number++;
      const self = s.from === s.to;
      parts.push(drawArrow(s, y, laneX, prefix, numbered ? number : undefined));
      y += self ? SELF_ROW : ARROW_ROW;
    }
  }
  const bottom = y + 10;
  const height = bottom + HEAD_H + MARGIN;

  const lifelineParts = lanes.map((_l, i) => {
    const cx = xs[i] ?? 0;
    return `<line x1="${n1(cx)}" y1="${n1(top + HEAD_H)}" x2="${n1(cx)}" y2="${n1(bottom)}" stroke="#8c959f" stroke-width="1" stroke-dasharray="4 4"/>`;
  });
  const heads = lanes.flatMap((l, i) => [drawHead(l, xs[i] ?? 0, boxW[i] ?? 96, top), drawHead(l, xs[i] ?? 0, boxW[i] ?? 96, bottom)]);

  const W = n1(width);
  const H = n1(height);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${prefix}-title" font-family="${escapeXml(FONT)}" data-arrows="${number}">`,
    `<title id="${prefix}-title">${escapeXml(diagram.title)}</title>`,
    '<defs>',
    `<marker id="${prefix}-head-req" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${REQUEST_COLOR}"/></marker>`,
    `<marker id="${prefix}-head-cb" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${CALLBACK_COLOR}"/></marker>`,
    `<marker id="${prefix}-cross" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="10" markerHeight="10" orient="auto"><path d="M1,1 L9,9 M9,1 L1,9" stroke="${NACK_COLOR}" stroke-width="2"/></marker>`,
    '</defs>',
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 8}" font-size="15" font-weight="600" fill="#24292f">${escapeXml(diagram.title)}</text>`,
    ...lifelineParts,
    ...heads,
    ...parts,
    '</svg>',
  ].join('\n');
}

function noteSpan(s: NoteStep, laneX: (id: string) => number): [number, number] {
  const centers = s.over.map(laneX);
  const lo = Math.min(...centers);
  const hi = Math.max(...centers);
  const w = Math.max(textWidth(s.text, LABEL_PX) + 20, hi - lo + 40);
  const mid = (lo + hi) / 2;
  return [mid - w / 2, mid + w / 2];
}

function drawHead(l: Lifeline, cx: number, w: number, y: number): string {
  const c = PALETTE[l.role];
  return [
    `<g data-lifeline="${escapeXml(l.id)}">`,
    `<rect x="${n1(cx - w / 2)}" y="${n1(y)}" width="${n1(w)}" height="${HEAD_H}" rx="6" fill="${c.fill}" stroke="${c.stroke}" stroke-width="1.5"/>`,
    `<text x="${n1(cx)}" y="${n1(y + HEAD_H / 2 + 5)}" text-anchor="middle" font-size="${HEAD_PX}" font-weight="600" fill="#1f2328">${escapeXml(l.label)}</text>`,
    '</g>',
  ].join('');
}

function drawNote(s: NoteStep, y: number, laneX: (id: string) => number): string {
  const [l, r] = noteSpan(s, laneX);
  return [
    '<g class="note">',
    `<rect x="${n1(l)}" y="${n1(y + 4)}" width="${n1(r - l)}" height="26" rx="3" fill="#fff8c5" stroke="#d4a72c" stroke-width="1"/>`,
    `<text x="${n1((l + r) / 2)}" y="${n1(y + 21)}" text-anchor="middle" font-size="${LABEL_PX}" fill="#3b2300">${escapeXml(s.text)}</text>`,
    '</g>',
  ].join('');
}

function drawArrow(s: ArrowStep, y: number, laneX: (id: string) => number, prefix: string, number: number | undefined): string {
  const failed = s.nackCount > 0 && s.nackCount === s.count;
  const color = failed ? NACK_COLOR : s.direction === 'request' ? REQUEST_COLOR : CALLBACK_COLOR;
  const dash = s.direction === 'callback' ? ' stroke-dasharray="6 4"' : '';
  const end = failed ? `url(#${prefix}-cross)` : `url(#${prefix}-head-${s.direction === 'request' ? 'req' : 'cb'})`;
  const x1 = laneX(s.from);
  const x2 = laneX(s.to);
  const tooltip = `${s.label}${s.messageIds.length > 0 ? `\n${s.messageIds.slice(0, 5).join('\n')}${s.messageIds.length > 5 ? `\n… ${s.messageIds.length - 5} more` : ''}` : ''}`;
  const out: string[] = [`<g class="arrow" data-action="${escapeXml(s.action)}" data-count="${s.count}"><title>${escapeXml(tooltip)}</title>`];
  const lineY = y + 24;
  const badgeGap = number === undefined ? 0 : BADGE_R + 2;
  if (x1 === x2) {
    const loopW = 40;
    out.push(
      `<path d="M${n1(x1 + badgeGap)},${n1(lineY)} H${n1(x1 + loopW)} V${n1(lineY + 16)} H${n1(x1 + 2)}" fill="none" stroke="${color}" stroke-width="1.5"${dash} marker-end="${end}"/>`,
      `<text x="${n1(x1 + loopW + 8)}" y="${n1(lineY + 12)}" font-size="${LABEL_PX}" fill="#1f2328"${HALO}>${escapeXml(s.label)}</text>`,
    );
  } else {
    const dir = x2 > x1 ? 1 : -1;
    out.push(
      `<line x1="${n1(x1 + dir * badgeGap)}" y1="${n1(lineY)}" x2="${n1(x2 - dir * 1)}" y2="${n1(lineY)}" stroke="${color}" stroke-width="1.5"${dash} marker-end="${end}"/>`,
      `<text x="${n1((x1 + x2) / 2 + (dir * badgeGap) / 2)}" y="${n1(lineY - 7)}" text-anchor="middle" font-size="${LABEL_PX}" fill="#1f2328"${HALO}>${escapeXml(s.label)}</text>`,
    );
  }
  if (number !== undefined) {
    out.push(
      `<circle cx="${n1(x1)}" cy="${n1(lineY)}" r="${BADGE_R}" fill="${color}"/>`,
      `<text x="${n1(x1)}" y="${n1(lineY + 3.5)}" text-anchor="middle" font-size="10" font-weight="600" fill="#ffffff">${number}</text>`,
    );
  }
  out.push('</g>');
  return out.join('');
}
