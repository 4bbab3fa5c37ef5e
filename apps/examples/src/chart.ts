/**
 * The training-curve chart: a self-contained SVG (no scripts, no external fonts) with two panels,
 * loss and accuracy against the epoch, so it opens in any browser or image viewer.
 */

export interface StepPoint {
  /** Fractional epoch: 1.5 is half-way through the second epoch. */
  readonly epoch: number;
  readonly loss: number;
}

export interface EpochPoint {
  /** 1-based epoch number (the point is drawn at the end of the epoch). */
  readonly epoch: number;
  readonly trainLoss: number;
  readonly trainAccuracy?: number;
  readonly testLoss?: number;
  readonly testAccuracy?: number;
}

export interface TrainingHistory {
  steps: StepPoint[];
  epochs: EpochPoint[];
}

export function emptyHistory(): TrainingHistory {
  return { steps: [], epochs: [] };
}

/** About `count` round tick values covering [min, max] (steps of 1, 2 or 5 times a power of ten). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const start = Math.floor(min / step + 1e-9) * step;
  const end = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = start; v <= end + step * 1e-6; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

interface Series {
  readonly label: string;
  readonly color: string;
  readonly points: readonly (readonly [number, number])[];
  readonly markers: boolean;
  readonly width: number;
  readonly opacity?: number;
}

interface Panel {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly yFormat: (v: number) => string;
  readonly yClamp?: readonly [number, number];
}

const W = 460;
const H = 320;
const M = { left: 58, right: 16, top: 38, bottom: 64 };

function fmtTick(v: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return v.toFixed(Math.min(6, decimals));
}

function renderPanel(panel: Panel, xMax: number, dx: number): string {
  const all = panel.series.flatMap((s) => s.points);
  const parts: string[] = [];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  parts.push(`<g transform="translate(${dx},0)">`);
  parts.push(`<text x="${M.left}" y="24" class="title">${escapeXml(panel.title)}</text>`);
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" class="frame"/>`);
  if (all.length === 0) {
    parts.push(`<text x="${M.left + pw / 2}" y="${M.top + ph / 2}" class="empty" text-anchor="middle">no data yet</text></g>`);
    return parts.join('\n');
  }
  let yMin = Math.min(...all.map((p) => p[1]));
  let yMax = Math.max(...all.map((p) => p[1]));
  if (panel.yClamp !== undefined) {
    yMin = Math.max(panel.yClamp[0], yMin);
    yMax = Math.min(panel.yClamp[1], yMax);
  }
  const yTicks = niceTicks(yMin, yMax, 5);
  const y0 = yTicks[0]!;
  const y1 = yTicks[yTicks.length - 1]!;
  const xTicks = niceTicks(0, xMax, Math.min(8, Math.max(1, Math.ceil(xMax))));
  const x1 = xTicks[xTicks.length - 1]!;
  const sx = (x: number) => M.left + (x / x1) * pw;
  const sy = (y: number) => M.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 1;
  const xStep = xTicks.length > 1 ? xTicks[1]! - xTicks[0]! : 1;
  for (const t of yTicks) {
    const y = sy(t).toFixed(1);
    parts.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${y}" y2="${y}" class="grid"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y}" class="tick" text-anchor="end" dominant-baseline="middle">${escapeXml(panel.yFormat(Number(fmtTick(t, yStep))))}</text>`);
  }
  for (const t of xTicks) {
    const x = sx(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${M.top}" y2="${M.top + ph}" class="grid"/>`);
    parts.push(`<text x="${x}" y="${M.top + ph + 16}" class="tick" text-anchor="middle">${fmtTick(t, xStep)}</text>`);
  }
  parts.push(`<text x="${M.left + pw / 2}" y="${M.top + ph + 34}" class="axis" text-anchor="middle">epoch</text>`);
  parts.push(`<text x="14" y="${M.top + ph / 2}" class="axis" text-anchor="middle" transform="rotate(-90 14 ${M.top + ph / 2})">${escapeXml(panel.yLabel)}</text>`);
  const clampY = (y: number) => Math.min(y1, Math.max(y0, y));
  let legendX = M.left;
  for (const s of panel.series) {
    if (s.points.length === 0) continue;
    const pts = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(clampY(y)).toFixed(1)}`);
    const op = s.opacity !== undefined ? ` stroke-opacity="${s.opacity}"` : '';
    parts.push(`<polyline class="series" data-series="${escapeXml(s.label)}" points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.width}"${op} stroke-linejoin="round"/>`);
    if (s.markers) {
      for (const p of pts) {
        const [x, y] = p.split(',');
        parts.push(`<circle cx="${x}" cy="${y}" r="3" fill="${s.color}"/>`);
      }
    }
    const ly = H - 14;
    parts.push(`<line x1="${legendX}" x2="${legendX + 16}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"/>`);
    parts.push(`<text x="${legendX + 20}" y="${ly}" class="legend">${escapeXml(s.label)}</text>`);
    legendX += 28 + s.label.length * 6.6;
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** The chart as an SVG document. `title` heads it (e.g. `tsgrad · MNIST mlp · adam lr 0.001`). */
export function renderTrainingChart(history: TrainingHistory, title: string): string {
  const xMax = Math.max(1, ...history.epochs.map((e) => e.epoch), ...history.steps.map((s) => s.epoch));
  const ep = history.epochs;
  const pick = (f: (e: EpochPoint) => number | undefined): [number, number][] =>
    ep.filter((e) => f(e) !== undefined && Number.isFinite(f(e)!)).map((e) => [e.epoch, f(e)!]);
  const lossPanel: Panel = {
    title: 'Loss',
    yLabel: 'cross-entropy',
    yFormat: (v) => String(v),
    series: [
      { label: 'train (per step)', color: '#9ecae1', points: history.steps.map((s) => [s.epoch, s.loss]), markers: false, width: 1.2, opacity: 0.9 },
      { label: 'train (epoch)', color: '#1f77b4', points: pick((e) => e.trainLoss), markers: true, width: 2 },
      { label: 'test', color: '#d62728', points: pick((e) => e.testLoss), markers: true, width: 2 },
    ],
  };
  const accPanel: Panel = {
    title: 'Accuracy',
    yLabel: 'accuracy',
    yFormat: (v) => `${Number((v * 100).toFixed(2))}%`,
    yClamp: [0, 1],
    series: [
      { label: 'train', color: '#1f77b4', points: pick((e) => e.trainAccuracy), markers: true, width: 2 },
      { label: 'test', color: '#d62728', points: pick((e) => e.testAccuracy), markers: true, width: 2 },
    ],
  };
  const hasAcc = accPanel.series.some((s) => s.points.length > 0);
  const width = hasAcc ? 2 * W : W;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 30}" viewBox="0 0 ${width} ${H + 30}" font-family="Helvetica, Arial, sans-serif">`,
    `<style>.title{font-size:15px;font-weight:bold;fill:#222}.tick{font-size:11px;fill:#555}.axis{font-size:12px;fill:#333}` +
      `.legend{font-size:11px;fill:#333}.grid{stroke:#e6e6e6;stroke-width:1}.frame{fill:none;stroke:#999}.empty{font-size:13px;fill:#888}.head{font-size:13px;fill:#444}</style>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${M.left}" y="${H + 22}" class="head">${escapeXml(title)}</text>`,
    renderPanel(lossPanel, xMax, 0),
    hasAcc ? renderPanel(accPanel, xMax, W) : '',
    `</svg>`,
    '',
  ].join('\n');
}
