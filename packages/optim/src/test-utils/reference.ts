/**
 * Reference updates written from the documented algorithms of torch.optim (the pseudo-code in each
 * optimizer's docs), one element at a time in float64, independently of the kernels under test.
 * Where torch's docs and its implementation differ in form (bias corrections folded into step
 * sizes), these follow the docs; the results agree up to rounding.
 */
type State = Record<string, number[] | number>;
type Update = (x: number[], g: number[], st: State, t: number) => void;

function arr(st: State, key: string, n: number, init = 0): number[] {
  if (st[key] === undefined) st[key] = new Array<number>(n).fill(init);
  return st[key] as number[];
}

export function sgdRef(h: { lr?: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean }): Update {
  const lr = h.lr ?? 1e-3, mu = h.momentum ?? 0, tau = h.dampening ?? 0, wd = h.weightDecay ?? 0;
  return (x, g, st, t) => {
    const b = arr(st, 'b', x.length);
    for (let i = 0; i < x.length; i++) {
      let gt = (h.maximize ? -g[i]! : g[i]!) + wd * x[i]!;
      if (mu !== 0) {
        b[i] = t > 1 ? mu * b[i]! + (1 - tau) * gt : gt;
        gt = h.nesterov ? gt + mu * b[i]! : b[i]!;
      }
      x[i] = x[i]! - lr * gt;
    }
  };
}

export function adamRef(h: { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean; maximize?: boolean; decoupled?: boolean }): Update {
  const lr = h.lr ?? 1e-3, [b1, b2] = h.betas ?? [0.9, 0.999], eps = h.eps ?? 1e-8, wd = h.weightDecay ?? 0;
  return (x, g, st, t) => {
    const m = arr(st, 'm', x.length), v = arr(st, 'v', x.length), vmax = arr(st, 'vmax', x.length);
    for (let i = 0; i < x.length; i++) {
      let gt = h.maximize ? -g[i]! : g[i]!;
      if (h.decoupled) x[i] = x[i]! - lr * wd * x[i]!;
      else gt += wd * x[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * gt;
      v[i] = b2 * v[i]! + (1 - b2) * gt * gt;
      const mHat = m[i]! / (1 - b1 ** t);
      let vHat: number;
      if (h.amsgrad) {
        vmax[i] = Math.max(vmax[i]!, v[i]!);
        vHat = vmax[i]! / (1 - b2 ** t);
      } else vHat = v[i]! / (1 - b2 ** t);
      x[i] = x[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  };
}

export function rmspropRef(h: { lr?: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean; maximize?: boolean }): Update {
  const lr = h.lr ?? 1e-2, alpha = h.alpha ?? 0.99, eps = h.eps ?? 1e-8, wd = h.weightDecay ?? 0, mu = h.momentum ?? 0;
  return (x, g, st) => {
    const v = arr(st, 'v', x.length), gAvg = arr(st, 'gAvg', x.length), b = arr(st, 'b', x.length);
    for (let i = 0; i < x.length; i++) {
      const gt = (h.maximize ? -g[i]! : g[i]!) + wd * x[i]!;
      v[i] = alpha * v[i]! + (1 - alpha) * gt * gt;
      let vTilde = v[i]!;
      if (h.centered) {
        gAvg[i] = alpha * gAvg[i]! + (1 - alpha) * gt;
        vTilde -= gAvg[i]! ** 2;
      }
      if (mu > 0) {
        b[i] = mu * b[i]! + gt / (Math.sqrt(vTilde) + eps);
        x[i] = x[i]! - lr * b[i]!;
      } else x[i] = x[i]! - (lr * gt) / (Math.sqrt(vTilde) + eps);
    }
  };
}

export function adagradRef(h: { lr?: number; lrDecay?: number; weightDecay?: number; initialAccumulatorValue?: number; eps?: number; maximize?: boolean }): Update {
  const lr = h.lr ?? 1e-2, eta = h.lrDecay ?? 0, wd = h.weightDecay ?? 0, eps = h.eps ?? 1e-10;
  return (x, g, st, t) => {
    const sum = arr(st, 'sum', x.length, h.initialAccumulatorValue ?? 0);
    const gamma = lr / (1 + (t - 1) * eta);
    for (let i = 0; i < x.length; i++) {
      const gt = (h.maximize ? -g[i]! : g[i]!) + wd * x[i]!;
      sum[i] = sum[i]! + gt * gt;
      x[i] = x[i]! - (gamma * gt) / (Math.sqrt(sum[i]!) + eps);
    }
  };
}

export function adadeltaRef(h: { lr?: number; rho?: number; eps?: number; weightDecay?: number; maximize?: boolean }): Update {
  const lr = h.lr ?? 1, rho = h.rho ?? 0.9, eps = h.eps ?? 1e-6, wd = h.weightDecay ?? 0;
  return (x, g, st) => {
    const v = arr(st, 'v', x.length), u = arr(st, 'u', x.length);
    for (let i = 0; i < x.length; i++) {
      const gt = (h.maximize ? -g[i]! : g[i]!) + wd * x[i]!;
      v[i] = v[i]! * rho + gt * gt * (1 - rho);
      const dx = (Math.sqrt(u[i]! + eps) / Math.sqrt(v[i]! + eps)) * gt;
      u[i] = u[i]! * rho + dx * dx * (1 - rho);
      x[i] = x[i]! - lr * dx;
    }
  };
}

export function adamaxRef(h: { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; maximize?: boolean }): Update {
  const lr = h.lr ?? 2e-3, [b1, b2] = h.betas ?? [0.9, 0.999], eps = h.eps ?? 1e-8, wd = h.weightDecay ?? 0;
  return (x, g, st, t) => {
    const m = arr(st, 'm', x.length), u = arr(st, 'u', x.length);
    for (let i = 0; i < x.length; i++) {
      const gt = (h.maximize ? -g[i]! : g[i]!) + wd * x[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * gt;
      u[i] = Math.max(b2 * u[i]!, Math.abs(gt) + eps);
      x[i] = x[i]! - (lr * m[i]!) / ((1 - b1 ** t) * u[i]!);
    }
  };
}

export function nadamRef(h: { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; momentumDecay?: number; decoupled?: boolean; maximize?: boolean }): Update {
  const lr = h.lr ?? 2e-3, [b1, b2] = h.betas ?? [0.9, 0.999], eps = h.eps ?? 1e-8, wd = h.weightDecay ?? 0, psi = h.momentumDecay ?? 4e-3;
  const mu = (t: number): number => b1 * (1 - 0.5 * 0.96 ** (t * psi));
  const prod = (t: number): number => { let p = 1; for (let k = 1; k <= t; k++) p *= mu(k); return p; };
  return (x, g, st, t) => {
    const m = arr(st, 'm', x.length), v = arr(st, 'v', x.length);
    for (let i = 0; i < x.length; i++) {
      let gt = h.maximize ? -g[i]! : g[i]!;
      if (h.decoupled) x[i] = x[i]! - lr * wd * x[i]!;
      else gt += wd * x[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * gt;
      v[i] = b2 * v[i]! + (1 - b2) * gt * gt;
      const mHat = (mu(t + 1) * m[i]!) / (1 - prod(t + 1)) + ((1 - mu(t)) * gt) / (1 - prod(t));
      const vHat = v[i]! / (1 - b2 ** t);
      x[i] = x[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  };
}

export function radamRef(h: { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number; decoupled?: boolean; maximize?: boolean }): Update {
  const lr = h.lr ?? 1e-3, [b1, b2] = h.betas ?? [0.9, 0.999], eps = h.eps ?? 1e-8, wd = h.weightDecay ?? 0;
  const rhoInf = 2 / (1 - b2) - 1;
  return (x, g, st, t) => {
    const m = arr(st, 'm', x.length), v = arr(st, 'v', x.length);
    const rhoT = rhoInf - (2 * t * b2 ** t) / (1 - b2 ** t);
    for (let i = 0; i < x.length; i++) {
      let gt = h.maximize ? -g[i]! : g[i]!;
      if (h.decoupled) x[i] = x[i]! - lr * wd * x[i]!;
      else gt += wd * x[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * gt;
      v[i] = b2 * v[i]! + (1 - b2) * gt * gt;
      const mHat = m[i]! / (1 - b1 ** t);
      if (rhoT > 5) {
        const l = Math.sqrt(1 - b2 ** t) / (Math.sqrt(v[i]!) + eps);
        const r = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        x[i] = x[i]! - lr * mHat * r * l;
      } else x[i] = x[i]! - lr * mHat;
    }
  };
}
