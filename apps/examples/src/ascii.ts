/** Terminal pictures of digits: a 28x28 image becomes 14 lines of 28 characters. */

const RAMP = ' .:-=+*#%@';

/**
 * Renders a grayscale image (values in 0..1, row-major) as text. Each character covers one pixel
 * column and two pixel rows, because terminal cells are about twice as tall as they are wide.
 */
export function renderImage(pixels: ArrayLike<number>, width = 28, height = 28): string[] {
  if (pixels.length !== width * height) {
    throw new RangeError(`renderImage: ${pixels.length} pixels do not make a ${width}x${height} image`);
  }
  const lines: string[] = [];
  for (let y = 0; y < height; y += 2) {
    let line = '';
    for (let x = 0; x < width; x++) {
      const a = pixels[y * width + x]!;
      const b = y + 1 < height ? pixels[(y + 1) * width + x]! : a;
      const v = Math.min(1, Math.max(0, (a + b) / 2));
      line += RAMP[Math.min(RAMP.length - 1, Math.round(v * (RAMP.length - 1)))];
    }
    lines.push(line);
  }
  return lines;
}

/** Places text blocks side by side, each padded to its widest line, separated by `gap` spaces. */
export function sideBySide(blocks: readonly (readonly string[])[], gap = 3, widthOf: (s: string) => number = (s) => [...s].length): string[] {
  const heights = blocks.map((b) => b.length);
  const widths = blocks.map((b) => Math.max(0, ...b.map(widthOf)));
  const rows = Math.max(0, ...heights);
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    out.push(
      blocks
        .map((b, i) => {
          const s = b[r] ?? '';
          return s + ' '.repeat(widths[i]! - widthOf(s));
        })
        .join(' '.repeat(gap))
        .trimEnd(),
    );
  }
  return out;
}

/** Frames a rendered image with a thin border so blank margins stay visible. */
export function framed(lines: readonly string[]): string[] {
  const w = Math.max(0, ...lines.map((l) => [...l].length));
  return [`┌${'─'.repeat(w)}┐`, ...lines.map((l) => `│${l.padEnd(w)}│`), `└${'─'.repeat(w)}┘`];
}
