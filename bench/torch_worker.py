"""PyTorch side of `pnpm bench`: runs one workload and prints its figures as JSON on stdout.

Usage: python3 torch_worker.py <workload> <json-options>
The workloads mirror bench/worker.ts and bench/models.ts exactly (same shapes, data, model, batch size, optimizer);
see ../shared/anchors/README.md for their definitions.
"""
import json
import os
import resource
import statistics
import sys
import time


def configure_threads():
    """Thread settings, applied before numpy and torch load (their pools read the environment once).

    Debian's torch runs its own ops on an OpenMP (libgomp) pool but links the *pthreads* build of
    OpenBLAS, which has a second pool. libgomp's default wait policy spins after every parallel
    region, OpenBLAS spins after every call: with 2 threads on 2 cores, three threads then spin for
    two cores and every barrier can wait a scheduler time slice (measured here: W3 epoch 0.64 s with
    2 threads against 0.17 s with 1; 5-13 s on a loaded machine). PASSIVE makes the OpenMP workers
    sleep between regions, as tsgrad's native pool does (it waits on a condition variable); set
    OMP_WAIT_POLICY yourself to override. Both pools get the same thread count.
    """
    opts = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    threads = str(int(opts.get("threads", 2)))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = threads
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


configure_threads()

import numpy as np  # noqa: E402  (after configure_threads on purpose)
import torch  # noqa: E402


def timeit(fn, reps, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def timeit_warm(fn, reps, warm_seconds):
    """timeit after warming up for warm_seconds of calls (at least two), as bench/stats.ts timeitWarm."""
    until = time.perf_counter() + warm_seconds
    calls = 0
    while calls < 2 or time.perf_counter() < until:
        fn()
        calls += 1
    return timeit(fn, reps, 0)


WARM_SECONDS = 0.3  # W1's warm-up per size, as bench/worker.ts


def summary(times):
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "n": len(times)}


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_digits(digits_dir):
    """The benchmark set: digits 0..9 in class order, LCG Fisher-Yates (seed 42), /255-quantised."""
    xs, ys = [], []
    for d in range(10):
        with open(os.path.join(digits_dir, f"{d}.json")) as f:
            obj = json.load(f)
        # The mnist package stores {"data": [784 floats per digit, concatenated]}.
        flat = obj["data"] if isinstance(obj, dict) else [v for row in obj for v in row]
        rows = [flat[k * 784:(k + 1) * 784] for k in range(len(flat) // 784)]
        xs.extend(rows)
        ys.extend([d] * len(rows))
    n = len(xs)
    idx = list(range(n))
    s = 42
    for i in range(n - 1, 0, -1):
        s = (s * 1103515245 + 12345) % 2**32
        j = int((s / 2**32) * (i + 1))
        idx[i], idx[j] = idx[j], idx[i]
    x = np.array([xs[i] for i in idx], dtype=np.float64)
    x = (np.round(x * 255) / 255).astype(np.float32)
    y = np.array([ys[i] for i in idx], dtype=np.int64)
    return torch.from_numpy(x[:8000]), torch.from_numpy(y[:8000]), torch.from_numpy(x[8000:]), torch.from_numpy(y[8000:])


def w1(opts):
    out = {}
    for n in opts["sizes"]:
        a = torch.randn(n, n)
        b = torch.randn(n, n)
        reps = max(3, min(50, int(2e9 / (2 * n**3))))
        t = timeit_warm(lambda: torch.mm(a, b), reps, WARM_SECONDS)
        an, bn = a.numpy(), b.numpy()
        tn = timeit_warm(lambda: an @ bn, reps, WARM_SECONDS)
        out[str(n)] = {"torch": summary(t), "numpy": summary(tn)}
        if 256 <= n <= 512:  # into one reused output, as the tsgrad worker's reused-output figure
            c, cn = torch.empty(n, n), np.empty((n, n), dtype=np.float32)
            t = timeit_warm(lambda: torch.mm(a, b, out=c), reps, WARM_SECONDS)
            tn = timeit_warm(lambda: np.matmul(an, bn, out=cn), reps, WARM_SECONDS)
            out[f"{n} reused output"] = {"torch": summary(t), "numpy": summary(tn)}
    return out


def conv_case(shape, out_ch, reps):
    x = torch.randn(*shape, requires_grad=True)
    w = torch.randn(out_ch, shape[1], 3, 3, requires_grad=True)
    fwd = timeit(lambda: torch.nn.functional.conv2d(x, w, padding=1), reps, 3)

    def fb():
        y = torch.nn.functional.conv2d(x, w, padding=1)
        y.backward(torch.ones_like(y))
        x.grad = None
        w.grad = None

    return {"fwd": summary(fwd), "fwdbwd": summary(timeit(fb, reps, 3))}


def w2(opts):
    return {"a": conv_case([64, 1, 28, 28], 32, opts["reps"]), "b": conv_case([64, 32, 14, 14], 64, opts["reps"])}


def mlp():
    return torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
    )


def cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(3136, 128), torch.nn.ReLU(), torch.nn.Dropout(0.3), torch.nn.Linear(128, 10),
    )


class SeqModel(torch.nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = (torch.nn.LSTM if cell == "lstm" else torch.nn.RNN)(28, 128, batch_first=True)
        self.fc = torch.nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.rnn(x.view(-1, 28, 28))
        return self.fc(out[:, -1, :])


def train(model, opt, data, epochs, shape, trace=None):
    """trace: a dict that receives each epoch's batch order and every step's loss (w5rnntrace)."""
    xtr, ytr, xte, yte = data
    xtr = xtr.view(-1, *shape)
    xte = xte.view(-1, *shape)
    loss_fn = torch.nn.CrossEntropyLoss()
    epoch_times, rss = [], []
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr))
        if trace is not None:
            trace["perms"].append(perm.tolist())
        t0 = time.perf_counter()
        for i in range(0, len(xtr), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            if trace is not None:
                trace["losses"].append(loss.item())
        epoch_times.append(time.perf_counter() - t0)
        rss.append(rss_mb())
    model.eval()
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    return {"epochSeconds": epoch_times, "testAccuracy": acc, "rssAfterEpochMB": rss, "peakRssMB": peak_rss_mb()}


def w3(opts):
    m = mlp()
    return train(m, torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9), load_digits(opts["digits"]), opts.get("epochs", 5), (784,))


def w4(opts):
    m = cnn()
    return train(m, torch.optim.Adam(m.parameters(), lr=1e-3), load_digits(opts["digits"]), opts.get("epochs", 2), (1, 28, 28))


def over_seeds(opts, run):
    """run() once per seed seed, seed+1, ... (opts["seeds"] of them, default 1): mean test accuracy
    and its range, timing and memory from the first run (as bench/models.ts overSeeds)."""
    n = int(opts.get("seeds", 1))
    if n <= 1:
        return run()
    seeds = [int(opts.get("seed", 0)) + i for i in range(n)]
    runs = []
    for s in seeds:
        torch.manual_seed(s)
        runs.append(run())
    accs = [r["testAccuracy"] for r in runs]
    return {**runs[0], "testAccuracy": sum(accs) / n, "testAccuracyMin": min(accs), "testAccuracyMax": max(accs),
            "testAccuracies": accs, "seeds": seeds}


def w5(opts):
    epochs = opts.get("epochs", 3 if opts["cell"] == "rnn" else 1)
    data = load_digits(opts["digits"])

    def run():
        m = SeqModel(opts["cell"])
        return train(m, torch.optim.Adam(m.parameters(), lr=1e-3), data, epochs, (28, 28))

    return over_seeds(opts, run)


def w5rnn_trace(opts):
    """The W5 RNN run of this seed with what bench/replay-w5rnn.ts needs to repeat it in tsgrad:
    the initial weights, each epoch's batch order and every step's loss."""
    m = SeqModel("rnn")
    init = {k: v.flatten().tolist() for k, v in m.state_dict().items()}
    trace = {"perms": [], "losses": []}
    res = train(m, torch.optim.Adam(m.parameters(), lr=1e-3), load_digits(opts["digits"]), opts.get("epochs", 3), (28, 28), trace)
    return {"init": init, **trace, "testAccuracy": res["testAccuracy"]}


def w6(opts):
    reps = opts.get("reps", 20000)
    a, b = torch.randn(10, 10), torch.randn(10, 10)
    ag, bg = torch.randn(10, 10, requires_grad=True), torch.randn(10, 10, requires_grad=True)

    def per_call(fn, n):
        # After a second of warm-up batches, as bench/stats.ts perCall.
        t = timeit_warm(lambda: [fn() for _ in range(n)], 7, 1.0)
        return {k: (v / n if k != "n" else v) for k, v in summary(t).items()}

    m = mlp()
    x1 = torch.randn(1, 784)
    mt = mlp()
    opt = torch.optim.SGD(mt.parameters(), lr=0.01, momentum=0.9)
    xb, yb = torch.randn(64, 784), torch.randint(0, 10, (64,))
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(mt(xb), yb).backward()
        opt.step()

    return {
        "addUs": {k: v * 1e6 if k != "n" else v for k, v in per_call(lambda: a + b, reps).items()},
        "addGradUs": {k: v * 1e6 if k != "n" else v for k, v in per_call(lambda: ag + bg, reps).items()},
        "mlpForwardUs": {k: v * 1e6 if k != "n" else v for k, v in per_call(lambda: m(x1), 2000).items()},
        "trainStepMs": {k: v * 1e3 if k != "n" else v for k, v in per_call(step, 100).items()},
    }


def loaded_blas():
    """The BLAS shared objects actually mapped into this process (both torch and numpy use them)."""
    torch.mm(torch.ones(2, 2), torch.ones(2, 2))
    np.ones((2, 2)) @ np.ones((2, 2))
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            name = os.path.basename(path)
            if "blas" in name or "mkl" in name or "dnnl" in name:
                libs.add(os.path.realpath(path))
    return sorted(libs)


def info():
    return {"torch": torch.__version__, "numpy": np.__version__, "threads": torch.get_num_threads(),
            "interopThreads": torch.get_num_interop_threads(), "ompWaitPolicy": os.environ["OMP_WAIT_POLICY"],
            "openblasThreads": os.environ["OPENBLAS_NUM_THREADS"], "blasLibraries": loaded_blas(),
            "mkldnn": torch.backends.mkldnn.is_available()}


def main():
    name, opts = sys.argv[1], json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    torch.manual_seed(int(opts.get("seed", 0)))
    threads = int(opts.get("threads", 2))
    torch.set_num_threads(threads)
    fn = {"info": lambda o: info(), "w1": w1, "w2": w2, "w3": w3, "w4": w4, "w5": w5, "w5rnn": w5, "w5lstm": w5, "w5rnntrace": w5rnn_trace, "w6": w6}[name]
    print(json.dumps(fn(opts)))


if __name__ == "__main__":
    main()
