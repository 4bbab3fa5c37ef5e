import { type Output, paint } from './term.js';

/** counts[t][p]: how many samples of true class t were predicted as p. */
export class ConfusionMatrix {
  readonly counts: number[][];

  constructor(readonly classes: readonly string[]) {
    this.counts = classes.map(() => classes.map(() => 0));
  }

  add(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>): void {
    if (trueLabels.length !== predicted.length) {
      throw new RangeError(`confusion matrix: ${trueLabels.length} labels but ${predicted.length} predictions`);
    }
    const k = this.classes.length;
    for (let i = 0; i < trueLabels.length; i++) {
      const t = trueLabels[i]!;
      const p = predicted[i]!;
      if (!(t >= 0 && t < k && p >= 0 && p < k)) throw new RangeError(`confusion matrix: class out of range (true ${t}, predicted ${p}, ${k} classes)`);
      this.counts[t]![p]!++;
    }
  }

  get total(): number {
    return this.counts.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  }

  get correct(): number {
    return this.counts.reduce((s, row, i) => s + row[i]!, 0);
  }

  accuracy(): number {
    return this.total === 0 ? 0 : this.correct / this.total;
  }

  /** Recall of each class: correct / samples of that class (NaN for a class with no samples). */
  recall(): number[] {
    return this.counts.map((row, i) => {
      const n = row.reduce((a, b) => a + b, 0);
      return n === 0 ? NaN : row[i]! / n;
    });
  }

  /** The most frequent mistakes, largest first: [true, predicted, count]. */
  topConfusions(n: number): [number, number, number][] {
    const pairs: [number, number, number][] = [];
    this.counts.forEach((row, t) => row.forEach((c, p) => { if (t !== p && c > 0) pairs.push([t, p, c]); }));
    pairs.sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1]);
    return pairs.slice(0, n);
  }

  /**
   * A table with true classes as rows and predictions as columns, the diagonal highlighted, each
   * row's recall at the end, and the most common confusions underneath.
   */
  render(out: Output): string {
    const k = this.classes.length;
    const labelW = Math.max(6, ...this.classes.map((c) => c.length));
    const cellW = Math.max(4, ...this.counts.flat().map((c) => String(c).length + 1), ...this.classes.map((c) => Math.min(c.length, 8) + 1));
    const short = (c: string) => (c.length > cellW - 1 ? c.slice(0, cellW - 1) : c);
    const lines: string[] = [];
    lines.push(`${' '.repeat(labelW)}   ${paint(out, 'dim', 'predicted →')}`);
    lines.push(`${'true ↓'.padEnd(labelW)} │${this.classes.map((c) => short(c).padStart(cellW)).join('')} │ recall`);
    lines.push(`${'─'.repeat(labelW + 1)}┼${'─'.repeat(cellW * k + 1)}┼${'─'.repeat(8)}`);
    const recall = this.recall();
    this.counts.forEach((row, t) => {
      const cells = row
        .map((c, p) => {
          const text = String(c).padStart(cellW);
          if (p === t) return paint(out, 'green', paint(out, 'bold', text));
          if (c === 0) return paint(out, 'gray', text);
          return paint(out, 'red', text);
        })
        .join('');
      const r = Number.isNaN(recall[t]!) ? '   -' : `${(recall[t]! * 100).toFixed(1)}%`;
      lines.push(`${this.classes[t]!.padEnd(labelW)} │${cells} │ ${r.padStart(6)}`);
    });
    const top = this.topConfusions(3);
    if (top.length > 0) {
      lines.push('');
      lines.push(`most confused: ${top.map(([t, p, c]) => `${this.classes[t]} → ${this.classes[p]} (${c})`).join(', ')}`);
    }
    return lines.join('\n') + '\n';
  }
}
