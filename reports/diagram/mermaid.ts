import type { Diagram } from './build.js';

/**
 * Escapes text for a Mermaid participant label, message or note: `;` ends a statement and `#`
 * starts an entity, `<`/`>` would be read as HTML, so they become entity codes; line breaks become spaces.
 */
export function escapeMermaid(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[#;<>]/g, (c) => `#${c.charCodeAt(0)};`);
}

export interface MermaidOptions {
  /** Number the arrows (`autonumber`); default true. */
  readonly autonumber?: boolean;
  /** Wrap in a ```mermaid fence for Markdown; default false. */
  readonly fenced?: boolean;
}

/**
 * Mermaid `sequenceDiagram` text that GitHub renders: `participant` declarations with aliases,
 * `->>` for requests, `-->>` for callbacks, `-x` / `--x` when every merged message was NACKed,
 * `Note over` for notes. Ends with a newline.
 */
export function toMermaid(diagram: Diagram, opts: MermaidOptions = {}): string {
  const lines: string[] = ['sequenceDiagram'];
  if (opts.autonumber !== false) lines.push('  autonumber');
  for (const l of diagram.lifelines) lines.push(`  participant ${l.id} as ${escapeMermaid(l.label)}`);
  for (const s of diagram.steps) {
    if (s.type === 'note') {
      lines.push(`  Note over ${s.over.join(',')}: ${escapeMermaid(s.text)}`);
      continue;
    }
    const failed = s.nackCount > 0 && s.nackCount === s.count;
    const arrow = s.direction === 'request' ? (failed ? '-x' : '->>') : failed ? '--x' : '-->>';
    lines.push(`  ${s.from}${arrow}${s.to}: ${escapeMermaid(s.label)}`);
  }
  const text = `${lines.join('\n')}\n`;
  return opts.fenced === true ? `\`\`\`mermaid\n${text}\`\`\`\n` : text;
}
