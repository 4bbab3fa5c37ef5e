import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { Tensor, tensor, zeros, ones, manualSeed, assertClose } from '@tsgrad/tensor';
import * as nn from './index.js';
import { Module, Parameter, Sequential, ModuleList, ModuleDict, Linear, ReLU, BatchNorm1d, countParameters } from './index.js';

class Block extends Module {
  fc1 = new Linear(4, 3);
  act = new ReLU();
  fc2 = new Linear(3, 2, { bias: false });
  scale = new Parameter(ones([2]));

  constructor() {
    super();
    this.registerBuffer('steps', zeros([1]));
    this.registerBuffer('scratch', zeros([2]), { persistent: false });
  }

  forward(x: Tensor): Tensor {
    return this.fc2.call(this.act.call(this.fc1.call(x))).mul(this.scale);
  }
}

describe('Module registration and traversal', () => {
  it('discovers fields in declaration order, with dotted names (own members first, as PyTorch)', () => {
    const b = new Block();
    expect(b.namedParameters().map(([n]) => n)).toEqual(['scale', 'fc1.weight', 'fc1.bias', 'fc2.weight']);
    expect(Object.keys(b.stateDict())).toEqual(['scale', 'steps', 'fc1.weight', 'fc1.bias', 'fc2.weight']);
    const local = b.localMembers();
    expect(local.parameters.map(([n]) => n)).toEqual(['scale']);
    expect(local.children.map(([n]) => n)).toEqual(['fc1', 'act', 'fc2']);
    expect(b.namedBuffers().map(([n]) => n)).toEqual(['steps', 'scratch']);
    expect(b.namedModules().map(([n]) => n)).toEqual(['', 'fc1', 'act', 'fc2']);
    expect(b.children()).toEqual([b.fc1, b.act, b.fc2]);
    expect(b.parameters({ recurse: false })).toEqual([b.scale]);
    expect(b.getSubmodule('fc2')).toBe(b.fc2);
    expect(() => b.getSubmodule('fc3')).toThrow(/no submodule "fc3"/);
  });

  it('follows reassignment and null-ing of fields', () => {
    const lin = new Linear(2, 2);
    lin.bias = null;
    expect(lin.namedParameters().map(([n]) => n)).toEqual(['weight']);
    const w = new Parameter(zeros([2, 2]));
    lin.weight = w;
    expect(lin.parameters()[0]).toBe(w);
  });

  it('lists a shared parameter or module once, but the state dict under every name (tied weights)', () => {
    const shared = new Linear(2, 2);
    const seq = new Sequential(shared, new ReLU(), shared);
    expect(seq.parameters()).toHaveLength(2);
    expect(seq.modules()).toHaveLength(3);
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  it('rejects bad registrations with clear errors', () => {
    const m = new Block();
    expect(() => m.registerParameter('a.b', null)).toThrow(/can't contain "\."/);
    expect(() => m.registerParameter('forward', null)).toThrow(/clashes with a method/);
    expect(() => m.registerParameter('x', zeros([1]) as unknown as Parameter)).toThrow(/expected a Parameter/);
    expect(() => m.registerBuffer('fc1', zeros([1]))).toThrow(/already a submodule/);
    expect(() => m.registerParameter('steps', new Parameter(zeros([1])))).toThrow(/already a buffer/);
  });

  it('train/eval set the flag on every descendant', () => {
    const b = new Block();
    expect(b.training && b.fc1.training).toBe(true);
    expect(b.eval()).toBe(b);
    expect(b.modules().every((m) => !m.training)).toBe(true);
    b.train();
    expect(b.modules().every((m) => m.training)).toBe(true);
  });

  it('apply visits children before the parent; requiresGrad_ freezes', () => {
    const b = new Block();
    const seen: string[] = [];
    b.apply((m) => seen.push(m.constructor.name));
    expect(seen).toEqual(['Linear', 'ReLU', 'Linear', 'Block']);
    b.requiresGrad_(false);
    expect(b.parameters().every((p) => !p.requiresGrad)).toBe(true);
    expect(b.numParameters({ trainableOnly: true })).toBe(0);
  });

  it('counts parameters', () => {
    const b = new Block();
    expect(countParameters(b)).toBe(4 * 3 + 3 + 3 * 2 + 2);
    expect(new Linear(784, 128).numParameters()).toBe(784 * 128 + 128);
  });

  it('to(float64) converts parameters and float buffers and keeps int buffers', () => {
    const m = new Sequential(new Linear(3, 2), new BatchNorm1d(2));
    const before = m.stateDict();
    m.to('float64');
    for (const p of m.parameters()) {
      expect(p).toBeInstanceOf(Parameter);
      expect(p.dtype).toBe('float64');
      expect(p.requiresGrad).toBe(true);
    }
    const after = m.stateDict();
    expect(after['1.running_mean']!.dtype).toBe('float64');
    expect(after['1.num_batches_tracked']!.dtype).toBe('int32');
    assertClose(after['0.weight']!, before['0.weight']!.double());
    expect(m.call(zeros([4, 3], { dtype: 'float64' })).dtype).toBe('float64');
    // Tied parameters stay tied.
    const shared = new Linear(2, 2);
    const tied = new Sequential(shared, new Sequential(shared)).to('float64');
    expect(tied.parameters()).toHaveLength(2);
    expect((tied.at(1) as Sequential).at(0)).toBe(tied.at(0));
    const a = new Linear(2, 2);
    const b = new Linear(2, 2);
    b.weight = a.weight;
    const seq = new Sequential(a, b).to('float64');
    expect((seq.at(1) as Linear).weight).toBe((seq.at(0) as Linear).weight);
  });

  it('zeroGrad sets gradients to null (or zeros them)', () => {
    const lin = new Linear(3, 2);
    lin.call(ones([1, 3])).sum().backward();
    expect(lin.weight.grad).not.toBeNull();
    lin.zeroGrad(false);
    expect(lin.weight.grad!.abs().sum().item()).toBe(0);
    lin.zeroGrad();
    expect(lin.weight.grad).toBeNull();
  });
});

describe('forward hooks', () => {
  it('run around forward in call(), may replace inputs and outputs, and can be removed', () => {
    const lin = new Linear(2, 2);
    const seen: string[] = [];
    const removePre = lin.registerForwardPreHook((m, inputs) => { seen.push(`pre ${m.constructor.name}`); return [(inputs[0] as Tensor).mul(0)]; });
    const removePost = lin.registerForwardHook((_m, _inputs, output) => { seen.push('post'); return (output as Tensor).add(1); });
    const y = lin.call(ones([1, 2]));
    expect(seen).toEqual(['pre Linear', 'post']);
    assertClose(y, lin.bias!.detach().add(1).unsqueeze(0));
    removePre();
    removePost();
    assertClose(lin.call(ones([1, 2])), lin.forward(ones([1, 2])));
    expect(seen).toHaveLength(2);
    // Hooks on a child see its activations when the parent runs.
    const acts: number[][] = [];
    const seq = new Sequential(new Linear(2, 3), new ReLU());
    seq.registerForwardHook((_m, _i, out) => { acts.push((out as Tensor).shape); });
    (seq.at(0) as Linear).registerForwardHook((_m, _i, out) => { acts.push((out as Tensor).shape); });
    seq.call(ones([4, 2]));
    expect(acts).toEqual([[4, 3], [4, 3]]);
  });
});

describe('printing', () => {
  it('prints a tree like PyTorch', () => {
    const model = new Sequential(new Linear(784, 128), new ReLU());
    const expected = 'Sequential(\n  (0): Linear(inFeatures=784, outFeatures=128, bias=true)\n  (1): ReLU()\n)';
    expect(model.toString()).toBe(expected);
    expect(inspect(model)).toBe(expected);
  });

  it('indents nested modules', () => {
    const b = new Block();
    expect(String(new Sequential(b))).toBe([
      'Sequential(',
      '  (0): Block(',
      '    (fc1): Linear(inFeatures=4, outFeatures=3, bias=true)',
      '    (act): ReLU()',
      '    (fc2): Linear(inFeatures=3, outFeatures=2, bias=false)',
      '  )',
      ')',
    ].join('\n'));
  });
});

describe('containers', () => {
  it('Sequential chains modules and supports indexing and editing', () => {
    manualSeed(0);
    const seq = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
    const x = tensor([[1, -2]], { dtype: 'float32' });
    const manual = (seq.at(2) as Linear).call((seq.at(1) as ReLU).call((seq.at(0) as Linear).call(x)));
    assertClose(seq.call(x), manual);
    expect(seq.length).toBe(3);
    expect(seq.at(-1)).toBe(seq.at(2));
    const popped = seq.pop(1);
    expect(popped).toBeInstanceOf(ReLU);
    expect(Object.keys(seq.stateDict())).toEqual(['0.weight', '0.bias', '1.weight', '1.bias']);
    seq.insert(1, new ReLU());
    expect([...seq].map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU', 'Linear']);
    expect(() => seq.at(3)).toThrow(/out of range/);
    expect(() => new Sequential({} as Module)).toThrow(/expected a Module/);
  });

  it('ModuleList registers its modules; ModuleDict keeps insertion order even for integer-like keys', () => {
    const list = new ModuleList([new Linear(1, 1), new Linear(1, 1)]);
    list.append(new Linear(1, 2));
    expect(list.parameters()).toHaveLength(6);
    expect(Object.keys(list.stateDict())).toContain('2.weight');
    expect(() => list.forward()).toThrow(/no forward/);

    const dict = new ModuleDict({ b: new Linear(1, 1) });
    dict.set('10', new ReLU()).set('a', new Linear(1, 1, { bias: false }));
    expect(dict.keys()).toEqual(['b', '10', 'a']);
    expect(Object.keys(dict.stateDict())).toEqual(['b.weight', 'b.bias', 'a.weight']);
    expect(dict.namedChildren().map(([n]) => n)).toEqual(['b', '10', 'a']);
    expect(() => dict.get('zz')).toThrow(/no key "zz"/);
    expect(dict.toString()).toContain('(10): ReLU()');
  });

  it('is reachable through the namespace import', () => {
    const m = new nn.Sequential(new nn.Linear(4, 2), new nn.ReLU());
    expect(nn.F.crossEntropy(m.call(ones([3, 4])), tensor([0, 1, 1])).shape).toEqual([]);
  });
});
